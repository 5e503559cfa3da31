"""Named reads for the client portal.

What a contact may see is decided here, in one place: their own client's invoices, never a
draft, and nothing at all in a workspace in Internal mode (no invoicing there). Views that use
these run inside ``contact_view`` (scoped to the contact's workspace) or a pay link's scope;
the filters below also name the workspace and client explicitly, so a scope mistake cannot
widen what is shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import connections, router
from django.db.models import QuerySet
from django.http import Http404

from secportal.clients.models import ClientContact
from secportal.core import rawsql
from secportal.core.signing import (
    LinkExpired,
    LinkInvalid,
    PayLink,
    read_pay_token,
    read_pay_token_ignoring_age,
)
from secportal.engagements.models import Engagement
from secportal.invoicing.models import PAYABLE, Invoice, InvoiceStatus


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
    """The chosen contact, if it still exists and still has the proven address.

    One query: every contact with the address (one person's roles, each with its client and
    workspace), the chosen one picked by id; the others set ``has_other_contacts`` (read with
    it: one query less a page). An ``EXISTS`` annotation for them cost more to compile than
    this whole query to run (issue 19).
    """
    try:
        pk = int(contact_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    roles = list(
        ClientContact.unscoped.select_related("client", "workspace")
        .filter(email__iexact=normalise_email(email))
        .order_by()
    )
    contact = next((role for role in roles if role.pk == pk), None)
    if contact is not None:
        contact.has_others = len(roles) > 1  # type: ignore[attr-defined]
    return contact


def _others(address: str) -> QuerySet[ClientContact]:
    return ClientContact.unscoped.filter(email__iexact=address)


def has_other_contacts(contact: ClientContact) -> bool:
    """Whether the contact's address has another role (another client or workspace) to switch
    to: one ``EXISTS``, no rows read (none at all for the signed-in contact: read with it)."""
    known = getattr(contact, "has_others", None)
    if known is not None:
        return bool(known)
    return _others(normalise_email(contact.email)).exclude(pk=contact.pk).exists()


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


#: Invoices shown per engagement on the portal home before "Show more" (a client may have
#: hundreds: the page renders a bounded number of rows, whatever the history).
SECTION_SIZE = 5
#: "Show more" adds this many rows to the section it belongs to.
MORE_STEP = 50
OTHER_SECTION = "other"


@dataclass
class EngagementSection:
    engagement: Engagement | None
    invoices: list[Invoice] = field(default_factory=list)
    #: How many visible invoices the section has in all (``invoices`` holds the first ones).
    total: int = 0

    @property
    def key(self) -> str:
        """The section's name in a "Show more" link: the engagement's public id, or "other"."""
        return str(self.engagement.public_id) if self.engagement else OTHER_SECTION

    @property
    def hidden(self) -> int:
        return self.total - len(self.invoices)


@dataclass
class HomeSections:
    sections: list[EngagementSection]
    #: Whether any visible invoice (shown or not) can be paid.
    payable: bool


#: What the home shows of an invoice (the other columns are not read).
HOME_FIELDS = (
    "pk",
    "workspace_id",
    "public_id",
    "engagement_id",
    "number",
    "status",
    "amount",
    "currency",
    "issue_date",
    "due_date",
    "paid_at",
    "paid_amount",
    "credited_amount",
)
#: One section's first rows, newest first (DESC: nulls first, as the index reads them).
# Our own column names only; every value is a parameter.
_SECTION_ROWS_SQL = (
    "SELECT * FROM (SELECT "  # noqa: S608
    + ", ".join(f'"{"id" if name == "pk" else name}"' for name in HOME_FIELDS)
    + ' FROM "invoicing_invoice" WHERE "workspace_id" = %s AND "client_id" = %s'
    + ' AND NOT ("status" = %s) AND {engagement}'
    + ' ORDER BY "issue_date" DESC, "id" DESC LIMIT %s) AS "section_{n}"'
)
_ENGAGEMENT_SQL = {True: '"engagement_id" = %s', False: '"engagement_id" IS NULL'}
#: The most rows one "Show more" section can ask for.
MAX_SHOWN = 1000


def home_sections(contact: ClientContact, expand: str = "", shown: int = 0) -> HomeSections:
    """The client's engagements, each with its newest non-draft invoices; then "Other invoices".

    Three queries whatever the number of invoices: the engagements, each section's count and
    number of payable invoices (from the index (workspace, client, engagement, issue date, id,
    status) alone), then the first ``SECTION_SIZE`` invoices of every section (or ``shown`` of
    the section named ``expand``, a "Show more" link), each read through the index.
    """
    sections = {e.pk: EngagementSection(e) for e in _engagements_of(contact)}
    other = EngagementSection(None)
    expanded = next((s for s in [*sections.values(), other] if expand and s.key == expand), None)
    more = max(SECTION_SIZE, min(shown, MAX_SHOWN))
    rows, payable = _section_rows(contact, sections, other, expanded, more)
    for invoice in sorted(
        rows,
        key=lambda i: (i.issue_date is not None, i.issue_date or datetime.date.min, i.pk),
        reverse=True,
    ):
        owner = sections.get(invoice.engagement_id) if invoice.engagement_id else None
        if owner is not None:
            invoice.engagement = owner.engagement
        owner = owner or other
        owner.invoices.append(invoice)
    result = list(sections.values())
    if other.total:
        result.append(other)
    return HomeSections(result, payable)


# The home's three statements are written here once, our own table and column names only,
# every value a parameter: compiling them as querysets (and building the rows through a raw
# queryset) cost the page more than running them (issue 19). Each row becomes a model instance
# through ``Model.from_db`` after the ORM's own converters for its columns (none on
# PostgreSQL; dates and UUIDs from text on SQLite), as a queryset's rows do.
_ENGAGEMENT_FIELDS = tuple(Engagement._meta.concrete_fields)
_ENGAGEMENTS_SQL = (
    "SELECT "  # noqa: S608
    + ", ".join(f'"{f.column}"' for f in _ENGAGEMENT_FIELDS)
    + ' FROM "engagements_engagement" WHERE "workspace_id" = %s AND "client_id" = %s'
    + ' ORDER BY "start_date" DESC, "name" ASC, "id" ASC'
)
_HOME_INVOICE_FIELDS = tuple(
    Invoice._meta.pk if name == "pk" else Invoice._meta.get_field(name) for name in HOME_FIELDS
)
#: Each section's number of visible invoices and of payable ones, from the index alone.
_COUNTS_SQL = (
    'SELECT "engagement_id", COUNT(*), SUM(CASE WHEN "status" IN (%s, %s, %s) THEN 1 ELSE 0 END)'
    ' FROM "invoicing_invoice" WHERE "workspace_id" = %s AND "client_id" = %s'
    ' AND NOT ("status" = %s) GROUP BY "engagement_id"'
)
assert len(PAYABLE) == 3  # the three statuses of _COUNTS_SQL's IN


def _read(model: type[Any], fields: tuple[Any, ...], sql: str, params: list[Any]) -> list[Any]:
    """Model instances of ``fields`` (in that order) from one statement's rows."""
    return rawsql.instances(connections[router.db_for_read(model)], model, fields, sql, params)


def _engagements_of(contact: ClientContact) -> list[Engagement]:
    """The client's engagements, newest start first (then by name)."""
    return _read(
        Engagement,
        _ENGAGEMENT_FIELDS,
        _ENGAGEMENTS_SQL,
        [contact.workspace_id, contact.client_id],
    )


def _section_rows(
    contact: ClientContact,
    sections: dict[int, EngagementSection],
    other: EngagementSection,
    expanded: EngagementSection | None,
    more: int,
) -> tuple[list[Invoice], bool]:
    """Sets each section's ``total`` and says whether any visible invoice is payable: the
    sections' counts from the index alone (one GROUP BY,
    an index-only scan of ``invoice_ws_client_eng``), then each section's first rows, one
    ``ORDER BY … LIMIT`` per section in one ``UNION ALL`` (an index scan reading only the rows
    shown, where a window over every invoice of the client read them all).

    What ``visible_invoices`` allows, written out: the contact's workspace and client, no
    draft, nothing at all in Internal mode."""
    if not contact.workspace.invoicing_enabled:
        return [], False
    draft = InvoiceStatus.DRAFT.value
    with connections[router.db_for_read(Invoice)].cursor() as cursor:
        cursor.execute(
            _COUNTS_SQL,
            [*(s.value for s in PAYABLE), contact.workspace_id, contact.client_id, draft],
        )
        counts = cursor.fetchall()
    parts: list[str] = []
    params: list[Any] = []
    payable = False
    for engagement_id, n, payable_n in counts:
        section = sections.get(engagement_id, other) if engagement_id else other
        parts.append(
            _SECTION_ROWS_SQL.format(n=len(parts), engagement=_ENGAGEMENT_SQL[bool(engagement_id)])
        )
        params += [contact.workspace_id, contact.client_id, draft]
        params += [engagement_id] if engagement_id else []
        params.append(more if section is expanded else SECTION_SIZE)
        section.total += n
        payable = payable or payable_n > 0
    if not parts:
        return [], payable
    # One SELECT written once per section, each wrapped so that its ORDER BY and LIMIT stay
    # its own.
    return _read(Invoice, _HOME_INVOICE_FIELDS, " UNION ALL ".join(parts), params), payable


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
