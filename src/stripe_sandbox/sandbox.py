"""The sandbox itself: configuration, objects, events, clock and logs, without HTTP.

:class:`Sandbox` is what the HTTP layer (:mod:`stripe_sandbox.server`), the hosted pages and
the control API call into. Resource logic lives in :mod:`stripe_sandbox.resources`.
"""

from __future__ import annotations

import collections
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import DEFAULT_API_VERSION, ids
from .errors import StripeError, invalid
from .faults import Faults
from .schema import Schema
from .store import Store, clone
from .webhooks import Dispatcher, WebhookSettings

logger = logging.getLogger("stripe_sandbox")

PLATFORM_ACCOUNT = "acct_1SandboxPlatform0000"
PLATFORM_APPLICATION = "ca_SandboxPlatformApplication0"
IDEMPOTENCY_TTL = 24 * 60 * 60


@dataclass
class Config:
    public_url: str = ""
    webhook_url: str | None = None
    webhook_secret: str = "whsec_test"
    webhook_retry_delays: tuple[float, ...] = (2.0, 10.0, 30.0, 120.0, 300.0)
    webhook_timeout: float = 10.0
    api_key_prefix: str = "sk_test_"
    api_version: str = DEFAULT_API_VERSION
    account_link_ttl: int = 300
    platform_name: str = "Sandbox platform"
    sweep_interval: float = 1.0
    livemode: bool = False  # every request as if made with a live key
    bank_debit_delay: int = 60  # seconds (sandbox clock) before a bank debit settles
    bank_debit_delay_late: int = 180  # the test accounts that settle "after three minutes"
    refund_delay: int = 60  # seconds before a pending refund settles

    def public(self) -> dict[str, Any]:
        return {
            "public_url": self.public_url,
            "webhook_url": self.webhook_url,
            "webhook_secret": self.webhook_secret,
            "webhook_retry_delays": list(self.webhook_retry_delays),
            "webhook_timeout": self.webhook_timeout,
            "api_key_prefix": self.api_key_prefix,
            "api_version": self.api_version,
            "account_link_ttl": self.account_link_ttl,
            "livemode": self.livemode,
            "bank_debit_delay": self.bank_debit_delay,
            "bank_debit_delay_late": self.bank_debit_delay_late,
            "refund_delay": self.refund_delay,
        }


@dataclass
class Ctx:
    """Who asks: the ``Stripe-Account`` (``None``: the platform), and the request."""

    account: str | None = None
    request_id: str | None = None
    idempotency_key: str | None = None
    api_version: str = DEFAULT_API_VERSION
    livemode: bool = False


class Sandbox:
    def __init__(
        self,
        config: Config | None = None,
        *,
        schema: Schema | None = None,
        state_path: str | None = None,
        spec_path: str | None = None,
    ) -> None:
        self.config = config or Config()
        self.schema = schema or Schema.load(spec_path)
        self.store = Store(state_path)
        self.faults = Faults()
        self.webhooks = Dispatcher(self.webhook_settings, self.faults)
        self.known_versions = set(self.schema.known_api_versions()) | {self.config.api_version}
        self.request_log: collections.deque[dict[str, Any]] = collections.deque(maxlen=20000)
        self.counters: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None
        self._config_lock = threading.Lock()
        if self.store.load():
            logger.info("loaded state from %s", state_path)

    # Lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self.webhooks.start()
        self._sweeper = threading.Thread(
            target=self._sweep_loop, name="stripe-sandbox-expiry", daemon=True
        )
        self._sweeper.start()

    def stop(self) -> None:
        self._stop.set()
        self.faults.stopping.set()
        self.webhooks.stop()
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
        self.store.save()

    def _sweep_loop(self) -> None:
        while not self._stop.wait(self.config.sweep_interval):
            try:
                from .resources import checkout

                with self.store.lock:
                    checkout.expire_due(self)
                    self.run_due()
                    self._prune_idempotency()
                    self.store.save()
            except Exception:
                logger.exception("expiry sweep failed")

    def _prune_idempotency(self) -> None:
        """Stripe forgets idempotency keys after 24 hours."""
        cutoff = time.time() - IDEMPOTENCY_TTL
        stale = [
            key
            for key, record in self.store.idempotency.items()
            if not record.get("in_progress") and record.get("created", cutoff) < cutoff
        ]
        for key in stale:
            del self.store.idempotency[key]
        if stale:
            self.store.touch()

    def reset(self) -> None:
        with self.store.lock:
            self.store.clear()
            self.request_log.clear()
            self.counters.clear()
            self.webhooks.reset()
            self.store.save(force=True)

    # Configuration ------------------------------------------------------------------------

    def webhook_settings(self) -> WebhookSettings:
        with self._config_lock:
            c = self.config
            return WebhookSettings(
                c.webhook_url, c.webhook_secret, c.webhook_retry_delays, c.webhook_timeout
            )

    def configure(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._config_lock:
            c = self.config
            for key, value in params.items():
                if key == "webhook_url":
                    c.webhook_url = str(value) or None
                elif key == "webhook_secret":
                    c.webhook_secret = str(value)
                elif key == "public_url":
                    c.public_url = str(value).rstrip("/")
                elif key == "webhook_retry_delays":
                    items = value.split(",") if isinstance(value, str) else value
                    c.webhook_retry_delays = tuple(float(v) for v in items if str(v).strip())
                elif key == "webhook_timeout":
                    c.webhook_timeout = float(value)
                elif key == "api_version":
                    c.api_version = str(value)
                elif key == "account_link_ttl":
                    c.account_link_ttl = int(value)
                elif key == "livemode":
                    c.livemode = value if isinstance(value, bool) else str(value) == "true"
                elif key in ("bank_debit_delay", "bank_debit_delay_late", "refund_delay"):
                    setattr(c, key, int(value))
                else:
                    raise invalid(f"Unknown setting: {key}", param=key)
            return c.public()

    # Clock -----------------------------------------------------------------------------

    def now(self) -> int:
        return int(time.time() + self.store.clock_offset)

    def advance_clock(self, seconds: float) -> int:
        with self.store.lock:
            self.store.clock_offset += seconds
            self.store.touch()
            from .resources import checkout

            checkout.expire_due(self)
            self.run_due()
            self.store.save()
            return self.now()

    def schedule(self, at: int, action: str, **data: Any) -> None:
        """Run ``action`` (a name in :data:`stripe_sandbox.resources.scheduled.ACTIONS`) when the
        sandbox clock reaches ``at`` (the sweeper and ``POST /_sandbox/clock`` run what is due)."""
        self.store.scheduled.append({"at": at, "action": action, "data": data})
        self.store.touch()

    def run_due(self) -> int:
        from .resources import scheduled

        done = 0
        while True:
            now = self.now()
            due = [job for job in self.store.scheduled if job["at"] <= now]
            if not due:
                return done
            job = min(due, key=lambda j: j["at"])
            self.store.scheduled.remove(job)
            self.store.touch()
            saved = self.store.livemode
            try:
                scheduled.run(self, job["action"], job["data"])
            except Exception:
                logger.exception("scheduled %s failed", job["action"])
            finally:
                self.store.livemode = saved
            done += 1

    # Objects and events ----------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.config.public_url.rstrip("/") + path

    def emit(
        self,
        event_type: str,
        obj: dict[str, Any],
        *,
        account: str | None,
        ctx: Ctx | None = None,
        previous: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record an event (a snapshot of ``obj``) and queue its webhooks, one per endpoint that
        listens: platform endpoints for the platform's events, Connect endpoints for connected
        accounts' events, each filtered by its ``enabled_events`` (and the demo's
        ``--webhook-url``, which gets every event)."""
        from .resources import webhook_endpoints

        livemode = bool(obj.get("livemode", self.store.livemode))
        event: dict[str, Any] = {"id": ids.new_id("event"), "object": "event"}
        if account:
            event["account"] = account
        targets = webhook_endpoints.targets(self, event_type, account, livemode)
        event.update(
            {
                "api_version": self.config.api_version,
                "created": self.now(),
                "data": {"object": clone(obj)},
                "livemode": livemode,
                "pending_webhooks": len(targets),
                "request": {
                    "id": ctx.request_id if ctx else None,
                    "idempotency_key": ctx.idempotency_key if ctx else None,
                },
                "type": event_type,
            }
        )
        if previous is not None:
            event["data"]["previous_attributes"] = clone(previous)
        self.store.add(event, account)
        if targets:
            self.webhooks.enqueue(event, json.dumps(event, indent=2).encode("utf-8"), targets)
        return event

    def list_response(
        self,
        objects: list[dict[str, Any]],
        url: str,
        params: dict[str, Any],
        *,
        transform: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Stripe's list object, newest first; ``limit``, ``starting_after``, ``ending_before``."""
        newest_first = list(reversed(objects))
        limit = params.get("limit", 10)
        if not 1 <= limit <= 100:
            raise invalid(
                "This value must be greater than or equal to 1 and less than or equal to 100.",
                param="limit",
            )
        order = [o["id"] for o in newest_first]
        if params.get("starting_after"):
            cursor = params["starting_after"]
            if cursor not in order:
                raise invalid(
                    f"No such object: '{cursor}'", param="starting_after", code="resource_missing"
                )
            rest = newest_first[order.index(cursor) + 1 :]
            page, has_more = rest[:limit], len(rest) > limit
        elif params.get("ending_before"):
            cursor = params["ending_before"]
            if cursor not in order:
                raise invalid(
                    f"No such object: '{cursor}'", param="ending_before", code="resource_missing"
                )
            before = newest_first[: order.index(cursor)]
            page, has_more = before[-limit:], len(before) > limit
        else:
            page, has_more = newest_first[:limit], len(newest_first) > limit
        data = [transform(o) if transform else clone(o) for o in page]
        return {"object": "list", "data": data, "has_more": has_more, "url": url}

    def expand(self, obj: dict[str, Any], paths: list[str], owner: str | None) -> dict[str, Any]:
        for path in paths:
            self._expand_path(obj, path.split("."), owner, path)
        return obj

    def _expand_path(self, obj: Any, parts: list[str], owner: str | None, full: str) -> None:
        if not parts or not isinstance(obj, dict):
            return
        head, rest = parts[0], parts[1:]
        if obj.get("object") == "list" and head == "data":
            for item in obj.get("data", []):
                self._expand_path(item, rest, owner, full)
            return
        if head not in obj:
            if head == "refunds" and obj.get("object") == "charge":
                found = self.store.of_kind("refund", where=lambda r: r["charge"] == obj["id"])
                obj["refunds"] = self.list_response(
                    found, f"/v1/charges/{obj['id']}/refunds", {"limit": 100}
                )
                obj["refunds"]["total_count"] = len(found)
                self._expand_path(obj["refunds"], rest, owner, full)
                return
            if head == "line_items" and obj.get("object") == "checkout.session":
                from .resources import checkout

                obj["line_items"] = checkout.line_items_list(self, obj["id"], {"limit": 100})
                self._expand_path(obj["line_items"], rest, owner, full)
                return
            message = f"This property cannot be expanded ({full})."
            if obj.get("object") == "list":
                message += f" You may want to try expanding 'data.{full}' instead."
            raise invalid(message, param="expand")
        value = obj[head]
        if isinstance(value, str):
            target = self.store.get(value)
            if target is None:
                return
            value = clone(target)
            obj[head] = value
        self._expand_path(value, rest, owner, full)

    # Logs ---------------------------------------------------------------------------------

    def record_request(self, entry: dict[str, Any]) -> None:
        self.request_log.append(entry)
        self.counters[f"{entry['method']} {entry['route']}"] += 1

    def counters_view(self) -> dict[str, Any]:
        with self.store.lock:
            events: collections.Counter[str] = collections.Counter(
                e["type"] for e in self.store.of_kind("event")
            )
            responses: collections.Counter[str] = collections.Counter(
                f"{e['method']} {e['route']} {e['status']}" for e in self.request_log
            )
            return {
                "requests": dict(sorted(self.counters.items())),
                "responses": dict(sorted(responses.items())),
                "objects": self.store.counts(),
                "events": dict(sorted(events.items())),
                "webhooks": dict(sorted(self.webhooks.snapshot()[1].items())),
                "faults": dict(sorted(self.faults.injected.items())),
            }


def require(condition: bool, error: StripeError) -> None:
    if not condition:
        raise error
