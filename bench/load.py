"""Under load: 16 concurrent users on the production server shape, against the signed-in floor.

Run with ``bash bench/run load``. gunicorn serves the app (``bench.webhook_settings``: the
bench settings with persistent connections and the production task backend) with 2 processes
x 4 threads on a free loopback port. 16 user threads, each with its own keep-alive connection,
request pages one after the other for ``BENCH_LOAD_SECONDS`` (60) per side:

- the mix: the owner's Invoices list, a paid invoice's page and the dashboard (bench-big, signed
  in with two-factor), the portal home of a contact whose client has ~500 invoices, and a sent
  invoice's pay link page (no sign-in), in turn;
- the baseline: the signed-in floor ``/bench/signed-in/`` (as the owner).

The sides run in halves, ABBA (baseline, mix, mix, baseline), after a warm-up of each page in
every server process. Targets: the mix's requests/second ÷ the baseline's, the mix's p95
latency ÷ its p50, and the number of failed requests (any status but 200, or no answer).
The data is ``bench/data.py``'s (200,000 invoices in bench-big); the 5,000,000-invoice
platform seed of issue 19 is not written yet.
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
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.webhook_settings"
    setup_django()
    from bench.data import BIG, ensure_invoice_data
    from bench.pages import detail_url, portal_browser
    from bench.webhooks import Server

    big = ensure_invoice_data()[BIG.slug]
    owner = _cookie(signed_in_client(big.owner))
    contact = _cookie(portal_browser(big))
    mix = [
        ("/invoices/", owner),
        (detail_url(big), owner),
        ("/", owner),
        ("/portal/", contact),
        (_pay_link_path(big), ""),
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
