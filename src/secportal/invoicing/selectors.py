"""Named reads of invoices; every one runs inside the request's workspace scope."""

from __future__ import annotations

import csv
import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Q, QuerySet
from django.http import Http404

from secportal.core import prepared, rawsql
from secportal.core.money import format_money, format_plain
from secportal.core.prepared import PreparedRead

if TYPE_CHECKING:
    from secportal.workspaces.models import Workspace

from .models import (
    OUTSTANDING,
    PAYABLE,
    Invoice,
    InvoiceStatus,
    RecordedPayment,
    draft_reference,
    shown_status_of,
)

PAGE_SIZE = 25


def filtered_invoices(filters: dict[str, Any], today: datetime.date) -> QuerySet[Invoice]:
    invoices = Invoice.objects.all()
    if filters.get("status"):
        invoices = invoices.shown_as(filters["status"], today)
    if filters.get("client"):
        invoices = invoices.filter(client=filters["client"])
    if filters.get("engagement"):
        invoices = invoices.filter(engagement=filters["engagement"])
    if filters.get("currency"):
        invoices = invoices.filter(currency=filters["currency"])
    if filters.get("q"):
        invoices = invoices.filter(search_condition(filters["q"].strip()))
    return invoices


#: The Invoices list's Client choices: our own names, the workspace a parameter. The public id
#: read as text: PostgreSQL writes a UUID's canonical form (SQLite keeps 32 hex digits, made
#: canonical below); a few hundred UUID objects made and written out again cost as long as the
#: query.
_CLIENT_CHOICES_SQL = (
    'SELECT "id", CAST("public_id" AS text), "name" FROM "clients_client"'
    ' WHERE "workspace_id" = %s ORDER BY "name" ASC'
)


def client_choices(workspace_id: int) -> list[tuple[int, str, str]]:
    """(pk, public id, name) of every client of the workspace, by name: one statement written
    once (building and compiling the queryset cost as long as running it, issue 19)."""
    from secportal.clients.models import Client

    rows = rawsql.fetch(
        connections[router.db_for_read(Client)], _CLIENT_CHOICES_SQL, [workspace_id], ()
    )
    return [
        (pk, public_id if len(public_id) == 36 else str(UUID(public_id)), name)
        for pk, public_id, name in rows
    ]


def search_condition(q: str) -> Q:
    """Search: number, description, client name, engagement name or reference, PO number.

    The client and engagement matches are ``IN (subquery)`` conditions on the invoice table's
    own columns, not joins, so the list's page query keeps its shape (the ids are picked from
    the invoice table alone; see ``invoice_page`` and bench/invoices.py).
    """
    from secportal.clients.models import Client
    from secportal.engagements.models import Engagement

    clients = Client.objects.filter(name__icontains=q).values("pk")
    engagements = Engagement.objects.filter(
        Q(name__icontains=q) | Q(reference__icontains=q)
    ).values("pk")
    condition = (
        Q(number__icontains=q)
        | Q(description__icontains=q)
        | Q(client_id__in=clients)
        | Q(engagement_id__in=engagements)
    )
    if _HAS_PO_NUMBER:  # the invoice's PO number (issue 15) once the field exists
        condition |= Q(po_number__icontains=q)
    return condition


_HAS_PO_NUMBER = any(f.name == "po_number" for f in Invoice._meta.get_fields())


@dataclass
class InvoicePage:
    rows: list[dict[str, Any]]
    next_after: int | None
    prev_before: int | None


# What a row of the list shows, read as plain values (no model instances to build).
ROW_FIELDS = (
    "pk",
    "public_id",
    "number",
    "shown_status",
    "amount",
    "currency",
    "due_date",
    "client__name",
    "engagement__name",
    "issue_date",
    "paid_at",
    "description",
    "paid_amount",
    "credited_amount",
)
_STATUS_LABELS = dict(InvoiceStatus.choices)
OWED_STATUSES = frozenset(str(s) for s in OUTSTANDING)

#: The list's sort keys (``?sort=due``, ``?sort=-amount``); NULLs sort as the lowest value so
#: that the keyset comparisons below stay simple. No key: newest first (by id).
SORT_KEYS = ("number", "client", "amount", "issued", "due", "status")


def _sort_expression(key: str) -> Any:
    from django.db.models import DateField, F, Value
    from django.db.models.functions import Coalesce

    lowest_date = Value(datetime.date(1, 1, 1), output_field=DateField())
    return {
        "number": Coalesce("number", Value("")),
        "client": F("client__name"),
        "amount": F("amount"),
        "issued": Coalesce("issue_date", lowest_date),
        "due": Coalesce("due_date", lowest_date),
        "status": F("shown_status"),
    }[key]


def invoice_page(
    invoices: QuerySet[Invoice],
    today: datetime.date,
    after: int | None = None,
    before: int | None = None,
    sort: str = "",
) -> InvoicePage:
    """Keyset pagination, newest first: no COUNT over the whole table, however large.

    One query: the page's ids are picked by a subquery that reads only the invoice table's
    indexes (``workspace, [filter], -id``), the outer query joins the client and engagement of
    those few rows. Written as one ``ORDER BY id LIMIT`` over the joined rows, PostgreSQL may
    walk the primary key backwards and filter by workspace, which costs a scan of every newer
    invoice of every other workspace (400,000 rows in the bench).

    With a ``sort`` (one of SORT_KEYS, ``-`` for descending) the keyset is (key, id): the
    cursor's key is read from the cursor's row (one more query, only when paging).
    """
    key = sort.lstrip("-")
    if key in SORT_KEYS:
        return _sorted_page(invoices, today, key, sort.startswith("-"), after, before)
    if before is not None:
        ids = invoices.filter(pk__gt=before).order_by("pk")
    else:
        ids = invoices.filter(pk__lt=after) if after is not None else invoices
        ids = ids.order_by("-pk")
    rows = [_row(value) for value in _page_rows(ids, today)]
    return _paged(rows, after, before)


#: The page's columns (``ROW_FIELDS``' order), the stored status where the shown one goes.
_PAGE_COLUMNS = (
    "id",
    "public_id",
    "number",
    "status",
    "amount",
    "currency",
    "due_date",
    "client_id",
    "engagement_id",
    "issue_date",
    "paid_at",
    "description",
    "paid_amount",
    "credited_amount",
)
_STATUS_AT, _DUE_AT = _PAGE_COLUMNS.index("status"), _PAGE_COLUMNS.index("due_date")
#: Each column's field, for the ORM's converters (the names replace the client's and
#: engagement's ids: texts, none).
_PAGE_FIELDS = tuple(
    None
    if name in ("client_id", "engagement_id")
    else next(f for f in Invoice._meta.concrete_fields if f.attname == name)
    for name in _PAGE_COLUMNS
)
# Our own table and column names only; the query of the page's ids (and its parameters) comes
# from the ORM.
_PAGE_SQL_HEAD = 'WITH "page" ("id") AS ('
_PAGE_SQL_TAIL = (
    ") SELECT "  # noqa: S608  (our own names; every value a parameter)
    + ", ".join(
        {
            "client_id": '"clients_client"."name"',
            "engagement_id": '"engagements_engagement"."name"',
        }.get(name, f'"invoicing_invoice"."{name}"')
        for name in _PAGE_COLUMNS
    )
    + ' FROM "page" INNER JOIN "invoicing_invoice" ON ("invoicing_invoice"."id" = "page"."id")'
    ' INNER JOIN "clients_client" ON ("clients_client"."id" = "invoicing_invoice"."client_id")'
    ' LEFT OUTER JOIN "engagements_engagement"'
    ' ON ("engagements_engagement"."id" = "invoicing_invoice"."engagement_id")'
    ' ORDER BY "invoicing_invoice"."id" DESC'
)


def _page_rows(ids: QuerySet[Invoice], today: datetime.date) -> list[tuple[Any, ...]]:
    """The rows of the page whose ids ``ids`` picks (in its order, at most PAGE_SIZE + 1), as
    ``ROW_FIELDS`` tuples, newest first; the shown status is the Python form of the rule.

    The ORM writes the query that picks the page's ids (the filters, the workspace's scope,
    the keyset: the invoice table's indexes alone); the rows, their client's and engagement's
    names are read for those ids by one SQL statement written here, once (``core.rawsql``).
    The same rows as a queryset of ``filter(pk__in=...)`` with ``client__name`` and the shown
    status annotated: building and compiling that cost more than running it (issue 19).
    """
    chosen = ids.values_list("pk")[: PAGE_SIZE + 1]
    chosen._check_scope()  # type: ignore[attr-defined]  # the tenant queryset's refusal
    try:
        sql, params = chosen.query.get_compiler(using=chosen.db).as_sql()
    except EmptyResultSet:  # a filter that matches nothing, known without asking
        return []
    rows = rawsql.fetch(
        connections[chosen.db], _PAGE_SQL_HEAD + sql + _PAGE_SQL_TAIL, params, _PAGE_FIELDS
    )
    for values in rows:
        values[_STATUS_AT] = str(shown_status_of(values[_STATUS_AT], values[_DUE_AT], today))
    return [tuple(values) for values in rows]


def _paged(rows: list[dict[str, Any]], after: int | None, before: int | None) -> InvoicePage:
    """The page of rows (at most PAGE_SIZE + 1 read, in the shown order) and its links."""
    if before is not None:
        has_newer = len(rows) > PAGE_SIZE
        rows = rows[-PAGE_SIZE:]
        return InvoicePage(
            rows, rows[-1]["pk"] if rows else None, rows[0]["pk"] if has_newer else None
        )
    has_older = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return InvoicePage(
        rows,
        rows[-1]["pk"] if has_older and rows else None,
        rows[0]["pk"] if after is not None and rows else None,
    )


def _sorted_page(
    invoices: QuerySet[Invoice],
    today: datetime.date,
    key: str,
    descending: bool,
    after: int | None,
    before: int | None,
) -> InvoicePage:
    keyed = invoices.with_shown_status(today).annotate(  # type: ignore[attr-defined]
        sort_key=_sort_expression(key)
    )
    cursor = after if after is not None else before
    backwards = before is not None
    # Reading backwards (the "Newer" link) walks the same order the other way.
    down = descending != backwards
    if cursor is not None:
        value = keyed.filter(pk=cursor).values_list("sort_key", flat=True).first()
        if value is None:
            cursor = None
        elif down:
            keyed = keyed.filter(Q(sort_key__lt=value) | Q(sort_key=value, pk__lt=cursor))
        else:
            keyed = keyed.filter(Q(sort_key__gt=value) | Q(sort_key=value, pk__gt=cursor))
    order = ("-sort_key", "-pk") if down else ("sort_key", "pk")
    chosen = keyed.order_by(*order).values("pk")[: PAGE_SIZE + 1]
    shown = ("-sort_key", "-pk") if descending else ("sort_key", "pk")
    values = (
        Invoice.objects.filter(pk__in=chosen)
        .with_shown_status(today)
        .annotate(sort_key=_sort_expression(key))
        .order_by(*shown)
        .values_list(*ROW_FIELDS)
    )
    rows = [_row(value) for value in values]
    if cursor is None:
        return _paged(rows, None, None)
    if backwards:
        # The PAGE_SIZE + 1 rows nearest the cursor, in the shown order: the extra one (if
        # any) is the first, and means there is a newer page.
        return _paged(rows, None, before)
    return _paged(rows, after, None)


def totals_by_currency(invoices: QuerySet[Invoice]) -> list[dict[str, Any]]:
    """The filtered set's count and total per currency (never summed across currencies)."""
    from django.db.models import Count, Sum

    totals = (
        invoices.order_by()
        .values("currency")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("currency")
    )
    return [
        {
            "currency": t["currency"],
            "count": t["count"],
            "total": format_money(t["total"], t["currency"]),
        }
        for t in totals
    ]


def _row(value: tuple[Any, ...]) -> dict[str, Any]:
    (
        pk,
        public_id,
        number,
        status,
        amount,
        currency,
        due,
        client,
        engagement,
        issued,
        paid_at,
        description,
        paid_amount,
        credited_amount,
    ) = value
    owes_part = (paid_amount or credited_amount) and status in PAYABLE
    return {
        "balance": format_money(amount - paid_amount - credited_amount, currency)
        if owes_part
        else "",
        "pk": pk,
        "public_id": public_id,
        "label": number or f"Draft {draft_reference(public_id)}",
        "status": status,
        "status_label": _STATUS_LABELS.get(status, status),
        "amount": format_money(amount, currency),
        "due_date": due,
        "client": client,
        "engagement": engagement,
        "issue_date": issued,
        "paid_at": paid_at,
        "description": description,
    }


def get_invoice(public_id: object, workspace: Workspace | None = None) -> Invoice:
    """The current workspace's invoice; given the ``workspace`` object already in hand (the
    request's, whose scope this is), its row (some thirty columns, the logo among them) is not
    read again, and the read is compiled once (``core.prepared``: the invoice page)."""
    if workspace is None:
        invoice = (
            Invoice.objects.select_related("client", "engagement", "workspace")
            .filter(public_id=public_id)
            .first()
        )
    else:
        try:
            key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
        except ValueError:
            raise Http404("No such invoice.") from None
        found = prepared.run_one(_INVOICE, (workspace.pk, key))
        invoice = found[0] if found else None
    if invoice is None:
        raise Http404("No such invoice.")
    if workspace is not None:
        invoice.workspace = workspace
    return invoice


# ``Invoice.objects`` in the workspace's scope, by the unique public id (no ORDER BY).
_INVOICE: PreparedRead[Invoice] = PreparedRead(
    lambda workspace_id, public_id: (
        Invoice.unscoped.select_related("client", "engagement")
        .filter(workspace_id=workspace_id, public_id=public_id)
        .order_by()[:1]
    ),
    keys=(prepared.INT_KEY, prepared.UUID_KEY),
)


def invoices_of_engagement(engagement: Any) -> QuerySet[Invoice]:
    return Invoice.objects.filter(engagement=engagement).select_related("client").order_by("-pk")


CSV_HEADER = [
    "number",
    "status",
    "client",
    "engagement",
    "amount",
    "currency",
    "description",
    "issue_date",
    "due_date",
    "paid_at",
    "created_at",
    "amount_paid",
    "balance_due",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(invoices: QuerySet[Invoice], today: datetime.date) -> Iterator[str]:
    """The CSV export, one line at a time (flat memory however many invoices)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    values = invoices.order_by("-pk").values_list(
        "public_id",
        "number",
        "status",
        "due_date",
        "client__name",
        "engagement__name",
        "amount",
        "paid_amount",
        "credited_amount",
        "currency",
        "description",
        "issue_date",
        "paid_at",
        "created_at",
    )
    for (
        public_id,
        number,
        status,
        due,
        client,
        engagement,
        amount,
        paid,
        credited,
        currency,
        description,
        issued,
        paid_at,
        created_at,
    ) in values.iterator(chunk_size=2000):
        owed = max(amount - paid - credited, 0) if status in OWED_STATUSES else 0
        status = shown_status_of(status, due, today)
        yield writer.writerow(
            [
                number or f"Draft {draft_reference(public_id)}",
                InvoiceStatus(status).label,
                client,
                engagement or "",
                format_plain(amount, currency),
                currency,
                _safe_cell(description),
                issued or "",
                due or "",
                paid_at.isoformat() if paid_at else "",
                created_at.isoformat(),
                format_plain(paid, currency),
                format_plain(owed, currency),
            ]
        )


def _safe_cell(text: str) -> str:
    """Keep spreadsheets from running a description as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def last_gbp_rate() -> Decimal | None:
    """The sterling rate entered on the workspace's latest invoice that has one (the default)."""
    return (
        Invoice.objects.exclude(gbp_rate=None)
        .order_by("-pk")
        .values_list("gbp_rate", flat=True)
        .first()
    )


def recorded_payments_of(invoice: Invoice) -> list[RecordedPayment]:
    """The invoice's payments recorded by hand, deleted ones included (they show as deleted)."""
    return list(
        RecordedPayment.unscoped.filter(invoice=invoice)
        .select_related("recorded_by", "deleted_by")
        .order_by("received_on", "pk")
    )
