"""Payments end to end: from the webhook POST to the invoice Paid and both emails handed to an
SMTP server, processed by the real task worker (``db_worker``), with 1 and then 2 workers.

Run with ``bash bench/run payments_e2e``. For each run, ``EVENTS`` sent invoices with an open
checkout get a signed ``checkout.session.completed`` POSTed to ``/stripe/webhook/`` (stored and
queued), then N ``db_worker --batch`` processes drain every queue: the event task (payment,
invoice Paid, history, two emails queued in the outbox; after the commit both are sent on the
worker's kept-open connection to the SMTP server the benchmark runs). The same worker also
drains ``EVENTS`` minimal tasks (one INSERT each) through the same backend. Exactly-once is
checked after each run.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Results, ensure_database, note

SETTINGS = "bench.e2e_settings"
EVENTS = int(os.environ.get("BENCH_E2E_EVENTS", "200"))
COST_LIMIT = 3.0
SCALING_LIMIT = 1.5
TIMEOUT = 600


def main() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        smtp_port = sock.getsockname()[1]
    os.environ["BENCH_SMTP_PORT"] = str(smtp_port)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    ensure_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from secportal.notifications import mailcatcher

    results = Results()
    with tempfile.TemporaryDirectory() as tmp:
        mailbox = Path(tmp) / "mailbox"
        catcher = mailcatcher.start(mailbox, "127.0.0.1", smtp_port)
        try:
            minimal_s = _minimal(EVENTS)
            runs = {workers: _payments(EVENTS, workers, mailbox) for workers in (1, 2)}
        finally:
            catcher.stop()
    one, two = runs[1], runs[2]
    note(
        f"{EVENTS} events: 1 worker {one['seconds']:.1f} s, 2 workers {two['seconds']:.1f} s; "
        f"{EVENTS} minimal tasks: {minimal_s:.1f} s"
    )
    results.ratio(
        "payments_worker_cost_vs_insert_task", one["seconds"] / minimal_s, "<=", COST_LIMIT
    )
    results.ratio(
        "payments_two_workers_scaling", one["seconds"] / two["seconds"], ">=", SCALING_LIMIT
    )
    problems = one["problems"] + two["problems"]
    for problem in problems:
        note(f"exactly-once: {problem}")
    results.emit(
        "payments_exactly_once",
        "every invoice paid once, every email sent once" if not problems else problems[0],
        f"all {2 * EVENTS} invoices and {4 * EVENTS} emails",
        not problems,
    )
    return results.exit_code


def _workers(count: int) -> float:
    """Run ``count`` db_worker processes until every queue is empty; seconds taken."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": os.pathsep.join(filter(None, [os.getcwd(), *sys.path])),
    }
    command = [
        *(sys.executable, "-m", "django", "db_worker", "--batch", "--queue-name", "*"),
        *("--no-startup-delay", "--interval", "0.05", "--no-reload"),
    ]
    start = time.perf_counter()
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(count)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=TIMEOUT)
        if process.returncode != 0:
            raise SystemExit(f"db_worker failed: {err.decode()[-2000:]}")
    return time.perf_counter() - start


def _minimal(count: int) -> float:
    from django.db import connection, transaction

    from bench.e2e_tasks import SINK_TABLE, insert_row

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {SINK_TABLE} (n integer NOT NULL)")
        cursor.execute(f"TRUNCATE {SINK_TABLE}")
    with transaction.atomic():
        for n in range(count):
            insert_row.enqueue(n)
    seconds = _workers(1)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {SINK_TABLE}")
        (rows,) = cursor.fetchone()
    if rows != count:
        raise SystemExit(f"the minimal task wrote {rows} rows of {count}")
    return seconds


def _payments(count: int, workers: int, mailbox: Path) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    from bench.webhooks import prepare_invoices, prepare_workspace, session_event
    from secportal.notifications import mailcatcher

    tenant = prepare_workspace()
    run = f"e2e{workers}_{int(time.time())}"
    invoices = prepare_invoices(tenant, count, run)
    before = len(mailcatcher.read_mailbox(mailbox))
    secret = settings.STRIPE_WEBHOOK_SECRETS[0]
    browser = Client()
    start = time.perf_counter()
    for n, invoice in enumerate(invoices):
        body = json.dumps(session_event(invoice, run, n)).encode()
        stamp = int(time.time())
        mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
        response = browser.post(
            "/stripe/webhook/",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": f"t={stamp},v1={mac.hexdigest()}"},
        )
        if response.status_code != 200:
            raise SystemExit(f"the webhook answered {response.status_code}")
    posted = time.perf_counter() - start
    seconds = _workers(workers)
    note(f"{workers} worker(s): POSTs {posted:.1f} s, then the workers {seconds:.1f} s")
    sent = len(mailcatcher.read_mailbox(mailbox)) - before
    return {"seconds": seconds, "problems": _check(invoices, sent)}


def _check(invoices: list[Any], sent: int) -> list[str]:
    from django.db.models import Count

    from secportal.invoicing.models import Invoice
    from secportal.notifications.models import EmailMessage
    from secportal.payments.models import Payment

    ids = [i.id for i in invoices]
    problems = []
    if n := Invoice.unscoped.filter(pk__in=ids).exclude(status="paid").count():
        problems.append(f"{n} invoices not paid")
    twice = (
        Payment.unscoped.filter(invoice_id__in=ids)
        .values("invoice_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    if twice or Payment.unscoped.filter(invoice_id__in=ids).count() != len(ids):
        problems.append(f"payments are not one per invoice ({twice} invoices paid twice)")
    emails = EmailMessage.objects.filter(invoice_id__in=ids)
    if emails.count() != 2 * len(ids) or emails.exclude(status="sent").exists():
        problems.append(f"{emails.count()} emails for {len(ids)} invoices, not all sent")
    if sent != 2 * len(ids):
        problems.append(f"the SMTP server received {sent} emails for {len(ids)} invoices")
    return problems


if __name__ == "__main__":
    raise SystemExit(main())
