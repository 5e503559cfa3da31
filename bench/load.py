"""Under load: 16 concurrent users on the production server shape, against the signed-in floor.

Run with ``bash bench/run load``. gunicorn serves the app (``bench.webhook_settings``: the
bench settings with persistent connections and the production task backend) with 2 processes
x 4 threads on a free loopback port. 16 user threads, each with its own keep-alive connection,
request pages one after the other for ``BENCH_LOAD_SECONDS`` (60) per side:

- the mix: the owner's Invoices list, a paid invoice's page and the dashboard (platform-focus,
  signed in with two-factor), the portal home of a contact of one of its clients (the client
  with the number of visible invoices nearest 500: ~200 there), and a sent invoice's pay link
  page (no sign-in), in turn;
- the baseline: the signed-in floor ``/bench/signed-in/`` (as the owner).

The sides run in halves, ABBA (baseline, mix, mix, baseline), after a warm-up of each page in
every server process. Targets: the mix's requests/second ÷ the baseline's, the mix's p95
latency ÷ its p50, and the number of failed requests (any status but 200, or no answer).
The data is the platform seed of ``bench/platform.py`` (10,000 workspaces, 5,000,000 invoices,
in its own database: ``DATABASE_URL``'s name + ``_platform``; built once, ~16 minutes, then
kept), the pages those of its focus workspace (20,000 invoices among the 5M).
"""

from __future__ import annotations

import http.client
import os
import statistics
import threading
import time
from typing import Any
from urllib.parse import urlparse

from bench.common import Results, detail, note, setup_django, signed_in_client

USERS = 16
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
SERVER_ARGS = ["--workers", "2", "--threads", "4", "--worker-class", "gthread"]
THROUGHPUT_LIMIT = 0.4
P95_LIMIT = 3.0
TIMEOUT = 30


def main() -> int:
    from bench.platform import platform_database_url

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.webhook_settings"
    # The platform seed's database, for this script and the gunicorn it starts (environment).
    os.environ["DATABASE_URL"] = platform_database_url()
    setup_django()
    from django.db import connection

    from bench.pages import detail_url, portal_browser
    from bench.platform_data import ensure_platform_data
    from bench.webhooks import Server

    if not connection.settings_dict["NAME"].endswith("_platform") and not os.environ.get(
        "BENCH_PLATFORM_DATABASE_URL"
    ):  # never seed 5M invoices into another bench's database
        raise SystemExit(f"connected to {connection.settings_dict['NAME']}, not the platform's")
    focus = ensure_platform_data()
    owner = _cookie(signed_in_client(focus.owner))
    contact = _cookie(portal_browser(focus))
    mix = [
        ("/invoices/", owner),
        (detail_url(focus), owner),
        ("/", owner),
        ("/portal/", contact),
        (_pay_link_path(focus), ""),
    ]
    floor = [("/bench/signed-in/", owner)]
    server = Server(SERVER_ARGS)
    results = Results()
    try:
        server.start()
        note(
            f"load: gunicorn {' '.join(SERVER_ARGS)} on 127.0.0.1:{server.port}; {USERS} users, "
            f"{SECONDS:.0f} s per side in halves (ABBA)"
        )
        _run(server.port, mix + floor, 2.0 * USERS / 4)  # every page warm in both processes
        sides: dict[str, list[Any]] = {"baseline": [], "mix": []}
        for name in ("baseline", "mix", "mix", "baseline"):
            sides[name].append(_run(server.port, floor if name == "baseline" else mix, SECONDS / 2))
    finally:
        server.stop()
    stats = {name: _stats(runs) for name, runs in sides.items()}
    for name, s in stats.items():
        note(
            f"{name}: {s['rps']:.1f} requests/s, p50 {s['p50'] * 1000:.1f} ms, "
            f"p95 {s['p95'] * 1000:.1f} ms, p99 {s['p99'] * 1000:.1f} ms, "
            f"{s['requests']} requests, {len(s['errors'])} errors"
        )
        for error in s["errors"][:5]:
            detail(f"{name} error: {error}")
    base, load = stats["baseline"], stats["mix"]
    results.ratio("load_throughput_vs_baseline", load["rps"] / base["rps"], ">=", THROUGHPUT_LIMIT)
    results.ratio("load_p95_over_p50", load["p95"] / load["p50"], "<=", P95_LIMIT)
    errors = len(base["errors"]) + len(load["errors"])
    results.line("load_errors", errors, str(errors), "==", 0, "0")
    return results.exit_code


def _cookie(browser: Any) -> str:
    """The ``Cookie`` header of a test client's session (stored in the database)."""
    return f"sessionid={browser.cookies['sessionid'].value}"


def _pay_link_path(tenant: Any) -> str:
    from secportal.invoicing import links
    from secportal.invoicing.models import Invoice, InvoiceStatus

    invoice = (
        Invoice.unscoped.filter(workspace=tenant.workspace, status=InvoiceStatus.SENT)
        .order_by("-pk")
        .first()
    )
    assert invoice is not None
    return urlparse(links.pay_link(invoice)).path


def _run(port: int, pages: list[tuple[str, str]], seconds: float) -> dict[str, Any]:
    """USERS threads requesting ``pages`` in turn for ``seconds``: latencies and errors."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def user(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        mine: list[float] = []
        failed: list[str] = []
        n = offset
        while time.perf_counter() < deadline:
            path, cookie = pages[n % len(pages)]
            n += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed.append(f"GET {path}: {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                failed.append(f"GET {path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
                continue
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors, "seconds": time.perf_counter() - started}


def _stats(runs: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = sorted(x for run in runs for x in run["latencies"])
    seconds = sum(run["seconds"] for run in runs)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "rps": len(latencies) / seconds if seconds else 0.0,
        "p50": statistics.median(latencies) if latencies else 0.0,
        "p95": quantiles[94],
        "p99": quantiles[98],
        "errors": [e for run in runs for e in run["errors"]],
    }


if __name__ == "__main__":
    raise SystemExit(main())
