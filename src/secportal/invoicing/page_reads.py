"""The invoice page's own rows, read in one round trip (issue 19): its lines, history, email
deliveries, the client's contacts when the recipients come from them, and what the apps above
invoicing show on it (``PAGE_EXTRA_READS``: payments' payments, refund requests, refunds and
disputes), each read compiled once (``core.prepared``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from secportal.clients.models import ClientContact
from secportal.core import prepared
from secportal.core.prepared import PreparedRead
from secportal.notifications.models import EmailMessage

from .models import Invoice, InvoiceEvent, InvoiceLine


@dataclass(frozen=True)
class PageRows:
    """What the invoice page shows of the invoice's own rows, read together (``page_rows``)."""

    lines: list[InvoiceLine]
    events: list[InvoiceEvent]
    deliveries: list[EmailMessage]
    # The client's contacts, read only when the recipients come from them (``recipients.of``).
    contacts: list[ClientContact] | None


# ``InvoiceEvent.actor_label``: ``str(user)`` (full name, else email), ``str(contact)``; not
# the person's whole row (a user's password hash, a contact's dates).
_HISTORY_COLUMNS = (
    "kind",
    "actor_type",
    "at",
    "details",
    "invoice_id",
    "actor_user__first_name",
    "actor_user__last_name",
    "actor_user__email",
    "actor_contact__name",
    "actor_contact__email",
)
# The "Email delivery" table's columns, without the emails' bodies, headers and attachments'
# recipe (kilobytes a row the page never shows).
_DELIVERY_COLUMNS = (
    "kind",
    "to",
    "is_cc",
    "status",
    "attempts",
    "last_error",
    "sent_at",
    "invoice_id",
    "created_at",
)

# Keyed by the invoice (the client for contacts), which the request's scope has already read.
_LINES: PreparedRead[InvoiceLine] = PreparedRead(
    lambda invoice_id: InvoiceLine.unscoped.filter(invoice_id=invoice_id).order_by("position", "pk")
)
_HISTORY: PreparedRead[InvoiceEvent] = PreparedRead(
    lambda invoice_id: (
        InvoiceEvent.unscoped.filter(invoice_id=invoice_id)
        .select_related("actor_user", "actor_contact")
        .only(*_HISTORY_COLUMNS)
        .order_by("at", "pk")
    )
)
_DELIVERIES: PreparedRead[EmailMessage] = PreparedRead(
    lambda invoice_id: (
        EmailMessage.objects.filter(invoice_id=invoice_id)
        .only(*_DELIVERY_COLUMNS)
        .order_by("created_at", "pk")
    )
)
_CONTACTS: PreparedRead[ClientContact] = PreparedRead(
    lambda client_id: ClientContact.unscoped.filter(client_id=client_id).order_by("name", "pk")
)


#: Reads of the apps above invoicing that the invoice page shows (payments: its payments,
#: refund requests, refunds and disputes), by name, each keyed by the invoice's id: registered
#: in their ``AppConfig.ready()``, sent in ``page_rows``' round trip for a sent invoice, their
#: rows left on the invoice object for those apps' selectors (``page_extra``).
PAGE_EXTRA_READS: dict[str, PreparedRead[Any]] = {}
_PAGE_EXTRA = "_page_extra"


def page_extra(invoice: Invoice, name: str) -> list[Any] | None:
    """The rows of ``PAGE_EXTRA_READS[name]`` read with the page's (None: not read with it)."""
    found: dict[str, list[Any]] | None = getattr(invoice, _PAGE_EXTRA, None)
    return None if found is None else found.get(name)


def page_rows(invoice: Invoice) -> PageRows:
    """The invoice page's lines, history (oldest first), email deliveries and, when the
    recipients come from them, the client's contacts; for a sent invoice also the other apps'
    reads (``PAGE_EXTRA_READS``): one round trip on PostgreSQL, each read compiled once
    (``core.prepared``: the ORM's compiling cost the page five times the database's work)."""
    reads: list[tuple[PreparedRead[Any], Any]] = [
        (_LINES, invoice.pk),
        (_HISTORY, invoice.pk),
        (_DELIVERIES, invoice.pk),
    ]
    with_contacts = not invoice.is_draft and not invoice.email_to
    if with_contacts:
        reads.append((_CONTACTS, invoice.client_id))
    extra = {} if invoice.is_draft else PAGE_EXTRA_READS  # a draft has no payments
    reads += [(read, invoice.pk) for read in extra.values()]
    found = prepared.run(reads)
    own = 4 if with_contacts else 3
    setattr(invoice, _PAGE_EXTRA, dict(zip(extra, found[own:], strict=True)))
    return PageRows(found[0], found[1], found[2], found[3] if with_contacts else None)
