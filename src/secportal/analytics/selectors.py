"""The dashboard's figures: every aggregate runs in SQL, grouped by currency, never summed across.

Definitions (the dashboard's help text says the same):

- **Revenue collected** in a period = sum of ``Payment.amount`` of non-duplicate payments paid in
  the period - sum of ``Refund.amount`` of refunds of non-duplicate payments made in the period
  (Stripe's refunds that count: pending or succeeded, not failed or canceled).
  A refund reduces revenue in the month it happens, not in the month of the payment. Duplicate
  payments (a second payment of a paid invoice) are refunded automatically and never count; the
  excess of a part paid beyond the balance counts, and so does its automatic refund.
- **Recorded payments** in a period = payments recorded by hand (received outside Stripe, no
  platform fee) with their date in the period, deleted ones left out; shown apart from revenue
  collected through Stripe.
- **Platform fees** = sum of ``Payment.application_fee`` (same payments) - sum of
  ``Refund.fee_refunded`` (same refunds). **Net** = revenue - platform fees.
- **Average days to pay**: over the non-duplicate payments paid in the period, the calendar days
  between the invoice's send date and the payment date (both in the workspace's timezone).
- **Outstanding** = invoices sent, partially paid, overdue or processing (their balance due:
  total less credit notes and payments; count) as of today; **overdue** = shown
  status Overdue (stored overdue, or sent with a due date before today in the workspace's
  timezone). **Ageing** puts every outstanding invoice in one bucket by its due date: current
  (due today or later, or no due date), 1-30, 31-60, 61-90, 90+ days past due.
- **Credits owed back** = on paid invoices, credit notes not yet covered by refunds
  (``credited_amount - refunded_amount`` where positive), as of today. A credit note moves no
  money: revenue changes only when the refund is made. Invoiced (client and engagement money)
  is net of credit notes.
- Periods are calendar dates in the workspace's timezone, both ends included; "last 12 months"
  is the current month and the 11 before it (the chart's months).

The number of queries never depends on the data: a fixed handful per page, whatever the rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import TruncDate, TruncMonth

from secportal.clients.models import Client
from secportal.core.money import CURRENCIES
from secportal.engagements.models import Engagement
from secportal.invoicing.models import (
    OUTSTANDING,
    Invoice,
    InvoiceStatus,
    RecordedPayment,
    shown_as,
    shown_overdue,
)
from secportal.payments.models import COUNTED_REFUNDS, Dispute, DisputeStatus, Payment, Refund
from secportal.workspaces.models import Workspace

from .figures import (
    AGEING_BUCKETS,
    AGEING_SHORT,
    STATUS_KEYS,
    CurrencyFigures,
    Dashboard,
    MonthRevenue,
    PartyMoney,
    Tally,
    TopClient,
)
from .periods import (
    DEFAULT_RANGE,
    RANGE_CHOICES,
    RANGE_LABELS,
    Period,
    add_months,
    last_12_months,
    local_midnight,
    month_start,
    preset_period,
)

__all__ = [
    "AGEING_BUCKETS",
    "AGEING_SHORT",
    "DEFAULT_RANGE",
    "RANGE_CHOICES",
    "RANGE_LABELS",
    "CurrencyFigures",
    "Dashboard",
    "MonthRevenue",
    "PartyMoney",
    "Period",
    "Tally",
    "TopClient",
    "counts",
    "dashboard",
    "money_of",
    "month_start",
    "monthly_revenue",
    "open_invoice_figures",
    "preset_period",
]

# ---------------------------------------------------------------------------------------------
# Queries


def _sum(expression: Any, condition: Q | None = None) -> Sum:
    return Sum(expression, filter=condition, default=0)


def open_invoice_figures(workspace: Workspace, today: datetime.date) -> dict[str, dict[str, Any]]:
    """One query: outstanding, overdue, ageing and counts by shown status, per currency.

    It counts ``status`` (not ``id``) so that PostgreSQL answers from the covering index
    ``invoice_ws_figures`` alone (balances and credits owed included).
    """
    day = datetime.timedelta(days=1)
    outstanding = Q(status__in=OUTSTANDING)
    overdue = shown_overdue(today)
    processing = Q(status=InvoiceStatus.PROCESSING)
    buckets = {
        "current": outstanding & (Q(due_date__gte=today) | Q(due_date__isnull=True)),
        "1_30": outstanding & Q(due_date__lte=today - day, due_date__gte=today - 30 * day),
        "31_60": outstanding & Q(due_date__lte=today - 31 * day, due_date__gte=today - 60 * day),
        "61_90": outstanding & Q(due_date__lte=today - 61 * day, due_date__gte=today - 90 * day),
        "90_plus": outstanding & Q(due_date__lte=today - 91 * day),
    }
    owed = F("amount") - F("credited_amount") - F("paid_amount")  # the balance due
    aggregates: dict[str, Any] = {
        "outstanding_amount": _sum(owed, outstanding),
        "outstanding_count": Count("status", filter=outstanding),
        "overdue_amount": _sum(owed, overdue),
        "overdue_count": Count("status", filter=overdue),
        "processing_amount": _sum(owed, processing),
        "processing_count": Count("status", filter=processing),
    }
    for key, condition in buckets.items():
        aggregates[f"age_{key}_amount"] = _sum(owed, condition)
        aggregates[f"age_{key}_count"] = Count("status", filter=condition)
    for status in STATUS_KEYS:
        aggregates[f"status_{status}"] = Count("status", filter=shown_as(status, today))
    aggregates.update(_credits_owed())
    rows = (
        Invoice.objects.filter(workspace=workspace)
        .values("currency")
        .annotate(**aggregates)
        .order_by("currency")
    )
    return {row["currency"]: row for row in rows}


def _credits_owed() -> dict[str, Any]:
    """Credits on paid invoices not yet refunded: money owed back to clients (issue 15, 6).

    A paid invoice's credit notes are covered by its refunds first: owed back is
    ``credited_amount - refunded_amount`` where that is positive.
    """
    owed = Q(status=InvoiceStatus.PAID, credited_amount__gt=F("refunded_amount"))
    return {
        "credits_owed_amount": _sum(F("credited_amount") - F("refunded_amount"), owed),
        "credits_owed_count": Count("status", filter=owed),
    }


def _collected_in(
    workspace: Workspace, start: datetime.datetime, end: datetime.datetime, limit: int = 5
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], dict[str, list[TopClient]]]:
    """Three queries: the period's payments, and its refunds and lost disputes, grouped by
    currency and client; then the names of the top clients only.

    From those rows (one per client and currency, never per invoice) come the per-currency
    totals and the top clients, so the payments are joined to their invoices only once, and
    within the workspace's invoices (index ``invoice_ws_id_client_sent``: among 5M invoices a
    primary-key lookup per payment read the whole table's index, bench/platform.py); the
    clients are not joined per payment either (a hash of every client of the platform).
    A client's revenue is its payments in the period minus the refunds made in the period
    (whenever the refunded payment was made); clients with nothing collected are left out.
    """
    tz = workspace.tz
    days_to_pay = ExpressionWrapper(
        TruncDate("paid_at", tzinfo=tz) - TruncDate("invoice__sent_at", tzinfo=tz),
        output_field=DurationField(),
    )
    paid = (
        Payment.objects.filter(
            workspace=workspace,
            invoice__workspace=workspace,
            duplicate=False,
            paid_at__gte=start,
            paid_at__lt=end,
        )
        .values("currency", "invoice__client_id")
        .annotate(
            gross=_sum("amount"),
            fees=_sum("application_fee"),
            count=Count("id"),
            days=Sum(days_to_pay),
            days_count=Count(days_to_pay),
        )
        .order_by()
    )
    refunded = (
        Refund.objects.filter(
            workspace=workspace,
            payment__duplicate=False,
            status__in=COUNTED_REFUNDS,
            refunded_at__gte=start,
            refunded_at__lt=end,
        )
        .values("currency", "payment__invoice__client_id")
        .annotate(kind=Value("refund"), amount=_sum("amount"), fees=_sum("fee_refunded"))
        .order_by()
    )
    lost = (
        _lost_disputes(workspace)
        .filter(closed_at__gte=start, closed_at__lt=end)
        .values("currency", "payment__invoice__client_id")
        .annotate(kind=Value("dispute"), amount=_sum("amount"), fees=_sum(Value(0)))
        .order_by()
    )
    local_start, local_end = start.astimezone(tz).date(), end.astimezone(tz).date()
    recorded = (
        RecordedPayment.objects.filter(
            workspace=workspace,
            deleted_at__isnull=True,
            received_on__gte=local_start,
            received_on__lt=local_end,
        )
        .values("currency", "invoice__client_id")
        .annotate(kind=Value("recorded"), amount=_sum("amount"), fees=Count("id"))
        .order_by()
    )
    payments: dict[str, dict[str, Any]] = {}
    refunds: dict[str, dict[str, Any]] = {}
    by_client: dict[tuple[str, int], int] = {}
    # One query for the money that went back (refunds and lost disputes) and for the payments
    # recorded by hand (apart from Stripe's: no fee; ``fees`` carries their count there).
    for row in refunded.union(lost, recorded, all=True).order_by():
        totals = refunds.setdefault(
            row["currency"], {"amount": 0, "fees": 0, "disputes": 0, "recorded": 0, "n": 0}
        )
        if row["kind"] == "recorded":
            totals["recorded"] += row["amount"]
            totals["n"] += row["fees"]
            continue
        if row["kind"] == "dispute":
            totals["disputes"] += row["amount"]
        else:
            totals["amount"] += row["amount"]
            totals["fees"] += row["fees"]
        key = (row["currency"], row["payment__invoice__client_id"])
        by_client[key] = by_client.get(key, 0) + row["amount"]
    ranked: dict[str, list[tuple[int, int]]] = defaultdict(list)  # (revenue, client id)
    for row in paid:
        totals = payments.setdefault(
            row["currency"], {"gross": 0, "fees": 0, "count": 0, "days": None, "days_count": 0}
        )
        totals["gross"] += row["gross"]
        totals["fees"] += row["fees"]
        totals["count"] += row["count"]
        if row["days"] is not None:
            totals["days"] = row["days"] if totals["days"] is None else totals["days"] + row["days"]
            totals["days_count"] += row["days_count"]
        revenue = row["gross"] - by_client.get((row["currency"], row["invoice__client_id"]), 0)
        if revenue > 0:
            ranked[row["currency"]].append((revenue, row["invoice__client_id"]))
    for totals in payments.values():
        days, n = totals.pop("days"), totals.pop("days_count")
        totals["avg_days"] = days / n if days is not None and n else None
    return payments, refunds, _top_clients(workspace, ranked, limit)


def _top_clients(
    workspace: Workspace, ranked: dict[str, list[tuple[int, int]]], limit: int
) -> dict[str, list[TopClient]]:
    """The ``limit`` clients with the most revenue per currency, ties by name: the names of the
    candidates only (those at or above each currency's ``limit``-th revenue, ties included)
    read in one query, run even when there are none (the same number of queries whatever the
    data)."""
    candidates: dict[str, list[tuple[int, int]]] = {}
    for currency, rows in ranked.items():
        rows.sort(reverse=True)
        floor = rows[min(limit, len(rows)) - 1][0]
        candidates[currency] = [row for row in rows if row[0] >= floor]
    ids = {client_id for rows in candidates.values() for _, client_id in rows}
    found = Client.objects.filter(workspace=workspace)
    found = found.filter(pk__in=ids) if ids else found.filter(pk__isnull=True)
    clients = {
        pk: (str(public_id), name)
        for pk, public_id, name in found.values_list("pk", "public_id", "name")
    }
    tops = {}
    for currency, rows in candidates.items():
        tops[currency] = sorted(
            (TopClient(*clients[client_id], revenue) for revenue, client_id in rows),
            key=lambda c: (-c.revenue, c.name),
        )[:limit]
    return tops


def monthly_revenue(workspace: Workspace, today: datetime.date) -> dict[str, list[MonthRevenue]]:
    """Two queries: revenue collected by month (workspace's timezone), the last 12 months."""
    tz = workspace.tz
    months = last_12_months(today)
    start = local_midnight(months[0], tz)
    end = local_midnight(add_months(today, 1), tz)
    paid = (
        Payment.objects.filter(
            workspace=workspace, duplicate=False, paid_at__gte=start, paid_at__lt=end
        )
        .annotate(month=TruncMonth("paid_at", tzinfo=tz))
        .values("currency", "month")
        .annotate(total=_sum("amount"))
        .order_by()
    )
    refunded = (
        Refund.objects.filter(
            workspace=workspace,
            payment__duplicate=False,
            status__in=COUNTED_REFUNDS,
            refunded_at__gte=start,
            refunded_at__lt=end,
        )
        .annotate(month=TruncMonth("refunded_at", tzinfo=tz))
        .values("currency", "month")
        .annotate(total=_sum("amount"))
        .order_by()
    )
    lost = (
        _lost_disputes(workspace)
        .filter(closed_at__gte=start, closed_at__lt=end)
        .annotate(month=TruncMonth("closed_at", tzinfo=tz))
        .values("currency", "month")
        .annotate(total=_sum("amount"))
        .order_by()
    )
    totals: dict[str, dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    for rows, sign in ((paid, 1), (refunded.union(lost, all=True).order_by(), -1)):
        for row in rows:  # at most 12 months x currencies rows
            month = _month_key(row["month"], tz)
            totals[row["currency"]][month] += sign * row["total"]
    return {
        currency: [MonthRevenue(m, by_month.get(m, 0)) for m in months]
        for currency, by_month in totals.items()
    }


def _lost_disputes(workspace: Workspace) -> Any:
    """Disputes of real (not duplicate) payments that the client's bank won: money gone."""
    return Dispute.objects.filter(
        workspace=workspace, payment__duplicate=False, status=DisputeStatus.LOST
    )


def _month_key(value: datetime.date | datetime.datetime, tz: datetime.tzinfo) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(tz)
        return value.date().replace(day=1)
    return value.replace(day=1)


def dashboard(workspace: Workspace, period: Period, today: datetime.date) -> Dashboard:
    """Every figure of the dashboard: 6 queries, whatever the data."""
    start, end = period.bounds(workspace.tz)
    invoices = open_invoice_figures(workspace, today)
    payments, refunds, tops = _collected_in(workspace, start, end)
    months = monthly_revenue(workspace, today)

    status_counts = dict.fromkeys(STATUS_KEYS, 0)
    figures = []
    for currency in _currency_order(workspace):
        f = CurrencyFigures(currency)
        if row := invoices.get(currency):
            f.outstanding = Tally(row["outstanding_amount"], row["outstanding_count"])
            f.overdue = Tally(row["overdue_amount"], row["overdue_count"])
            f.processing = Tally(row["processing_amount"], row["processing_count"])
            f.ageing = {
                key: Tally(row[f"age_{key}_amount"], row[f"age_{key}_count"])
                for key, _ in AGEING_BUCKETS
            }
            f.status_counts = {status: row[f"status_{status}"] for status in STATUS_KEYS}
            for status, n in f.status_counts.items():
                status_counts[status] += n
            f.credits_owed = Tally(row["credits_owed_amount"], row["credits_owed_count"])
        if row := payments.get(currency):
            f.gross, f.fees_charged, f.payment_count = row["gross"], row["fees"], row["count"]
            f.avg_days_to_pay = _days(row["avg_days"])
        if row := refunds.get(currency):
            f.refunds, f.fees_refunded = row["amount"], row["fees"]
            f.disputes_lost = row["disputes"]
            f.recorded = Tally(row["recorded"], row["n"])
        f.monthly = months.get(currency) or [MonthRevenue(m) for m in last_12_months(today)]
        f.top_clients = tops.get(currency, [])
        if f.active:
            figures.append(f)
    return Dashboard(workspace, today, period, figures, status_counts)


def _days(value: datetime.timedelta | float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return round(value.total_seconds() / 86400, 1)
    return round(float(value) / 86_400_000_000, 1)  # microseconds, where there is no interval


def _currency_order(workspace: Workspace) -> list[str]:
    """The workspace's default currency first, then the others in a fixed order."""
    return [workspace.default_currency] + [c for c in CURRENCIES if c != workspace.default_currency]


def counts(workspace: Workspace) -> dict[str, int]:
    """The non-invoicing summary (every mode): how many clients and engagements."""
    return {
        "clients": Client.objects.filter(workspace=workspace).count(),
        "engagements": Engagement.objects.filter(workspace=workspace).count(),
    }


def money_of(
    workspace: Workspace,
    today: datetime.date,
    *,
    client: Client | None = None,
    engagement: Engagement | None = None,
) -> list[PartyMoney]:
    """Three queries: invoiced (not draft, not void, less credit notes), collected (net of
    refunds, all time),
    outstanding (sent + overdue) and overdue, per currency, for one client or engagement."""
    if (client is None) == (engagement is None):
        raise ValueError("Give a client or an engagement.")
    where = {"client": client} if client is not None else {"engagement": engagement}
    outstanding = Q(status__in=OUTSTANDING)
    invoices = (
        Invoice.objects.filter(workspace=workspace, **where)
        .values("currency")
        .annotate(
            invoiced=_sum(
                F("amount") - F("credited_amount"),
                ~Q(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.VOID]),
            ),
            outstanding=_sum(F("amount") - F("credited_amount") - F("paid_amount"), outstanding),
            overdue=_sum(
                F("amount") - F("credited_amount") - F("paid_amount"), shown_overdue(today)
            ),
        )
        .order_by("currency")
    )
    through = {f"invoice__{k}": v for k, v in where.items()}
    paid = (
        Payment.objects.filter(workspace=workspace, duplicate=False, **through)
        .values("currency")
        .annotate(total=_sum("amount"))
        .order_by("currency")
    )
    refunded = (
        Refund.objects.filter(
            workspace=workspace,
            payment__duplicate=False,
            status__in=COUNTED_REFUNDS,
            **{f"payment__{k}": v for k, v in through.items()},
        )
        .values("currency")
        .annotate(total=_sum("amount"))
        .order_by()
    )
    lost = (
        _lost_disputes(workspace)
        .filter(**{f"payment__{k}": v for k, v in through.items()})
        .values("currency")
        .annotate(total=_sum("amount"))
        .order_by()
    )
    result: dict[str, PartyMoney] = {}
    for row in invoices:
        money = result.setdefault(row["currency"], PartyMoney(row["currency"]))
        money.invoiced, money.outstanding, money.overdue = (
            row["invoiced"],
            row["outstanding"],
            row["overdue"],
        )
    for rows, sign in ((paid, 1), (refunded.union(lost, all=True).order_by(), -1)):
        for row in rows:
            money = result.setdefault(row["currency"], PartyMoney(row["currency"]))
            money.collected += sign * row["total"]
    order = _currency_order(workspace)
    return [
        result[c]
        for c in sorted(result, key=order.index)
        if result[c].invoiced or result[c].collected or result[c].outstanding
    ]
