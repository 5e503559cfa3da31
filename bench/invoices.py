"""Invoices at 200,000 rows: the list page, its queries, the CSV export's memory, overdue.

Run with ``bash bench/run invoices`` (or ``.venv/bin/python -m bench.invoices`` from the repo
root). ``BENCH_VERBOSE=1`` also prints the medians and other details on stderr.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

from bench.common import Results, detail, note, setup_django, signed_in_client

PAGE_ROUNDS = int(os.environ.get("BENCH_PAGE_ROUNDS", "120"))
PAGE_RATIO_LIMIT = 3.0
CSV_PEAK_LIMIT_MB = 150
OVERDUE_RUNS = 3
OVERDUE_RATIO_LIMIT = 3.0


def main() -> int:
    setup_django()
    from bench.data import BIG, SMALL, ensure_invoice_data

    tenants = ensure_invoice_data()
    big, small = tenants[BIG.slug], tenants[SMALL.slug]
    results = Results()
    # The page's time is measured against the signed-in floor in bench/pages.py.
    queries_target(results, big, small)
    csv_target(results, big)
    overdue_target(results, big)
    return results.exit_code


def _client(user: Any) -> Any:
    return signed_in_client(user)


def _getter(client: Any, url: str, rows: int | None = None) -> Any:
    """A function that GETs the page and checks that it answered (with ``rows`` table rows)."""

    def get() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        return response

    body = get().content.decode()
    shown = body.count("<tr>") - 1
    if rows is not None and shown != rows:
        raise SystemExit(f"GET {url} showed {shown} invoices, expected {rows}")
    return get


def queries_target(results: Results, big: Any, small: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for tenant in (big, small):
        get = _getter(_client(tenant.owner), "/invoices/")
        with CaptureQueriesContext(connection) as captured:
            get()
        counts.append(len(captured.captured_queries))
        for query in captured.captured_queries:
            detail(f"{tenant.spec.slug}: {query['sql'][:160]}")
    n_big, n_small = counts
    results.emit(
        "invoices_page_queries",
        f"{n_big} vs {n_small} ({big.spec.invoices} vs {small.spec.invoices} invoices)",
        "equal",
        n_big == n_small,
    )


def csv_target(results: Results, big: Any) -> None:
    """The export, consumed fully in a fresh process, which reports its peak RSS."""
    note("csv_export_peak_memory: exporting every invoice in a subprocess")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.getcwd(), *sys.path]))}
    # Through a shell that forks: a process exec'd straight from this one would inherit this
    # process's peak RSS in its own ru_maxrss (Linux keeps it across fork/vfork + exec).
    command = ["/bin/sh", "-c", '"$0" "$@"; exit $?', sys.executable, "-m", "bench.export_child"]
    completed = subprocess.run(
        [*command, big.owner.email],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        results.emit("csv_export_peak_memory", "export failed", f"< {CSV_PEAK_LIMIT_MB} MB", False)
        return
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    peak_mb = report["peak_kb"] / 1024
    increase_mb = (report["peak_kb"] - report["baseline_kb"]) / 1024
    from secportal.invoicing.models import Invoice

    # Every invoice of the workspace: the seed's and bench.pages' paid invoice beside them.
    rows_ok = report["rows"] == Invoice.unscoped.filter(workspace=big.workspace).count()
    detail(f"csv: {report}")
    results.emit(
        "csv_export_peak_memory",
        f"peak {peak_mb:.0f} MB, +{increase_mb:.0f} MB over baseline, "
        f"{report['rows']} rows{'' if rows_ok else ' (WRONG COUNT)'}",
        f"< {CSV_PEAK_LIMIT_MB} MB",
        rows_ok and peak_mb < CSV_PEAK_LIMIT_MB,
    )


class _Rollback(Exception):
    pass


def overdue_target(results: Results, big: Any) -> None:
    """mark_overdue(now) against a plain UPDATE of the same 200,000 rows, each rolled back."""
    from django.db import connection, transaction
    from django.utils import timezone

    from secportal.invoicing.models import Invoice, InvoiceEvent
    from secportal.invoicing.services import mark_overdue

    table = Invoice._meta.db_table
    # Later than every due date: all of bench-big's invoices, reset to Sent, are past due.
    now = timezone.now() + timedelta(days=400)
    today = now.date()
    # All of them: the seed's and bench.pages' paid invoice.
    expected = Invoice.unscoped.filter(workspace=big.workspace).count()

    def reset(cursor: Any) -> None:
        cursor.execute(
            f"UPDATE {table} SET status = 'sent', overdue_at = NULL, "
            "due_date = coalesce(due_date, created_at::date + 30) WHERE workspace_id = %s",
            [big.workspace.pk],
        )
        # Nothing else is Sent, so that both move exactly bench-big's invoices.
        cursor.execute(
            f"UPDATE {table} SET status = 'paid' WHERE status = 'sent' AND workspace_id <> %s",
            [big.workspace.pk],
        )

    def plain(cursor: Any) -> int:
        cursor.execute(
            f"UPDATE {table} SET status = 'overdue' WHERE status = 'sent' AND due_date < %s",
            [today],
        )
        return cursor.rowcount

    def task(cursor: Any) -> int:
        return mark_overdue(now)

    def timed(func: Any) -> float:
        """Reset, run and time ``func``, roll everything back, vacuum the dead rows away."""
        elapsed = 0.0
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                reset(cursor)
                start = time.perf_counter()
                moved = func(cursor)
                elapsed = time.perf_counter() - start
                if moved != expected:
                    raise SystemExit(f"{func.__name__} moved {moved} invoices, not {expected}")
                raise _Rollback
        except _Rollback:
            pass
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {table}, {InvoiceEvent._meta.db_table}")
        return elapsed

    note(f"overdue_vs_update: {OVERDUE_RUNS} runs each on {expected} sent, past-due invoices")
    times: dict[str, list[float]] = {"plain": [], "task": []}
    for i in range(OVERDUE_RUNS):
        order = (("plain", plain), ("task", task))
        for name, func in order if i % 2 == 0 else order[::-1]:
            times[name].append(timed(func))
    plain_s, task_s = statistics.median(times["plain"]), statistics.median(times["task"])
    detail(f"overdue: plain {times['plain']}, mark_overdue {times['task']}")
    results.ratio("overdue_vs_update", task_s / plain_s, "<", OVERDUE_RATIO_LIMIT)


if __name__ == "__main__":
    sys.exit(main())
