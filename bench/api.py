"""The REST API at scale, and webhook fan-out through the real worker.

Run with ``bash bench/run api``. ``BENCH_VERBOSE=1`` also prints the medians and the queries.

- ``api_list_vs_small``: ``GET /api/v1/invoices?limit=50`` of bench-big (200,000 invoices) ÷ the
  same request of bench-small (10 invoices), each with its workspace's read-only key; medians
  of interleaved rounds (ABBA) in one run.
- ``api_list_queries``: the SQL queries of that request at both sizes (``CaptureQueriesContext``),
  equal whatever the rows.
- ``webhook_fanout_exactly_once``: ``BENCH_FANOUT_EVENTS`` events (300: 1,000 took 2-7 minutes
  of ``make bench``'s 15), each in its own transaction, as that many changes would write them,
  to 3 endpoints of a local receiver (a real HTTP server): 3 deliveries per event
  queued through the production task backend, then queued a second time by the retry sweep
  (``deliver_due_webhooks``, as if it ran while they waited), drained by 2 ``db_worker``
  processes. Every delivery must reach its endpoint exactly once, signed with the endpoint's
  secret, and be recorded as succeeded after one attempt; the time is printed beside.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.common import Results, detail, ensure_database, interleaved, note, run_workers

SETTINGS = "bench.api_settings"
ROUNDS = int(os.environ.get("BENCH_API_ROUNDS", "120"))
LIST_URL = "/api/v1/invoices?limit=50"
VS_SMALL_LIMIT = 1.5
FANOUT_SLUG = "bench-fanout"
FANOUT_EVENTS = int(os.environ.get("BENCH_FANOUT_EVENTS", "300"))
FANOUT_ENDPOINTS = 3
FANOUT_WORKERS = 2
TIMEOUT = 900


def main() -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    ensure_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    results = Results()
    api_list(results)
    webhook_fanout(results)
    return results.exit_code


# ---------------------------------------------------------------------------------------------
# GET /api/v1/invoices?limit=50 at 200,000 invoices vs 10


def api_client(tenant: Any) -> Any:
    """A test client with a fresh read-only key of the tenant's workspace (the last run's
    bench keys revoked and deleted first)."""
    from django.test import Client

    from secportal.api import keys
    from secportal.api.models import ApiKey
    from secportal.core.tenancy import use_workspace

    ApiKey.unscoped.filter(workspace=tenant.workspace, name="bench-api").delete()  # type: ignore[attr-defined]
    with use_workspace(tenant.workspace.pk):
        made = keys.create_key(tenant.workspace, tenant.owner, name="bench-api", role="read_only")
    return Client(headers={"Authorization": f"Bearer {made.token}"})


def _getter(client: Any, rows: int) -> Any:
    def get() -> Any:
        response = client.get(LIST_URL)
        if response.status_code != 200:
            raise SystemExit(
                f"GET {LIST_URL} answered {response.status_code}: {response.content!r}"
            )
        return response

    body = get().json()
    if len(body["data"]) != rows:
        raise SystemExit(f"GET {LIST_URL} gave {len(body['data'])} invoices, not {rows}")
    return get


def _queries(get: Any) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        get()
    return [q["sql"] for q in captured.captured_queries]


def api_list(results: Results) -> None:
    from bench.data import BIG, SMALL, ensure_invoice_data

    tenants = ensure_invoice_data()
    big = _getter(api_client(tenants[BIG.slug]), 50)
    small = _getter(api_client(tenants[SMALL.slug]), SMALL.invoices)
    big_queries, small_queries = _queries(big), _queries(small)
    for sql in big_queries:
        detail(f"query: {sql[:300]}")
    results.line(
        "api_list_queries",
        len(big_queries),
        f"{len(big_queries)} at 200,000 invoices, {len(small_queries)} at 10",
        "==",
        len(small_queries),
        "equal",
    )
    note(f"api_list_vs_small: {LIST_URL}, {ROUNDS} interleaved rounds")
    small_s, big_s = interleaved(small, big, ROUNDS)
    detail(f"api list: {big_s * 1000:.2f} ms at 200,000, {small_s * 1000:.2f} ms at 10")
    results.ratio("api_list_vs_small", big_s / small_s, "<=", VS_SMALL_LIMIT)


# ---------------------------------------------------------------------------------------------
# Webhook fan-out: BENCH_FANOUT_EVENTS (300) events to 3 endpoints, through the worker


class Receiver:
    """A local HTTP server that answers 200 and keeps (path, event id, signature, body)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[str, str, str, bytes, float]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                item = (
                    self.path,
                    self.headers.get("SecPortal-Event-Id", ""),
                    self.headers.get("SecPortal-Signature", ""),
                    body,
                    time.time(),
                )
                with receiver.lock:
                    receiver.received.append(item)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _fanout_workspace() -> Any:
    """The bench-fanout workspace (made once), emptied of the last run's endpoints and events."""
    from secportal.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
    from secportal.workspaces.models import Workspace

    workspace = Workspace.objects.filter(slug=FANOUT_SLUG).first()
    if workspace is None:
        workspace = Workspace.objects.create(name="Bench fan-out", slug=FANOUT_SLUG)
    WebhookDelivery.unscoped.filter(workspace=workspace).delete()  # type: ignore[attr-defined]
    WebhookEvent.unscoped.filter(workspace=workspace).delete()  # type: ignore[attr-defined]
    WebhookEndpoint.unscoped.filter(workspace=workspace).delete()  # type: ignore[attr-defined]
    return workspace


def _workers(count: int) -> float:
    return run_workers(count, SETTINGS, TIMEOUT)


def webhook_fanout(results: Results) -> None:
    from django.db import transaction

    from secportal.core.tenancy import use_workspace
    from secportal.webhooks import services, signing
    from secportal.webhooks.models import DeliveryStatus, WebhookDelivery
    from secportal.webhooks.tasks import deliver_due_webhooks

    receiver = Receiver()
    try:
        workspace = _fanout_workspace()
        with use_workspace(workspace.pk):
            endpoints = [
                services.create_endpoint(
                    workspace, None, url=f"{receiver.url}/hooks/{n}", events=["invoice.paid"]
                )
                for n in range(FANOUT_ENDPOINTS)
            ]
        secrets = {f"/hooks/{n}": made.secret for n, made in enumerate(endpoints)}
        started = time.perf_counter()
        for n in range(FANOUT_EVENTS):
            with transaction.atomic():  # one change, its event committed with it
                services.emit(
                    workspace.pk,
                    "invoice.paid",
                    {"object": "invoice", "id": f"bench-{n}", "number": f"INV-{n:06d}"},
                )
        emitted_s = time.perf_counter() - started
        expected = FANOUT_EVENTS * FANOUT_ENDPOINTS
        swept = deliver_due_webhooks.call()  # the sweep queues each pending delivery again
        note(
            f"webhook_fanout: {FANOUT_EVENTS} events x {FANOUT_ENDPOINTS} endpoints written "
            f"in {emitted_s:.1f} s; {expected} delivery tasks queued, {swept} again by the "
            f"sweep; {FANOUT_WORKERS} db_worker processes"
        )
        seconds = _workers(FANOUT_WORKERS)
        received = list(receiver.received)
    finally:
        receiver.stop()
    problems = _check_fanout(received, secrets, expected, signing)
    deliveries = WebhookDelivery.unscoped.filter(workspace=workspace)  # type: ignore[attr-defined]
    done = deliveries.filter(status=DeliveryStatus.SUCCEEDED, attempts=1).count()
    if deliveries.count() != expected or done != expected:
        problems.append(f"{done} of {deliveries.count()} deliveries succeeded after one attempt")
    for problem in problems[:5]:
        note(f"webhook_fanout: {problem}")
    rate = len(received) / seconds if seconds else 0.0
    results.emit(
        "webhook_fanout_exactly_once",
        (
            f"{expected} deliveries each made once in {seconds:.1f} s ({rate:.0f}/s, "
            f"{FANOUT_WORKERS} workers)"
            if not problems
            else problems[0]
        ),
        f"{FANOUT_EVENTS} events x {FANOUT_ENDPOINTS} endpoints, each once",
        not problems,
    )


def _check_fanout(
    received: list[tuple[str, str, str, bytes, float]],
    secrets: dict[str, str],
    expected: int,
    signing: Any,
) -> list[str]:
    problems = []
    counts = Counter((path, event_id) for path, event_id, *_ in received)
    twice = [key for key, n in counts.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} deliveries made more than once, e.g. {twice[0]}")
    if len(counts) != expected:
        problems.append(f"{len(counts)} distinct deliveries received of {expected}")
    per_endpoint = Counter(path for path, _ in counts)
    if sorted(per_endpoint) != sorted(secrets) or len(set(per_endpoint.values())) != 1:
        problems.append(f"deliveries per endpoint: {dict(per_endpoint)}")
    unsigned = sum(
        1
        for path, _, header, body, at in received
        if path not in secrets or not signing.verify(secrets[path], header, body, now=at)
    )
    if unsigned:
        problems.append(f"{unsigned} deliveries without a valid signature")
    return problems


if __name__ == "__main__":
    raise SystemExit(main())
