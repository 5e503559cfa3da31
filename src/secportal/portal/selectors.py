"""Named reads for the client portal.

What a contact may see is decided here, in one place: their own client's invoices, never a
draft, and nothing at all in a workspace in Internal mode (no invoicing there). Views that use
these run inside ``contact_view`` (scoped to the contact's workspace) or a pay link's scope;
the filters below also name the workspace and client explicitly, so a scope mistake cannot
widen what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from secportal.clients.models import ClientContact
from secportal.core.signing import (
    LinkExpired,
    LinkInvalid,
    PayLink,
    read_pay_token,
    read_pay_token_ignoring_age,
)
from secportal.engagements.models import Engagement
from secportal.invoicing.models import Invoice, InvoiceStatus


def normalise_email(email: str) -> str:
    return email.strip().lower()


def contacts_for_email(email: str) -> list[ClientContact]:
    """Every contact (any client, any workspace) with this address: one person, several roles."""
    return list(
        ClientContact.unscoped.select_related("client", "workspace")
        .filter(email__iexact=normalise_email(email))
        .order_by("workspace__name", "client__name", "pk")
    )


def contact_with_email(contact_id: object, email: str) -> ClientContact | None:
    """The chosen contact, if it still exists and still has the proven address."""
    try:
        pk = int(contact_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return (
        ClientContact.unscoped.select_related("client", "workspace")
        .filter(pk=pk, email__iexact=normalise_email(email))
        .first()
    )


def contact_by_public_id(email: str, public_id: object) -> ClientContact | None:
    for contact in contacts_for_email(email):
        if str(contact.public_id) == str(public_id):
            return contact
    return None


def visible_invoices(contact: ClientContact) -> QuerySet[Invoice]:
    """The contact's client's invoices, drafts excluded; none at all in Internal mode."""
    invoices = Invoice.unscoped.filter(
        workspace_id=contact.workspace_id, client_id=contact.client_id
    ).exclude(status=InvoiceStatus.DRAFT)
    if not contact.workspace.invoicing_enabled:
        return invoices.none()
    return invoices


def invoice_for_contact(contact: ClientContact, public_id: UUID | str) -> Invoice:
    invoice = (
        visible_invoices(contact)
        .select_related("workspace", "client", "engagement")
        .filter(public_id=public_id)
        .first()
    )
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


@dataclass
class EngagementSection:
    engagement: Engagement | None
    invoices: list[Invoice] = field(default_factory=list)


def home_sections(contact: ClientContact) -> list[EngagementSection]:
    """The client's engagements, each with its non-draft invoices; then "Other invoices"."""
    engagements = Engagement.unscoped.filter(
        workspace_id=contact.workspace_id, client_id=contact.client_id
    ).order_by("-start_date", "name", "pk")
    sections = {e.pk: EngagementSection(e) for e in engagements}
    other = EngagementSection(None)
    invoices = visible_invoices(contact).select_related("engagement").order_by("-issue_date", "-pk")
    for invoice in invoices:
        section = sections.get(invoice.engagement_id) if invoice.engagement_id else None
        (section or other).invoices.append(invoice)
    result = list(sections.values())
    if other.invoices:
        result.append(other)
    return result


class PayLinkRefused(Exception):
    """The pay link cannot open an invoice; ``expired`` says whether a fresh one may help."""

    def __init__(
        self, *, expired: bool, invoice: Invoice | None = None, closed: bool = False
    ) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired
        self.invoice = invoice
        self.closed = closed


def _invoice_named_by(link: PayLink, *, closed_too: bool = False) -> Invoice | None:
    """The invoice a genuine link names, if it still has that amount and currency (and, unless
    ``closed_too``, its workspace still invoices: Internal mode closes its links)."""
    invoice = (
        Invoice.unscoped.select_related("workspace", "client", "engagement")
        .filter(public_id=link.invoice_public_id)
        .exclude(status=InvoiceStatus.DRAFT)
        .first()
    )
    if invoice is None or not (closed_too or invoice.workspace.invoicing_enabled):
        return None
    if invoice.amount != link.amount or invoice.currency != link.currency:
        return None
    return invoice


def invoice_for_pay_token(token: str, max_age: int | None = None) -> Invoice:
    """The invoice of a signed pay link, or PayLinkRefused (expired: with the invoice named)."""
    try:
        link = read_pay_token(token, max_age)
    except LinkExpired:
        invoice = _invoice_named_by(read_pay_token_ignoring_age(token))
        if invoice is None:
            raise PayLinkRefused(expired=False) from None
        raise PayLinkRefused(expired=True, invoice=invoice) from None
    except (LinkInvalid, ValueError):
        raise PayLinkRefused(expired=False) from None
    invoice = _invoice_named_by(link, closed_too=True)
    if invoice is None:
        raise PayLinkRefused(expired=False)
    if not invoice.workspace.invoicing_enabled:
        # A genuine link of a workspace that no longer invoices online: say so plainly.
        raise PayLinkRefused(expired=False, invoice=invoice, closed=True)
    return invoice


def invoice_for_fresh_link(token: str) -> Invoice:
    """The invoice a genuine link names, expired or not (for "email me a fresh link")."""
    try:
        link = read_pay_token_ignoring_age(token)
    except (LinkInvalid, LinkExpired, ValueError):
        raise Http404("This link is not valid.") from None
    invoice = _invoice_named_by(link)
    if invoice is None:
        raise Http404("This link is not valid.")
    return invoice
