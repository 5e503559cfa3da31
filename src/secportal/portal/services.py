"""Every change the client portal makes: sign-in links, fresh pay links, starting a payment."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from secportal.clients.models import ClientContact
from secportal.core.locks import lock_names
from secportal.core.signing import SIGN_IN_SALT, LinkExpired, LinkInvalid
from secportal.invoicing import emails as invoice_emails
from secportal.invoicing.models import PAYABLE, Invoice
from secportal.invoicing.services import InvoiceError
from secportal.notifications.services import queue_email
from secportal.payments import checkout, gateway
from secportal.payments.selectors import can_take_payments

from . import selectors
from .models import PortalSignIn

LINKS_PER_EMAIL_PER_HOUR = 5
LINKS_PER_IP_PER_HOUR = 20
RATE_WINDOW = datetime.timedelta(hours=1)
KEEP_REQUESTS = datetime.timedelta(days=1)


class LinkUsed(Exception):
    """The sign-in link was genuine but has been used already."""


@dataclass(frozen=True)
class SignInRequest:
    """What the sign-in form answers; never says whether the address is a contact's."""

    limited: bool
    message: str


def _digest(email: str) -> str:
    return hashlib.sha256(selectors.normalise_email(email).encode()).hexdigest()


def make_sign_in_token(nonce: str) -> str:
    return signing.dumps({"n": nonce}, salt=SIGN_IN_SALT)


def read_sign_in_token(token: str, max_age: int | None = None) -> str:
    """The nonce a sign-in link names; LinkExpired after ``max_age`` seconds, else LinkInvalid."""
    if max_age is None:
        max_age = settings.PORTAL_SIGN_IN_LINK_MAX_AGE
    try:
        data = signing.loads(token, salt=SIGN_IN_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        raise LinkInvalid
    return data["n"]


def request_sign_in(email: str, ip: str | None) -> SignInRequest:
    """Email a one-time sign-in link if the address is a contact's; the same answer either way.

    Each request counts towards the limits (per address and per IP, one hour) whether or not the
    address is known, so that hitting a limit reveals nothing either.
    """
    email = selectors.normalise_email(email)
    digest = _digest(email)
    now = timezone.now()
    with transaction.atomic():
        # Exact limits under concurrency: requests for one address (or one IP) take turns.
        lock_names(f"portal-sign-in:{digest}", f"portal-sign-in-ip:{ip or '-'}")
        PortalSignIn.objects.filter(created_at__lt=now - KEEP_REQUESTS).delete()
        recent = PortalSignIn.objects.filter(created_at__gte=now - RATE_WINDOW)
        if recent.filter(email_digest=digest).count() >= LINKS_PER_EMAIL_PER_HOUR:
            return SignInRequest(
                limited=True,
                message=(
                    f"Too many sign-in links were asked for this address: at most "
                    f"{LINKS_PER_EMAIL_PER_HOUR} an hour. Please try again later, or use the "
                    "most recent link you received."
                ),
            )
        if ip and recent.filter(ip=ip).count() >= LINKS_PER_IP_PER_HOUR:
            return SignInRequest(
                limited=True,
                message=(
                    f"Too many sign-in links were asked for from your network: at most "
                    f"{LINKS_PER_IP_PER_HOUR} an hour. Please try again later."
                ),
            )
        contacts = selectors.contacts_for_email(email)
        sign_in = PortalSignIn.objects.create(
            email_digest=digest,
            email=email if contacts else "",
            ip=ip,
            nonce=secrets.token_urlsafe(24),
            emailed=bool(contacts),
            created_at=now,
        )
        if contacts:
            _queue_sign_in_email(sign_in, contacts)
    return SignInRequest(
        limited=False,
        message=(
            "If this address belongs to a client contact, we've emailed a sign-in link. "
            "It works for 15 minutes."
        ),
    )


def _queue_sign_in_email(sign_in: PortalSignIn, contacts: list[ClientContact]) -> None:
    token = make_sign_in_token(sign_in.nonce)
    consultancies = sorted({c.workspace.name for c in contacts})
    workspaces = {c.workspace_id for c in contacts}
    single = contacts[0].workspace if len(workspaces) == 1 else None
    queue_email(
        kind="portal_sign_in",
        to=contacts[0].email,
        template="emails/portal_sign_in",
        context={
            "sign_in_url": settings.SITE_URL + reverse("portal:magic_link", args=[token]),
            "minutes": settings.PORTAL_SIGN_IN_LINK_MAX_AGE // 60,
            "consultancies": consultancies,
            # The email layout's footer names the consultancy: one, or all of them.
            "workspace": single or {"name": ", ".join(consultancies)},
            "name": contacts[0].name,
            "login_url": settings.SITE_URL + reverse("portal:login"),
        },
        workspace=single,
        reply_to=single.billing_reply_to if single else "",
        dedupe_key=f"portal-sign-in:{sign_in.nonce}",
    )


def use_sign_in_link(token: str, max_age: int | None = None) -> str:
    """Spend a sign-in link once: the address it proves (LinkExpired, LinkInvalid, LinkUsed)."""
    nonce = read_sign_in_token(token, max_age=max_age)
    with transaction.atomic():
        sign_in = PortalSignIn.objects.select_for_update().filter(nonce=nonce).first()
        if sign_in is None or not sign_in.emailed or not sign_in.email:
            raise LinkInvalid
        if sign_in.used_at is not None:
            raise LinkUsed
        sign_in.used_at = timezone.now()
        sign_in.save(update_fields=["used_at"])
        return sign_in.email


@dataclass(frozen=True)
class FreshLink:
    sent: bool
    message: str


def send_fresh_pay_link(invoice: Invoice) -> FreshLink:
    """Email the invoice again, with a new pay link, to the client's billing address only.

    At most one such email per invoice per day (its dedupe key carries the date), however often
    the button is pressed; the regular invoice email's own keys are left alone.
    """
    if invoice.status not in PAYABLE:
        label = invoice.get_status_display().lower()
        return FreshLink(False, f"This invoice is {label}: there is nothing to pay.")
    to = invoice.client.billing_email
    if not to:
        return FreshLink(
            False,
            "We could not email a fresh link: please contact "
            + (invoice.workspace.billing_reply_to or invoice.workspace.name)
            + ".",
        )
    today = invoice.workspace.today()
    with transaction.atomic():
        queue_email(
            kind="invoice_fresh_link",
            to=to,
            template="emails/invoice_sent",
            context=invoice_emails.invoice_context(invoice),
            workspace=invoice.workspace,
            invoice=invoice,
            reply_to=invoice.workspace.billing_reply_to,
            dedupe_key=f"fresh-link:{invoice.pk}:{today.isoformat()}",
        )
    return FreshLink(
        True,
        f"We've emailed a fresh link to {invoice.client.name}'s billing address. "
        "If it doesn't arrive, we send at most one a day: check that inbox, or contact "
        + (invoice.workspace.billing_reply_to or invoice.workspace.name)
        + ".",
    )


def start_payment(
    invoice: Invoice, contact: ClientContact | None, back: str, amount: int | None = None
) -> str | None:
    """Pay Invoice, from the portal or from a pay link: the URL to send the payer to.

    Contract (the one place online payment starts):
    - ``invoice`` is a sent or overdue invoice the caller has already allowed this person to see;
      ``contact`` is the signed-in client contact, or None through a signed pay link; ``back``
      is the page (path) the payer returns to if they cancel on Stripe's page; ``amount`` is the
      part chosen under "Amount to pay" (partial payments), None for the whole balance due.
    - Returns the URL of Stripe Checkout to redirect to, or None when the consultancy cannot
      take card payments (the view then shows how else to pay).
    - Raises ``InvoiceError`` with a message for the payer when the payment cannot start now
      (the invoice was paid or voided meanwhile, or Stripe failed: "try again").
    """

    if not can_take_payments(invoice.workspace):
        return None
    success = (
        settings.SITE_URL
        + reverse("payments:checkout_success")
        + "?session_id={CHECKOUT_SESSION_ID}"
    )
    try:
        return checkout.start_checkout(
            invoice.pk,
            success_url=success,
            cancel_url=settings.SITE_URL + back,
            payer_email=contact.email if contact else "",
            amount=amount,
        )
    except gateway.GatewayError as exc:
        raise InvoiceError(
            "We could not reach the payment page just now. Nothing was charged; please try "
            "again in a moment."
        ) from exc
