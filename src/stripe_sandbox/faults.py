"""Injected faults: API answers that fail or hang, added latency, webhooks gone wrong.

Rates are shares between 0 and 1, drawn from a generator seeded with ``seed`` (so a run is
repeatable); counts fail the next N matching API requests. ``path`` (a regular expression
searched in the request path) and ``method`` narrow the API faults; ``webhook_types`` narrows
the webhook faults to some event types.
"""

from __future__ import annotations

import dataclasses
import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from .errors import StripeError

#: The dispatcher's delivery threads: ``webhook_parallel`` of them deliver at once.
MAX_PARALLEL_DELIVERIES = 8


@dataclass
class FaultConfig:
    error_rate: float = 0.0  # share of API requests answered with ``error_status``
    error_count: int = 0  # the next N API requests answered with ``error_status``
    error_status: int = 500
    timeout_rate: float = 0.0  # share of API requests that hang past the client's timeout
    timeout_count: int = 0
    timeout_seconds: float = 30.0
    # False: hang before doing the work (nothing happened); True: do the work, then hang
    # (the client times out although the object was created: idempotency keys matter).
    timeout_after_processing: bool = False
    latency_ms: int = 0  # added to every matching API request
    path: str | None = None
    method: str | None = None
    webhook_drop_rate: float = 0.0  # never delivered
    webhook_duplicate_rate: float = 0.0  # delivered twice
    webhook_delay_rate: float = 0.0  # delivered ``webhook_delay_seconds`` late
    webhook_delay_seconds: float = 0.5
    webhook_reorder_rate: float = 0.0  # held back so that later events overtake it
    webhook_reorder_seconds: float = 0.3
    webhook_types: list[str] | None = None
    webhook_endpoint: str | None = None  # only deliveries to this endpoint (``we_...`` or URL)
    # Deliveries in flight at once (1 to MAX_PARALLEL_DELIVERIES). Stripe sends an account's
    # events concurrently, not one after the other: several may reach the endpoint together.
    webhook_parallel: int = 1
    # True: an ``error_count``/``error_rate`` error is answered after the request was executed
    # (and stored under its idempotency key, so a retry replays the error as Stripe does).
    error_after_processing: bool = False
    seed: int | None = None

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> FaultConfig:
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in params.items():
            if key not in fields:
                raise StripeError(400, f"Unknown fault: {key}", param=key)
            values[key] = _coerce(key, raw, fields[key].default)
        config = cls(**values)
        if not 1 <= config.webhook_parallel <= MAX_PARALLEL_DELIVERIES:
            raise StripeError(
                400,
                f"webhook_parallel must be between 1 and {MAX_PARALLEL_DELIVERIES}",
                param="webhook_parallel",
            )
        if config.path:
            try:
                re.compile(config.path)
            except re.error as exc:
                raise StripeError(400, f"Invalid path pattern: {exc}", param="path") from exc
        return config

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _coerce(key: str, raw: Any, default: Any) -> Any:
    if raw is None or raw == "":
        return None if default is None else default
    try:
        if key == "webhook_types":
            if isinstance(raw, str):
                return [t for t in raw.split(",") if t]
            return [str(t) for t in raw]
        if isinstance(default, bool):
            return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
        if isinstance(default, int) or key == "seed":
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        return str(raw)
    except (TypeError, ValueError):
        raise StripeError(400, f"Invalid value for {key}: {raw!r}", param=key) from None


@dataclass
class WebhookPlan:
    drop: bool = False
    copies: int = 1
    delay: float = 0.0
    faults: list[str] = field(default_factory=list)


class Faults:
    """The current fault configuration and its (seeded) dice; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self.config = FaultConfig()
        self._rng = random.Random()
        self.injected: dict[str, int] = {}

    def set(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed)

    def clear(self) -> None:
        self.set(FaultConfig())

    def _count(self, what: str) -> None:
        self.injected[what] = self.injected.get(what, 0) + 1

    def _roll(self, rate: float) -> bool:
        return rate > 0 and (rate >= 1 or self._rng.random() < rate)

    def for_api(self, method: str, path: str) -> tuple[float, str | None]:
        """(latency in seconds, ``"error"`` / ``"timeout"`` / ``None``) for one API request."""
        with self._lock:
            c = self.config
            if c.method and c.method.upper() != method.upper():
                return 0.0, None
            if c.path and not re.search(c.path, path):
                return 0.0, None
            latency = c.latency_ms / 1000
            if c.error_count > 0:
                c.error_count -= 1
                self._count("error")
                return latency, "error"
            if c.timeout_count > 0:
                c.timeout_count -= 1
                self._count("timeout")
                return latency, "timeout"
            if self._roll(c.error_rate):
                self._count("error")
                return latency, "error"
            if self._roll(c.timeout_rate):
                self._count("timeout")
                return latency, "timeout"
            return latency, None

    def for_webhook(
        self, event_type: str, endpoint: str | None = None, url: str | None = None
    ) -> WebhookPlan:
        with self._lock:
            c = self.config
            plan = WebhookPlan()
            if c.webhook_types and event_type not in c.webhook_types:
                return plan
            if c.webhook_endpoint and c.webhook_endpoint not in (endpoint, url):
                return plan
            if self._roll(c.webhook_drop_rate):
                plan.drop = True
                plan.faults.append("dropped")
                self._count("webhook_dropped")
                return plan
            if self._roll(c.webhook_duplicate_rate):
                plan.copies = 2
                plan.faults.append("duplicated")
                self._count("webhook_duplicated")
            if self._roll(c.webhook_delay_rate):
                plan.delay += c.webhook_delay_seconds
                plan.faults.append("delayed")
                self._count("webhook_delayed")
            if self._roll(c.webhook_reorder_rate):
                plan.delay += c.webhook_reorder_seconds
                plan.faults.append("reordered")
                self._count("webhook_reordered")
            return plan

    def timeout_seconds(self) -> float:
        with self._lock:
            return self.config.timeout_seconds

    def timeout_after_processing(self) -> bool:
        with self._lock:
            return self.config.timeout_after_processing

    def error_after_processing(self) -> bool:
        with self._lock:
            return self.config.error_after_processing

    def error_status(self) -> int:
        with self._lock:
            return self.config.error_status

    def sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when the server stops."""
        if seconds > 0:
            self.stopping.wait(seconds)
