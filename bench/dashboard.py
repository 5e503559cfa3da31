"""The dashboard at 200,000 invoices and 150,000 payments: its queries, and its selectors
against hand-written SQL that computes the same figures.

Run with ``bash bench/run dashboard`` (or ``.venv/bin/python -m bench.dashboard`` from the repo
root). ``BENCH_VERBOSE=1`` also prints the medians, the queries and EXPLAIN ANALYZE of both.
"""

from __future__ import annotations

import datetime
import os
import sys
from collections import defaultdict
from typing import Any

from bench.common import Results, detail, interleaved, note, setup_django

ROUNDS = int(os.environ.get("BENCH_DASHBOARD_ROUNDS", "30"))
RATIO_LIMIT = 1.5
# The heaviest preset: the period's figures and the chart then both cover 12 months.
RANGE = "last_12_months"
STATUSES = ("draft", "sent", "overdue", "paid", "void", "refunded", "processing", "partially_paid")
AGEING = ("current", "1_30", "31_60", "61_90", "90_plus")


def main() -> int:
    setup_django()
    from bench.dashboard_data import DASH, DASH_SMALL, TODAY, ensure_dashboard_data

    tenants = ensure_dashboard_data()
    big, small = tenants[DASH.slug], tenants[DASH_SMALL.slug]
    results = Results()
    for tenant in (big, small):
        check_same_figures(tenant.workspace, TODAY)
    queries_target(results, big, small, TODAY)
    sql_target(results, big, TODAY)
    return results.exit_code


# ---------------------------------------------------------------------------------------------
# The two sides: both return the figures as the JSON of /dashboard/summary.json.


def selector_figures(workspace: Any, today: datetime.date) -> dict[str, Any]:
    """What the dashboard's views compute: ``selectors.dashboard`` in the workspace's scope."""
    from secportal.analytics import selectors
    from secportal.core.tenancy import use_workspace

    with use_workspace(workspace.pk):
        period = selectors.preset_period(RANGE, today)
        return selectors.dashboard(workspace, period, today).as_json()


# Every statement takes: ws, tz, today, start/end (the period's first and last day) and
# m_start/m_end (the chart: first day of the month 11 months ago, first of next month).
# Bounds are local midnights: day::timestamp AT TIME ZONE tz.

_SQL_OPEN = """
SELECT currency,
       coalesce(sum(amount - credited_amount - paid_amount) FILTER (WHERE status IN ('sent', 'partially_paid', 'overdue', 'processing')), 0),
       count(*) FILTER (WHERE status IN ('sent', 'partially_paid', 'overdue', 'processing')),
       coalesce(sum(amount - credited_amount - paid_amount) FILTER (WHERE status = 'overdue' OR status IN ('sent', 'partially_paid') AND due_date < %(today)s), 0),
       count(*) FILTER (WHERE status = 'overdue' OR status IN ('sent', 'partially_paid') AND due_date < %(today)s),
       coalesce(sum(amount - credited_amount - paid_amount) FILTER (WHERE status IN ('sent', 'partially_paid', 'overdue', 'processing') AND (due_date >= %(today)s OR due_date IS NULL)), 0),
       count(*) FILTER (WHERE status IN ('sent', 'partially_paid', 'overdue', 'processing') AND (due_date >= %(today)s OR due_date IS NULL)),
       coalesce(sum(amount - credited_amount - paid_amount) FILTER (WHERE status IN ('sent', 'partially_paid', 'overdue', 'processing') AND %(today)s - due_date BETWEEN 1 AND 30), 0),
       count(*) FILTER (WHERE status IN ('sent', 'partially_paid', 'overdue', 'processing') AND %(today)s - due_date BETWEEN 1 AND 30),
       coalesce(sum(amount - credited_amount - paid_amount) FILTER (WHERE status IN ('sent', 'partially_paid', 'overdue', 'processing') AND %(today)s - due_date BETWEEN 31 AND 60), 0),
       count(*) FILTER (WHERE status IN ('sent', 'partially_paid', 'overdue', 'processing') AND %(today)s - due_date BETWEEN 31 AND 60),
       coalesce(sum(amount - credited_amount - paid_amount) FILTER (WHERE status IN ('sent', 'partially_paid', 'overdue', 'processing') AND %(today)s - due_date BETWEEN 61 AND 90), 0),
       count(*) FILTER (WHERE status IN ('sent', 'partially_paid', 'overdue', 'processing') AND %(today)s - due_date BETWEEN 61 AND 90),
       coalesce(sum(amount - credited_amount - paid_amount) FILTER (WHERE status IN ('sent', 'partially_paid', 'overdue', 'processing') AND %(today)s - due_date > 90), 0),
       count(*) FILTER (WHERE status IN ('sent', 'partially_paid', 'overdue', 'processing') AND %(today)s - due_date > 90),
       count(*) FILTER (WHERE status = 'draft'),
       count(*) FILTER (WHERE status = 'sent' AND (due_date >= %(today)s OR due_date IS NULL)),
       count(*) FILTER (WHERE status = 'overdue' OR status IN ('sent', 'partially_paid') AND due_date < %(today)s),
       count(*) FILTER (WHERE status = 'paid'),
       count(*) FILTER (WHERE status = 'void'),
       count(*) FILTER (WHERE status = 'refunded'),
       count(*) FILTER (WHERE status = 'processing'),
       count(*) FILTER (WHERE status = 'partially_paid' AND (due_date >= %(today)s OR due_date IS NULL)),
       coalesce(sum(amount - credited_amount - paid_amount) FILTER (WHERE status = 'processing'), 0),
       coalesce(sum(credited_amount - refunded_amount) FILTER (WHERE status = 'paid' AND credited_amount > refunded_amount), 0),
       count(*) FILTER (WHERE status = 'paid' AND credited_amount > refunded_amount)
FROM invoicing_invoice
WHERE workspace_id = %(ws)s
GROUP BY currency
"""  # noqa: E501

# The period's payments joined to their invoices once, summed per currency and client; the
# currency totals and the top 5 clients (revenue net of the period's refunds and lost disputes)
# both come from it.
_SQL_PERIOD = """
WITH paid AS (
    SELECT p.currency, i.client_id, p.amount, p.application_fee AS fee,
           (p.paid_at AT TIME ZONE %(tz)s)::date - (i.sent_at AT TIME ZONE %(tz)s)::date AS days
    FROM payments_payment p JOIN invoicing_invoice i ON i.id = p.invoice_id
    WHERE p.workspace_id = %(ws)s AND NOT p.duplicate
      AND p.paid_at >= (%(start)s::date::timestamp AT TIME ZONE %(tz)s)
      AND p.paid_at < ((%(end)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
), refunded AS (
    SELECT r.currency, i.client_id, r.amount, r.fee_refunded AS fee
    FROM payments_refund r
         JOIN payments_payment p ON p.id = r.payment_id
         JOIN invoicing_invoice i ON i.id = p.invoice_id
    WHERE r.workspace_id = %(ws)s AND NOT p.duplicate AND r.status IN ('pending', 'succeeded')
      AND r.refunded_at >= (%(start)s::date::timestamp AT TIME ZONE %(tz)s)
      AND r.refunded_at < ((%(end)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
), lost AS (
    SELECT d.currency, i.client_id, d.amount
    FROM payments_dispute d
         JOIN payments_payment p ON p.id = d.payment_id
         JOIN invoicing_invoice i ON i.id = p.invoice_id
    WHERE d.workspace_id = %(ws)s AND NOT p.duplicate AND d.status = 'lost'
      AND d.closed_at >= (%(start)s::date::timestamp AT TIME ZONE %(tz)s)
      AND d.closed_at < ((%(end)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
), per_client AS (
    SELECT currency, client_id, sum(paid) AS paid, sum(fees) AS fees, count(days) AS n,
           sum(days) AS days, sum(refunds) AS refunds, sum(fees_refunded) AS fees_refunded,
           sum(disputes) AS disputes
    FROM (
        SELECT currency, client_id, amount AS paid, fee AS fees, days,
               0 AS refunds, 0 AS fees_refunded, 0 AS disputes
        FROM paid
        UNION ALL
        SELECT currency, client_id, 0, 0, NULL, amount, fee, 0 FROM refunded
        UNION ALL
        SELECT currency, client_id, 0, 0, NULL, 0, 0, amount FROM lost
    ) AS moves
    GROUP BY currency, client_id
), ranked AS (
    SELECT pc.currency, c.public_id, c.name, pc.paid - pc.refunds - pc.disputes AS revenue,
           row_number() OVER (
               PARTITION BY pc.currency
               ORDER BY pc.paid - pc.refunds - pc.disputes DESC, c.name COLLATE "C"
           ) AS rank
    FROM per_client pc JOIN clients_client c ON c.id = pc.client_id
    WHERE pc.paid > 0 AND pc.paid - pc.refunds - pc.disputes > 0
)
SELECT currency, NULL::uuid, NULL, sum(paid), sum(fees), sum(n),
       sum(days)::numeric / nullif(sum(n), 0), sum(refunds), sum(fees_refunded), sum(disputes)
FROM per_client GROUP BY currency
UNION ALL
SELECT currency, public_id, name, revenue, NULL, rank, NULL, NULL, NULL, NULL
FROM ranked WHERE rank <= 5
"""

# Revenue by month of the chart: payments in, refunds and lost disputes out, by local month.
_SQL_MONTHLY = """
SELECT currency, date_trunc('month', at AT TIME ZONE %(tz)s)::date AS month, sum(amount)
FROM (
    SELECT p.currency, p.paid_at AS at, p.amount
    FROM payments_payment p
    WHERE p.workspace_id = %(ws)s AND NOT p.duplicate
      AND p.paid_at >= (%(m_start)s::date::timestamp AT TIME ZONE %(tz)s)
      AND p.paid_at < (%(m_end)s::date::timestamp AT TIME ZONE %(tz)s)
    UNION ALL
    SELECT r.currency, r.refunded_at, -r.amount
    FROM payments_refund r JOIN payments_payment p ON p.id = r.payment_id
    WHERE r.workspace_id = %(ws)s AND NOT p.duplicate AND r.status IN ('pending', 'succeeded')
      AND r.refunded_at >= (%(m_start)s::date::timestamp AT TIME ZONE %(tz)s)
      AND r.refunded_at < (%(m_end)s::date::timestamp AT TIME ZONE %(tz)s)
    UNION ALL
    SELECT d.currency, d.closed_at, -d.amount
    FROM payments_dispute d JOIN payments_payment p ON p.id = d.payment_id
    WHERE d.workspace_id = %(ws)s AND NOT p.duplicate AND d.status = 'lost'
      AND d.closed_at >= (%(m_start)s::date::timestamp AT TIME ZONE %(tz)s)
      AND d.closed_at < (%(m_end)s::date::timestamp AT TIME ZONE %(tz)s)
) AS moves
GROUP BY 1, 2
"""

SQL_STATEMENTS = {"open": _SQL_OPEN, "period": _SQL_PERIOD, "monthly": _SQL_MONTHLY}


def _months(today: datetime.date) -> list[datetime.date]:
    """The first days of the current month and the 11 before it, oldest first."""
    index = today.year * 12 + today.month - 1
    return [datetime.date((index - n) // 12, (index - n) % 12 + 1, 1) for n in range(11, -1, -1)]


def sql_params(workspace: Any, today: datetime.date) -> dict[str, Any]:
    months = _months(today)
    following = today.year * 12 + today.month  # the month after today's, as an index
    return {
        "ws": workspace.pk,
        "tz": workspace.timezone,
        "today": today,
        # last_12_months: from the first day of the month 11 months ago to today.
        "start": months[0],
        "end": today,
        "m_start": months[0],
        "m_end": datetime.date(following // 12, following % 12 + 1, 1),
    }


def sql_figures(workspace: Any, today: datetime.date) -> dict[str, Any]:
    """The same figures from the hand-written SQL, in the same JSON shape."""
    from django.db import connection

    params = sql_params(workspace, today)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for name, statement in SQL_STATEMENTS.items():
            cursor.execute(statement, params)
            rows[name] = cursor.fetchall()
    return _assemble(workspace, today, rows)


def _assemble(
    workspace: Any, today: datetime.date, rows: dict[str, list[tuple[Any, ...]]]
) -> dict[str, Any]:
    months = _months(today)
    figures: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in rows["open"]:
        f = figures[row[0]]
        f["outstanding"] = {"amount": row[1], "count": row[2]}
        f["overdue"] = {"amount": row[3], "count": row[4]}
        f["ageing"] = {
            key: {"amount": row[5 + 2 * n], "count": row[6 + 2 * n]} for n, key in enumerate(AGEING)
        }
        f["status_counts"] = dict(zip(STATUSES, row[15:23], strict=True))
        f["processing"] = {"amount": row[23], "count": row[21]}
        f["credits_owed"] = {"amount": row[-2], "count": row[-1]}  # the last two columns
    tops: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for currency, public_id, name, gross, fees, n, days, refunds, fees_refunded, lost in sorted(
        rows["period"], key=lambda row: (row[0], row[5] if row[1] else 0)
    ):
        if public_id is not None:  # a top client (n is its rank), in rank order
            tops[currency].append({"client": str(public_id), "name": name, "revenue": int(gross)})
            continue
        f = figures[currency]
        f["gross"], f["refunds"], f["payment_count"] = int(gross), int(refunds), int(n)
        f["disputes_lost"] = int(lost)
        f["fees"] = int(fees) - int(fees_refunded)
        f["avg_days_to_pay"] = None if days is None else round(float(days), 1)
    monthly: dict[str, dict[datetime.date, int]] = defaultdict(dict)
    for currency, month, total in rows["monthly"]:
        monthly[currency][month] = int(total)

    default = workspace.default_currency
    currencies = {}
    totals = dict.fromkeys(STATUSES, 0)
    for currency in [default] + [c for c in ("GBP", "USD", "EUR") if c != default]:
        f = figures.get(currency, {})
        zero = {"amount": 0, "count": 0}
        gross, refunds = f.get("gross", 0), f.get("refunds", 0)
        lost = f.get("disputes_lost", 0)
        fees = f.get("fees", 0)
        by_month = monthly.get(currency, {})
        chart = [{"month": f"{m:%Y-%m}", "revenue": by_month.get(m, 0)} for m in months]
        counts = f.get("status_counts", dict.fromkeys(STATUSES, 0))
        for status, n in counts.items():
            totals[status] += n
        outstanding = f.get("outstanding", zero)
        # Shown when there is anything to show, as the dashboard decides.
        active = (
            any(n for s, n in counts.items() if s != "draft")
            or gross
            or refunds
            or lost
            or any(m["revenue"] for m in chart)
            or outstanding["count"]
        )
        if not active:
            continue
        currencies[currency] = {
            "revenue": gross - refunds - lost,
            "gross": gross,
            "refunds": refunds,
            "disputes_lost": lost,
            "platform_fees": fees,
            "net": gross - refunds - lost - fees,
            "payment_count": f.get("payment_count", 0),
            "avg_days_to_pay": f.get("avg_days_to_pay"),
            "top_clients": tops.get(currency, []),
            "this_month_revenue": chart[-1]["revenue"],
            "monthly": chart,
            "outstanding": outstanding,
            "overdue": f.get("overdue", zero),
            "processing": f.get("processing", zero),
            "ageing": f.get("ageing", {key: zero for key in AGEING}),
            "status_counts": counts,
            "credits_owed": f.get("credits_owed", zero),
        }
    return {"currencies": currencies, "status_counts": totals}


def _comparable(figures: dict[str, Any]) -> dict[str, Any]:
    return {"currencies": figures["currencies"], "status_counts": figures["status_counts"]}


def check_same_figures(workspace: Any, today: datetime.date) -> None:
    """The comparison is only fair if both compute the same figures: check every one."""
    ours = _comparable(selector_figures(workspace, today))
    theirs = sql_figures(workspace, today)
    # The average of days is a float rounded to 0.1 on both sides (the selector averages an
    # interval, the SQL an integer): allow a rounding step, compare everything else exactly.
    for side in (ours, theirs):
        for f in side["currencies"].values():
            f["_days"] = f.pop("avg_days_to_pay")
    for currency in ours["currencies"].keys() | theirs["currencies"].keys():
        a = ours["currencies"].get(currency, {}).get("_days")
        b = theirs["currencies"].get(currency, {}).get("_days")
        if (a is None) != (b is None) or (a is not None and abs(a - b) > 0.11):
            raise SystemExit(f"{workspace.slug} {currency}: avg days to pay {a} vs SQL {b}")
    for side in (ours, theirs):
        for f in side["currencies"].values():
            f.pop("_days")
    if ours != theirs:
        for currency in ours["currencies"].keys() | theirs["currencies"].keys():
            a, b = ours["currencies"].get(currency, {}), theirs["currencies"].get(currency, {})
            for key in a.keys() | b.keys():
                if a.get(key) != b.get(key):
                    note(f"{currency} {key}: selectors {a.get(key)!r} vs SQL {b.get(key)!r}")
        raise SystemExit(f"{workspace.slug}: the SQL's figures differ from the selectors'")
    shown = ", ".join(
        f"{c} revenue {f['revenue']} from {f['payment_count']} payments"
        for c, f in ours["currencies"].items()
    )
    note(f"{workspace.slug}: the SQL's figures equal the selectors' ({shown})")


# ---------------------------------------------------------------------------------------------
# Targets


def queries_target(results: Results, big: Any, small: Any, today: datetime.date) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for tenant in (big, small):
        selector_figures(tenant.workspace, today)  # warm: the workspace's settings, etc.
        with CaptureQueriesContext(connection) as captured:
            selector_figures(tenant.workspace, today)
        counts.append(len(captured.captured_queries))
        for query in captured.captured_queries:
            detail(f"{tenant.spec.slug} ({query['time']} s): {query['sql'][:200]}")
    n_big, n_small = counts
    results.emit(
        "dashboard_queries",
        str(n_big),
        f"fixed, same as {small.spec.invoices}-invoice workspace",
        n_big == n_small,
    )
    if n_big != n_small:
        note(f"dashboard_queries: {n_big} with {big.spec.invoices} invoices, {n_small} with 10")


def sql_target(results: Results, big: Any, today: datetime.date) -> None:
    workspace = big.workspace
    note(
        f"dashboard_vs_sql: selectors.dashboard ({RANGE}, today {today}) against the "
        f"hand-written SQL, {ROUNDS} interleaved rounds"
    )
    sql_s, selectors_s = interleaved(
        lambda: sql_figures(workspace, today),
        lambda: selector_figures(workspace, today),
        ROUNDS,
        warmup=3,
    )
    detail(f"dashboard: SQL {sql_s * 1000:.1f} ms, selectors {selectors_s * 1000:.1f} ms")
    ok = results.ratio("dashboard_vs_sql", selectors_s / sql_s, "<=", RATIO_LIMIT)
    if not ok or os.environ.get("BENCH_VERBOSE"):
        explain(workspace, today)


def explain(workspace: Any, today: datetime.date) -> None:
    """Per statement, on stderr: the selectors' queries and the SQL's, with their times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        selector_figures(workspace, today)
    with connection.cursor() as cursor:
        statements: list[tuple[str, str, dict[str, Any] | None]] = [
            ("selectors", q["sql"], None) for q in captured.captured_queries
        ]
        params = sql_params(workspace, today)
        statements += [(f"sql {n}", s, params) for n, s in SQL_STATEMENTS.items()]
        for label, statement, args in statements:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", args)
            plan = [row[0] for row in cursor.fetchall()]
            total = next((line for line in plan if line.startswith("Execution Time")), "")
            note(f"{label}: {total}: {' '.join(statement.split())[:150]}")
            for line in plan:
                detail(f"    {line}")


if __name__ == "__main__":
    sys.exit(main())
