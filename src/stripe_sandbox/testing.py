"""Run the sandbox inside a test process: a real HTTP server on a free port, in a thread.

Example::

    from stripe_sandbox.testing import SandboxServer

    with SandboxServer(webhook_url="http://127.0.0.1:8000/stripe/webhook/") as sandbox:
        client = stripe.StripeClient("sk_test_x", base_addresses={"api": sandbox.url})
        account = client.v1.accounts.create({"type": "standard"})
        sandbox.complete_onboarding(account.id)
        session = client.v1.checkout.sessions.create({...}, {"stripe_account": account.id})
        sandbox.pay(session.id)                      # the test card 4242 4242 4242 4242
        assert sandbox.drain()                       # every webhook delivered
        assert [e["type"] for e in sandbox.events()][-1] == "checkout.session.completed"

Every helper calls the control API (``/_sandbox/...``) over HTTP, so they work the same against
a sandbox started with ``python -m stripe_sandbox`` (use :class:`SandboxClient` for that).
"""

from __future__ import annotations

import http.client
import json
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

from . import DEFAULT_API_VERSION
from .sandbox import Config, Sandbox

__all__ = ["SandboxClient", "SandboxError", "SandboxServer"]


class SandboxError(Exception):
    """The control API answered with an error status."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"sandbox answered {status}: {body}")
        self.status = status
        self.body = body


class SandboxClient:
    """Helpers over the control API of a sandbox running at ``url``."""

    def __init__(self, url: str, api_key: str = "sk_test_sandbox", timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    @property
    def api_base(self) -> str:
        return self.url

    def control(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        ok: tuple[int, ...] = (200,),
        wait: float = 0,
    ) -> Any:
        """Call ``/_sandbox/<path>``; the decoded JSON answer (raises :class:`SandboxError`).
        ``wait``: how long the sandbox may take to answer (a drain), beyond the usual timeout."""
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=self.timeout + wait
        )
        target = "/_sandbox/" + path.lstrip("/")
        if params:
            target += "?" + urlencode({k: v for k, v in params.items() if v is not None})
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        try:
            connection.request(method, target, body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        data = json.loads(raw) if raw else None
        if response.status not in ok:
            raise SandboxError(response.status, data)
        return data

    # Logs ----------------------------------------------------------------------------------

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """API requests received, oldest first: method, path, route, account, idempotency_key,
        stripe_version, body (the raw form), status, replayed, fault, error (code)."""
        data: list[dict[str, Any]] = self.control("GET", "requests", params=filters)["data"]
        return data

    def events(self, type: str | None = None, account: str | None = None) -> list[dict[str, Any]]:
        """Every event (all accounts), oldest first."""
        data: list[dict[str, Any]] = self.control(
            "GET", "events", params={"type": type, "account": account}
        )["data"]
        return data

    def webhooks(self) -> list[dict[str, Any]]:
        """Delivery attempts: event, type, attempt, status, outcome, error, faults."""
        data: list[dict[str, Any]] = self.control("GET", "webhooks")["data"]
        return data

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until no webhook is queued, waiting for a retry, or in flight."""
        answer = self.control(
            "GET", "webhooks/drain", params={"timeout": timeout}, ok=(200, 504), wait=timeout
        )
        return bool(answer["drained"])

    def counters(self) -> dict[str, Any]:
        """Counts of requests by route, responses by status, objects by type, events by type."""
        data: dict[str, Any] = self.control("GET", "counters")
        return data

    def objects(self, type: str) -> list[dict[str, Any]]:
        """Every stored object of a type (e.g. ``checkout.session``) with its owner account."""
        data: list[dict[str, Any]] = self.control("GET", "objects", params={"type": type})["data"]
        return data

    # Actions -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget all objects, events, logs and pending webhooks (faults and config stay)."""
        self.control("POST", "reset")

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change ``webhook_url``, ``webhook_secret``, ``webhook_retry_delays``, ``public_url``,
        ``webhook_timeout``, ``api_version`` or ``account_link_ttl`` while running."""
        data: dict[str, Any] = self.control("POST", "config", settings)
        return data

    def pay(self, session_id: str, card: str = "4242424242424242", **fields: Any) -> dict[str, Any]:
        """Pay a Checkout Session as the hosted page would (``email``, ``name``, ``expiry``,
        ``cvc`` optional). Returns the outcome: ``{"outcome": "succeeded" | "declined" |
        "invalid" | "not_open", "session": {...}, "payment_intent", "charge", "error"}``."""
        body = {"card": card, **fields}
        data: dict[str, Any] = self.control(
            "POST", f"checkout/{session_id}/pay", body, ok=(200, 400, 402, 409)
        )
        return data

    def expire_session(self, session_id: str) -> dict[str, Any]:
        """Make an open session's ``expires_at`` pass now (emits ``checkout.session.expired``)."""
        data: dict[str, Any] = self.control("POST", f"checkout/{session_id}/expire")
        return data

    def complete_onboarding(self, account_id: str, **flags: bool) -> dict[str, Any]:
        """What **Complete onboarding** does (``charges_enabled``/``payouts_enabled`` optional)."""
        data: dict[str, Any] = self.control("POST", f"accounts/{account_id}/onboard", flags)
        return data

    def deauthorize(self, account_id: str) -> dict[str, Any]:
        """Disconnect an account; returns the ``account.application.deauthorized`` event."""
        data: dict[str, Any] = self.control("POST", f"accounts/{account_id}/deauthorize")
        return data

    def advance_clock(self, seconds: float) -> int:
        """Move the sandbox's clock forward (sessions and links expire); the new time."""
        return int(self.control("POST", "clock", {"advance": seconds})["now"])

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        """Replace the fault configuration (see :class:`stripe_sandbox.faults.FaultConfig`)."""
        data: dict[str, Any] = self.control("POST", "faults", faults)
        return data

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def client(self, **options: Any) -> Any:
        """A ``stripe.StripeClient`` pointed at this sandbox (needs the ``stripe`` package)."""
        import stripe

        options.setdefault("base_addresses", {"api": self.url, "connect": self.url})
        return stripe.StripeClient(options.pop("api_key", self.api_key), **options)


class SandboxServer(SandboxClient):
    """A sandbox on a free port of 127.0.0.1, served from a background thread.

    Use ``start()``/``stop()`` or ``with SandboxServer(...) as sandbox:``. ``url`` (also
    ``api_base`` and, unless given, ``public_url``) is ``http://127.0.0.1:PORT``.
    """

    def __init__(
        self,
        webhook_url: str | None = None,
        webhook_secret: str = "whsec_test",  # noqa: S107 (a test secret)
        webhook_retry_delays: tuple[float, ...] = (0.05, 0.1, 0.2),
        api_key_prefix: str = "sk_test_",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        public_url: str | None = None,
        state_path: str | None = None,
        spec_path: str | None = None,
        webhook_timeout: float = 5.0,
        sweep_interval: float = 0.2,
        api_version: str = DEFAULT_API_VERSION,
    ) -> None:
        super().__init__("http://127.0.0.1:0", api_key=f"{api_key_prefix}sandbox")
        self.config = Config(
            public_url=(public_url or "").rstrip("/"),
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_retry_delays=tuple(webhook_retry_delays),
            webhook_timeout=webhook_timeout,
            api_key_prefix=api_key_prefix,
            api_version=api_version,
            sweep_interval=sweep_interval,
        )
        self._host = host
        self._port = port
        self._state_path = state_path
        self._spec_path = spec_path
        self._runner: Any = None

    @property
    def public_url(self) -> str:
        return self.config.public_url

    @property
    def sandbox(self) -> Sandbox:
        """The in-process :class:`~stripe_sandbox.sandbox.Sandbox` (for inspection)."""
        if self._runner is None:
            raise RuntimeError("the sandbox is not running")
        sandbox: Sandbox = self._runner.sandbox
        return sandbox

    def start(self) -> SandboxServer:
        from .server import Runner

        if self._runner is not None:
            return self
        self._runner = Runner(
            self.config,
            host=self._host,
            port=self._port,
            state_path=self._state_path,
            spec_path=self._spec_path,
        )
        self._runner.start()
        self.url = self._runner.url
        return self

    def stop(self) -> None:
        if self._runner is not None:
            self._runner.stop()
            self._runner = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
