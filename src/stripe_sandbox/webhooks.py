"""Webhook signing and delivery, as Stripe does them.

Each event is POSTed as JSON to the configured URL with a ``Stripe-Signature`` header,
``t=<unix time>,v1=<hex HMAC-SHA256 of "{t}.{payload}" keyed with the endpoint secret>``, which
``stripe.Webhook.construct_event`` verifies. Delivery runs on a background thread: an API call
never waits for it. A delivery that is not answered with a 2xx (or cannot connect) is retried
after each of the configured delays, then given up.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import http.client
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .faults import MAX_PARALLEL_DELIVERIES, Faults

logger = logging.getLogger("stripe_sandbox.webhooks")

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` value for ``payload``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode("utf-8"), f"{t}.".encode() + payload, hashlib.sha256)
    return f"t={t},v1={mac.hexdigest()}"


@dataclass
class WebhookSettings:
    url: str | None
    secret: str
    retry_delays: tuple[float, ...]
    timeout: float


@dataclass(frozen=True)
class Target:
    """Where one event goes: a webhook endpoint (``we_...``) with its own URL and secret, or the
    demo's ``--webhook-url`` (``endpoint=None``: URL and secret read at delivery time)."""

    endpoint: str | None = None
    url: str | None = None
    secret: str | None = None


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    event_id: str = field(compare=False)
    event_type: str = field(compare=False)
    payload: bytes = field(compare=False)
    attempt: int = field(compare=False)
    generation: int = field(compare=False)
    faults: list[str] = field(compare=False, default_factory=list)
    target: Target = field(compare=False, default_factory=Target)


def post(url: str, payload: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``payload`` and return the status code (raises ``OSError`` on network failure)."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname or "localhost", parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=payload, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class Dispatcher:
    """A queue of deliveries ordered by due time, worked by one background thread."""

    def __init__(self, settings: Callable[[], WebhookSettings], faults: Faults) -> None:
        self._settings = settings
        self._faults = faults
        self._cond = threading.Condition()
        self._heap: list[_Job] = []
        self._seq = itertools.count()
        self._in_flight = 0
        self._generation = 0
        self._stopping = False
        self._threads: list[threading.Thread] = []
        self.log: list[dict[str, Any]] = []
        self.stats: dict[str, int] = {}

    def start(self) -> None:
        # A pool of delivery threads; ``webhook_parallel`` (a fault setting, 1 by default) of
        # them deliver at once, as Stripe sends several events to an endpoint concurrently.
        for number in range(MAX_PARALLEL_DELIVERIES):
            thread = threading.Thread(
                target=self._run, name=f"stripe-sandbox-webhooks-{number}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)

    def reset(self) -> None:
        """Forget pending deliveries and the log (deliveries in flight are not logged)."""
        with self._cond:
            self._heap.clear()
            self._generation += 1
            self.log.clear()
            self.stats.clear()
            self._cond.notify_all()

    def _stat(self, what: str) -> None:
        self.stats[what] = self.stats.get(what, 0) + 1

    def enqueue(self, event: dict[str, Any], payload: bytes, targets: list[Target]) -> None:
        for target in targets:
            self._enqueue_one(event, payload, target)

    def _enqueue_one(self, event: dict[str, Any], payload: bytes, target: Target) -> None:
        plan = self._faults.for_webhook(event["type"], target.endpoint, target.url)
        with self._cond:
            if plan.drop:
                self._stat("dropped")
                entry = self._entry(event["id"], event["type"], 0, None, "dropped", plan.faults)
                entry["endpoint"] = target.endpoint
                self.log.append(entry)
                return
            now = time.monotonic()
            for copy_number in range(plan.copies):
                faults = list(plan.faults) + (["duplicate"] if copy_number else [])
                job = _Job(
                    now + plan.delay,
                    next(self._seq),
                    event["id"],
                    event["type"],
                    payload,
                    1,
                    self._generation,
                    faults,
                    target,
                )
                heapq.heappush(self._heap, job)
            self._cond.notify_all()

    def snapshot(self) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """A copy of the delivery log and the counts by outcome."""
        with self._cond:
            return [dict(e) for e in self.log], dict(self.stats)

    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + self._in_flight

    def drain(self, timeout: float) -> bool:
        """Wait until nothing is queued, scheduled for retry or in flight; ``False`` on timeout."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._heap and self._in_flight == 0, timeout=max(0.0, timeout)
            )

    @staticmethod
    def _entry(
        event_id: str,
        event_type: str,
        attempt: int,
        status: int | None,
        outcome: str,
        faults: list[str],
        error: str | None = None,
        url: str | None = None,
    ) -> dict[str, Any]:
        return {
            "event": event_id,
            "type": event_type,
            "attempt": attempt,
            "status": status,
            "outcome": outcome,
            "error": error,
            "faults": faults,
            "url": url,
            "at": time.time(),
        }

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping:
                    if self._in_flight >= self._faults.config.webhook_parallel:
                        self._cond.wait()
                    elif self._heap:
                        wait = self._heap[0].due - time.monotonic()
                        if wait <= 0:
                            break
                        self._cond.wait(wait)
                    else:
                        self._cond.wait()
                if self._stopping:
                    return
                job = heapq.heappop(self._heap)
                self._in_flight += 1
            try:
                self._deliver(job)
            except Exception:  # never let one delivery kill the worker
                logger.exception("webhook delivery of %s failed", job.event_id)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _deliver(self, job: _Job) -> None:
        settings = self._settings()
        url = job.target.url or settings.url
        secret = job.target.secret or settings.secret
        if not url:
            with self._cond:
                self.log.append(
                    self._entry(
                        job.event_id, job.event_type, job.attempt, None, "no_url", job.faults
                    )
                )
            return
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "Stripe-Signature": signature_header(job.payload, secret),
            "Cache-Control": "no-cache",
            "Accept": "*/*; q=0.5, application/xml",
        }
        status: int | None = None
        error: str | None = None
        try:
            status = post(url, job.payload, headers, settings.timeout)
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        ok = status is not None and 200 <= status < 300
        with self._cond:
            if job.generation != self._generation:
                return
            retry = not ok and job.attempt <= len(settings.retry_delays)
            outcome = "delivered" if ok else ("retrying" if retry else "failed")
            self._stat(outcome)
            entry = self._entry(
                job.event_id,
                job.event_type,
                job.attempt,
                status,
                outcome,
                job.faults,
                error,
                url,
            )
            entry["endpoint"] = job.target.endpoint
            self.log.append(entry)
            if retry:
                delay = settings.retry_delays[job.attempt - 1]
                heapq.heappush(
                    self._heap,
                    _Job(
                        time.monotonic() + delay,
                        next(self._seq),
                        job.event_id,
                        job.event_type,
                        job.payload,
                        job.attempt + 1,
                        job.generation,
                        job.faults,
                        job.target,
                    ),
                )
                self._cond.notify_all()
        if not ok:
            logger.info(
                "webhook %s %s attempt %d: %s",
                job.event_type,
                job.event_id,
                job.attempt,
                status if status is not None else error,
            )
