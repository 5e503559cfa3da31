"""Who an invoice's emails go to (issue 17, 2): "Send to" (the client's billing email and the
contacts chosen) and "CC" (extra accounts-payable addresses), chosen at send and remembered per
client. Each person gets their own copy (their own delivery state) with the Pay Invoice link,
which works without signing in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from secportal.clients.models import ClientContact

from .models import Invoice

MAX_RECIPIENTS = 10
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Recipients:
    """The people an invoice goes to: ``to`` includes the billing email first."""

    to: tuple[str, ...]
    cc: tuple[str, ...] = ()

    @property
    def everyone(self) -> list[str]:
        return [*self.to, *self.cc]


def split_addresses(text: str) -> list[str]:
    """Addresses typed one a line, or separated by commas, semicolons or spaces."""
    return [part for part in _SEPARATORS.split(text or "") if part]


def _lines(text: str) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


def receiving_contacts(invoice: Invoice) -> list[ClientContact]:
    return list(ClientContact.unscoped.filter(client_id=invoice.client_id).order_by("name", "pk"))


def default_choice(invoice: Invoice) -> tuple[list[str], list[str]]:
    """What the send page offers: the contacts and CC addresses of the client's last invoice,
    or the contacts who asked to receive invoices."""
    client = invoice.client
    if client.invoice_to or client.invoice_cc:
        return _lines(client.invoice_to), _lines(client.invoice_cc)
    contacts = [c.email for c in receiving_contacts(invoice) if c.receives_invoices]
    return contacts, []


def check(billing_email: str, to: list[str], cc: list[str]) -> Recipients:
    """The recipients, or a ValidationError per field ("to", "cc"): an invalid address, one
    listed twice, or more than ``MAX_RECIPIENTS`` people in all."""
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    chosen: dict[str, list[str]] = {"to": [], "cc": []}
    for field, addresses in (("to", [billing_email, *to]), ("cc", cc)):
        for address in addresses:
            if not address:
                continue
            try:
                validate_email(address)
            except ValidationError:
                errors.setdefault(field, []).append(f"Not an email address: {address}")
                continue
            if address.lower() in seen:
                where = (
                    "in Send to"
                    if field == "cc" and address.lower() in {a.lower() for a in chosen["to"]}
                    else "twice"
                )
                errors.setdefault(field, []).append(f"{address} is listed {where}.")
                continue
            seen.add(address.lower())
            chosen[field].append(address)
    total = len(chosen["to"]) + len(chosen["cc"])
    if total > MAX_RECIPIENTS:
        field = "cc" if chosen["cc"] else "to"
        errors.setdefault(field, []).append(
            f"At most {MAX_RECIPIENTS} recipients for one invoice ({total} chosen)."
        )
    if not chosen["to"]:
        errors.setdefault("to", []).append("Choose at least one person to send the invoice to.")
    if errors:
        raise ValidationError(errors)
    return Recipients(tuple(chosen["to"]), tuple(chosen["cc"]))


def apply(invoice: Invoice, recipients: Recipients, user: Any) -> None:
    """Fix the invoice's recipients (inside the send's transaction, the invoice locked) and
    remember the choice on the client for its next invoice."""
    from secportal.clients.services import remember_invoice_recipients

    invoice.email_to = "\n".join(recipients.to)
    invoice.email_cc = "\n".join(recipients.cc)
    invoice.save(update_fields=["email_to", "email_cc", "updated_at"])
    billing = (invoice.client.billing_email or "").lower()
    contacts = [a for a in recipients.to if a.lower() != billing]
    remember_invoice_recipients(invoice.client_id, user, to=contacts, cc=list(recipients.cc))


def of(invoice: Invoice, contacts: list[ClientContact] | None = None) -> Recipients:
    """Who the invoice's emails go to: as chosen at send, else the billing email and the
    contacts who receive invoices (``contacts``: the client's, when the caller has read them)."""
    if invoice.email_to:
        return Recipients(tuple(_lines(invoice.email_to)), tuple(_lines(invoice.email_cc)))
    found: list[str] = []
    if contacts is None:
        contacts = receiving_contacts(invoice)
    receiving = [c.email for c in contacts if c.receives_invoices]
    for email in [invoice.client.billing_email, *receiving]:
        if email and email.lower() not in (f.lower() for f in found):
            found.append(email)
    return Recipients(tuple(found))
