"""Signed links: the per-invoice pay link and the portal's one-time sign-in link (DESIGN.md 9)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

PAY_SALT = "secportal.invoicing.pay-link"
SIGN_IN_SALT = "secportal.portal.sign-in"


class LinkExpired(Exception):
    """The link was genuine but is too old."""


class LinkInvalid(Exception):
    """The link was not made by us, or was altered."""


@dataclass(frozen=True)
class PayLink:
    invoice_public_id: str
    amount: int
    currency: str


def make_pay_token(invoice_public_id: object, amount: int, currency: str) -> str:
    """A token that names one invoice and binds its amount and currency."""
    return signing.dumps([str(invoice_public_id), amount, currency], salt=PAY_SALT, compress=True)


def read_pay_token(token: str, max_age: int | None = None) -> PayLink:
    """The link's contents; LinkExpired after ``max_age`` (default ``PAY_LINK_MAX_AGE``) seconds."""
    if max_age is None:
        max_age = settings.PAY_LINK_MAX_AGE
    try:
        public_id, amount, currency = signing.loads(token, salt=PAY_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise LinkInvalid from exc
    return PayLink(str(public_id), int(amount), str(currency))


def read_pay_token_ignoring_age(token: str) -> PayLink:
    """The invoice an expired link named, so that a fresh one can be offered by email."""
    return read_pay_token(token, max_age=10**10)
