"""Webhook ingestion with 4 concurrent senders, against a minimal INSERT view, under gunicorn.

Run with ``bash bench/run webhooks`` (or ``.venv/bin/python -m bench.webhooks`` from the repo
root). ``BENCH_VERBOSE=1`` also prints every round's rate and the queries of one event.

The app runs under gunicorn (``bench.webhook_settings``) on a free loopback port. Four sender
threads post signed ``checkout.session.completed`` events, each for its own invoice with an
open checkout attempt, so that processing marks it paid (payment, invoice event, two emails
and two tasks queued); the same senders post the same bodies to the minimal view. Rounds
alternate (ABBA); the target is the ratio of the median events/second.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from bench.common import Results, detail, ensure_database, note

SETTINGS = "bench.webhook_settings"
SENDERS = 4
ROUNDS = int(os.environ.get("BENCH_WEBHOOK_ROUNDS", "6"))
PER_ROUND = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "150"))
WARMUP = 20  # events per side before the measured rounds (each worker thread warms up)
RATIO_LIMIT = 0.3
# gunicorn: 2 processes (one per core) x 2 threads = 4 requests at once, one per sender.
SERVER_ARGS = ["--workers", "2", "--threads", "2", "--worker-class", "gthread"]
SLUG = "bench-webhooks"
ACCOUNT = "acct_bench_webhooks"
EVENT_PREFIX = "evt_bench_wh_"
WEBHOOK_URL = "/stripe/webhook/"
REQUEST_TIMEOUT = 30
SIDE_TIMEOUT = 300  # seconds for one round of one side, at most


def main() -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    ensure_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.conf import settings

    from bench.webhook_urls import MINIMAL_URL

    results = Results()
    secret = settings.STRIPE_WEBHOOK_SECRETS[0]
    total = WARMUP + ROUNDS * PER_ROUND
    run = f"{int(time.time())}"
    tenant = prepare_workspace()
    invoices = prepare_invoices(tenant, total + 1, run)  # the last one for the diagnosis
    events = [session_event(inv, run, n) for n, inv in enumerate(invoices)]
    bodies = [json.dumps(e).encode() for e in events]
    prepare_sink()
    server = Server()
    try:
        server.start()
        note(
            f"webhook_ingestion: gunicorn {' '.join(SERVER_ARGS)} on 127.0.0.1:{server.port}; "
            f"{SENDERS} senders, {WARMUP} warm-up + {ROUNDS} x {PER_ROUND} events per side"
        )
        rates: dict[str, list[float]] = {"minimal": [], "webhook": []}
        errors: list[str] = []
        chunks = [bodies[:WARMUP]] + [
            bodies[WARMUP + r * PER_ROUND : WARMUP + (r + 1) * PER_ROUND] for r in range(ROUNDS)
        ]
        sides = (("minimal", MINIMAL_URL), ("webhook", WEBHOOK_URL))
        for r, chunk in enumerate(chunks):
            for name, url in sides if r % 2 == 0 else sides[::-1]:
                elapsed, failed = send_all(server.port, url, chunk, secret)
                errors += failed
                if r > 0:  # round 0 is the warm-up
                    rates[name].append(len(chunk) / elapsed)
                    detail(f"round {r} {name}: {len(chunk) / elapsed:.1f} events/s")
    finally:
        server.stop()
    sent = bodies[:total]
    minimal = statistics.median(rates["minimal"]) if rates["minimal"] else 0.0
    webhook = statistics.median(rates["webhook"]) if rates["webhook"] else 0.0
    detail(f"medians: minimal view {minimal:.1f} events/s, webhook {webhook:.1f} events/s")
    problems = errors[:5] + verify(tenant, invoices[:total], events[:total], len(sent))
    for problem in problems:
        note(f"webhook_ingestion: {problem}")
    ratio = webhook / minimal if minimal else 0.0
    ok = not problems and ratio >= RATIO_LIMIT
    results.emit(
        "webhook_ingestion",
        f"{ratio:.2f}x of minimal INSERT view ({len(sent)} events, {SENDERS} senders)"
        + ("" if not problems else f", {len(problems)}+ problems"),
        f">= {RATIO_LIMIT:.1f}",
        ok,
    )
    diagnose(invoices[-1], bodies[-1], secret)
    cleanup(tenant, invoices)
    return results.exit_code


# ---------------------------------------------------------------------------------------------
# Data: a workspace with invoices that have an open checkout attempt each


@dataclass
class Tenant:
    workspace: Any
    owner: Any
    client_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class OpenInvoice:
    id: int
    public_id: str
    amount: int
    currency: str
    session_id: str
    email: str


def prepare_workspace() -> Tenant:
    """The bench-webhooks workspace (created once), emptied of the previous run's rows."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from secportal.clients.models import Client
    from secportal.invoicing.models import Invoice, InvoiceEvent
    from secportal.notifications.models import EmailMessage
    from secportal.payments.models import CheckoutAttempt, Payment, Refund, StripeEvent
    from secportal.workspaces.models import Membership, Plan, Role, Workspace

    with transaction.atomic():
        workspace = Workspace.objects.filter(slug=SLUG).first()
        if workspace is None:
            workspace = Workspace.objects.create(
                name="bench-webhooks",
                slug=SLUG,
                plan=Plan.PRO,
                timezone="Europe/London",
                default_currency="GBP",
                overdue_reminders=False,
            )
        owner, _ = get_user_model().objects.get_or_create(email=f"owner@{SLUG}.bench.test")
        Membership.objects.get_or_create(
            user=owner, workspace=workspace, defaults={"role": Role.OWNER}
        )
        invoice_ids = list(
            Invoice.unscoped.filter(workspace=workspace).values_list("pk", flat=True)
        )
        if invoice_ids:
            note(f"deleting the previous run's {len(invoice_ids)} invoices")
        _delete_tasks(workspace, invoice_ids)
        EmailMessage.objects.filter(workspace=workspace).delete()
        with connection.cursor() as cursor:
            for model in (InvoiceEvent, Refund, Payment, CheckoutAttempt, Invoice):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE workspace_id = %s", [workspace.pk]
                )
        StripeEvent.objects.filter(event_id__startswith=EVENT_PREFIX).delete()
        client_ids = list(
            Client.unscoped.filter(workspace=workspace).order_by("pk").values_list("pk", flat=True)
        )
        if not client_ids:
            client_ids = [
                Client.unscoped.create(
                    workspace=workspace,
                    name=f"Webhook Client {n:02d} Ltd",
                    billing_email=f"ap@webhook-client{n}.example",
                ).pk
                for n in range(1, 21)
            ]
    return Tenant(workspace, owner, client_ids)


def prepare_invoices(tenant: Tenant, count: int, run: str) -> list[OpenInvoice]:
    """``count`` sent invoices, each with one open checkout attempt (as start_checkout leaves
    it), created with INSERT … SELECT."""
    from django.db import connection, transaction

    from secportal.invoicing.models import Invoice
    from secportal.payments.models import CheckoutAttempt

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Invoice._meta.db_table} (
                workspace_id, public_id, client_id, engagement_id, number, status, amount,
                currency, description, issue_date, due_date, sent_at, overdue_at,
                reminder_sent_at, paid_at, voided_at, refunded_amount, attention,
                created_by_id, created_at, updated_at
            )
            SELECT %(ws)s, gen_random_uuid(), (%(clients)s::bigint[])[1 + i %% %(n_clients)s],
                   NULL, 'WH-' || lpad(i::text, 6, '0'), 'sent', 50000 + i * 37,
                   (ARRAY['GBP', 'USD', 'EUR'])[1 + i %% 3],
                   'Web application test, retest included (webhook bench #' || i || ')',
                   current_date, current_date + 30, now(), NULL, NULL, NULL, NULL, 0, '',
                   %(owner)s, now(), now()
            FROM generate_series(1, %(count)s) AS i ORDER BY i
            RETURNING id, public_id, amount, currency, client_id
            """,
            {
                "ws": tenant.workspace.pk,
                "clients": tenant.client_ids,
                "n_clients": len(tenant.client_ids),
                "owner": tenant.owner.pk,
                "count": count,
            },
        )
        rows = sorted(cursor.fetchall())
        cursor.execute(
            f"""
            INSERT INTO {CheckoutAttempt._meta.db_table} (
                workspace_id, invoice_id, number, status, stripe_account_id, session_id, url,
                amount, currency, application_fee, fee_bps, idempotency_key, request,
                expires_at, created_at, completed_at
            )
            SELECT workspace_id, id, 1, 'open', %(account)s,
                   'cs_bench_wh_' || %(run)s || '_' || id,
                   'https://checkout.stripe.test/c/pay/cs_bench_wh_' || id,
                   amount, currency, amount / 100, 100, 'checkout:' || public_id || ':1',
                   '{{}}'::jsonb, now() + interval '23 hours', now(), NULL
            FROM {Invoice._meta.db_table}
            WHERE workspace_id = %(ws)s ORDER BY id
            """,
            {"account": ACCOUNT, "run": run, "ws": tenant.workspace.pk},
        )
    emails = {n: f"ap@webhook-client{i + 1}.example" for i, n in enumerate(tenant.client_ids)}
    return [
        OpenInvoice(pk, str(public_id), amount, currency, f"cs_bench_wh_{run}_{pk}", emails[c])
        for pk, public_id, amount, currency, c in rows
    ]


def session_event(invoice: OpenInvoice, run: str, n: int) -> dict[str, Any]:
    """A checkout.session.completed event as Stripe sends it for a Connect account, paid,
    without ``payment_intent`` (so apply_paid_session has nothing to fetch from Stripe)."""
    now = int(time.time())
    session = {
        "id": invoice.session_id,
        "object": "checkout.session",
        "amount_subtotal": invoice.amount,
        "amount_total": invoice.amount,
        "client_reference_id": invoice.public_id,
        "created": now - 120,
        "currency": invoice.currency.lower(),
        "customer_details": {
            "address": {"city": "London", "country": "GB", "line1": "1 Bench Street"},
            "email": invoice.email,
            "name": "Accounts Payable",
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
        },
        "customer_email": invoice.email,
        "expires_at": now + 82_800,
        "livemode": False,
        "metadata": {"invoice": invoice.public_id, "workspace": SLUG},
        "mode": "payment",
        "payment_intent": None,
        "payment_method_types": ["card"],
        "payment_status": "paid",
        "status": "complete",
        "success_url": "http://testserver/payments/success/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": f"http://testserver/portal/invoices/{invoice.public_id}/",
        "url": None,
    }
    return {
        "id": f"{EVENT_PREFIX}{run}_{n}_{uuid.uuid4().hex[:8]}",
        "object": "event",
        "account": ACCOUNT,
        "api_version": "2026-10-28.endive",
        "created": now,
        "data": {"object": session},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "checkout.session.completed",
    }


def prepare_sink() -> None:
    """The minimal view's table: an event id (unique, as StripeEvent's) and the payload."""
    from django.db import connection

    from bench.webhook_urls import SINK_TABLE

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {SINK_TABLE} (id bigserial PRIMARY KEY, "
            "event_id varchar(255) NOT NULL UNIQUE, payload jsonb NOT NULL, "
            "received_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(f"TRUNCATE {SINK_TABLE}")


# ---------------------------------------------------------------------------------------------
# The server and the senders


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn serving secportal.wsgi with the webhook settings on a free loopback port."""

    def __init__(self, args: list[str] | None = None, settings: str = SETTINGS) -> None:
        self.args = SERVER_ARGS if args is None else args
        self.settings = settings
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # gunicorn's output; open as long as the server runs, closed in stop().
        self.log = tempfile.TemporaryFile(prefix="bench-gunicorn-")  # noqa: SIM115

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings,
            "PYTHONPATH": os.pathsep.join(filter(None, [os.getcwd(), *sys.path])),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "secportal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                *self.args,
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not answer on port {self.port}:\n{self._log_text()}")

    def _log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        text = self._log_text().strip()
        if text:
            detail(f"gunicorn's log:\n{text}")
        self.log.close()


def sign(payload: bytes, secret: str) -> str:
    """Stripe's signature header: t=<unix time>,v1=HMAC-SHA256 of "<t>.<payload>"."""
    timestamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def send_all(port: int, url: str, bodies: list[bytes], secret: str) -> tuple[float, list[str]]:
    """POST every body with SENDERS threads (keep-alive connections); seconds and failures."""
    work: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    for body in bodies:
        work.put(body)
    failures: list[str] = []
    deadline = time.monotonic() + SIDE_TIMEOUT
    start_gate = threading.Barrier(SENDERS + 1)
    expect_paid = url == "/stripe/webhook/"

    def sender() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        start_gate.wait()
        try:
            while time.monotonic() < deadline:
                try:
                    body = work.get_nowait()
                except queue.Empty:
                    return
                headers = {
                    "Content-Type": "application/json",
                    "Stripe-Signature": sign(body, secret),
                }
                try:
                    conn.request("POST", url, body=body, headers=headers)
                    response = conn.getresponse()
                    answer = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    failures.append(f"{url}: {exc!r}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
                    continue
                # The app answers with its outcome when it processes in the request.
                if response.status != 200 or (
                    expect_paid and json.loads(answer).get("outcome", "paid") != "paid"
                ):
                    failures.append(f"{url}: {response.status} {answer[:200]!r}")
            failures.append(f"{url}: stopped after {SIDE_TIMEOUT} s")
        finally:
            conn.close()

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join(SIDE_TIMEOUT + REQUEST_TIMEOUT)
    return time.perf_counter() - start, failures


# ---------------------------------------------------------------------------------------------
# Checks, diagnosis, cleanup


def verify(
    tenant: Tenant, invoices: list[OpenInvoice], events: list[dict[str, Any]], sent: int
) -> list[str]:
    """Every event stored once and processed once; one payment per invoice, all paid."""
    from django.db import connection
    from django.db.models import Count

    from bench.webhook_urls import SINK_TABLE
    from secportal.invoicing.models import Invoice
    from secportal.payments.models import Payment, StripeEvent

    problems = []
    ids = [e["id"] for e in events]
    stored = StripeEvent.objects.filter(event_id__in=ids)
    if pending := stored.filter(processed_at__isnull=True).count():
        drain_tasks(pending)
    if stored.count() != len(ids):
        problems.append(f"{stored.count()} events stored for {len(ids)} sent")
    if n := stored.filter(processed_at__isnull=True).count():
        problems.append(f"{n} events stored but not processed")
    if n := stored.exclude(outcome="paid").count():
        problems.append(f"{n} events processed with another outcome than 'paid'")
    if n := stored.exclude(deliveries=1).count():
        problems.append(f"{n} events delivered more than once")
    invoice_ids = [i.id for i in invoices]
    payments = Payment.unscoped.filter(invoice_id__in=invoice_ids)
    per_invoice = payments.values("invoice_id").annotate(n=Count("id")).filter(n__gt=1).count()
    if payments.count() != len(invoice_ids) or per_invoice:
        problems.append(
            f"{payments.count()} payments for {len(invoice_ids)} invoices "
            f"({per_invoice} invoices with more than one)"
        )
    if n := Invoice.unscoped.filter(pk__in=invoice_ids).exclude(status="paid").count():
        problems.append(f"{n} invoices not paid")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {SINK_TABLE}")
        (sunk,) = cursor.fetchone()
    if sunk != sent:
        problems.append(f"the minimal view stored {sunk} events of {sent}")
    if not problems:
        note(
            f"verified: {len(ids)} events stored and processed once, {len(invoice_ids)} "
            f"invoices paid with one payment each, {sunk} rows from the minimal view"
        )
    return problems


def drain_tasks(pending: int) -> None:
    """If the app leaves processing to a task (stored, answered, processed later), run the
    worker on the default queue until it is empty (never the email queue: no email is sent)."""
    note(f"{pending} events stored but not processed yet: db_worker --batch drains the queue")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": os.pathsep.join(filter(None, [os.getcwd(), *sys.path])),
    }
    start = time.perf_counter()
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "django", "db_worker", "--batch"),
            *("--queue-name", "default", "--no-startup-delay", "--interval", "0.1"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=SIDE_TIMEOUT,
        check=False,
    )
    elapsed = time.perf_counter() - start
    note(f"the worker ran {elapsed:.1f} s for {pending} events (exit {completed.returncode})")
    if completed.returncode != 0:
        detail(completed.stderr[-2000:])


def diagnose(invoice: OpenInvoice, body: bytes, secret: str) -> None:
    """One more event in this process (test Client): the queries a webhook costs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.webhook_urls import MINIMAL_URL

    client = Client()
    counts = []
    for url in (WEBHOOK_URL, MINIMAL_URL):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                url,
                data=body,
                content_type="application/json",
                headers={"Stripe-Signature": sign(body, secret)},
            )
        counts.append(len(captured.captured_queries))
        if response.status_code != 200:
            note(f"diagnosis: {url} answered {response.status_code}")
        for query in captured.captured_queries:
            detail(f"{url}: {query['sql'][:160]}")
    note(f"diagnosis: one webhook event = {counts[0]} queries; the minimal view = {counts[1]}")


def _delete_tasks(workspace: Any, invoice_ids: list[int]) -> None:
    """The tasks the webhooks queued (expire the invoice's checkouts, send the emails)."""
    from django.db import connection

    from secportal.notifications.models import EmailMessage

    message_ids = list(
        EmailMessage.objects.filter(workspace=workspace).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        for task, ids in (
            ("secportal.payments.tasks.expire_invoice_checkouts", invoice_ids),
            ("secportal.notifications.tasks.send_email", message_ids),
        ):
            if ids:
                cursor.execute(
                    "DELETE FROM django_tasks_database_dbtaskresult "
                    "WHERE task_path = %s AND args_kwargs -> 'args' ->> 0 = ANY(%s)",
                    [task, [str(i) for i in ids]],
                )


def cleanup(tenant: Tenant, invoices: list[OpenInvoice]) -> None:
    """No worker runs on the bench database: drop the queued tasks, the emails and the sink."""
    from django.db import connection, transaction

    from bench.webhook_urls import SINK_TABLE
    from secportal.notifications.models import EmailMessage

    with transaction.atomic():
        _delete_tasks(tenant.workspace, [i.id for i in invoices])
        EmailMessage.objects.filter(workspace=tenant.workspace).delete()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {SINK_TABLE}")


if __name__ == "__main__":
    sys.exit(main())
