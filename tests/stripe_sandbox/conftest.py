"""One sandbox for the whole suite (reset before each test), the SDK pointed at it, and a tiny
HTTP server that receives its webhooks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe

from stripe_sandbox.testing import SandboxServer

SECRET = "whsec_sandbox_suite"
API_KEY = "sk_test_sandbox_suite"


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    with SandboxServer(webhook_secret=SECRET, webhook_retry_delays=(0.05, 0.1, 0.2)) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxServer]:
    sandbox_server.clear_faults()
    sandbox_server.configure(
        webhook_url="", webhook_secret=SECRET, webhook_retry_delays=[0.05, 0.1, 0.2]
    )
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.clear_faults()
    sandbox_server.configure(webhook_url="")
    sandbox_server.reset()


def make_client(url: str, *, retries: int = 0, timeout: float = 10) -> stripe.StripeClient:
    return stripe.StripeClient(
        API_KEY,
        base_addresses={"api": url, "connect": url},
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


@pytest.fixture
def client(sandbox: SandboxServer) -> stripe.StripeClient:
    return make_client(sandbox.url)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """Collects POSTs; answers with ``statuses`` in turn (then 200)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        self.in_flight = 0
        self.most_at_once = 0  # the most requests being answered at the same time
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._cond:
                    receiver.in_flight += 1
                    receiver.most_at_once = max(receiver.most_at_once, receiver.in_flight)
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver._cond:
                    receiver.in_flight -= 1
                    receiver.received.append(Received(dict(self.headers.items()), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver._cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def wait_for(self, count: int, timeout: float = 5) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self.received)

    def events(self) -> list[dict[str, Any]]:
        import json

        return [json.loads(r.body) for r in self.received]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver(sandbox: SandboxServer) -> Iterator[WebhookReceiver]:
    hooks = WebhookReceiver()
    sandbox.configure(webhook_url=hooks.url)
    yield hooks
    sandbox.configure(webhook_url="")
    hooks.stop()


# Objects the app's way -----------------------------------------------------------------------

CONTROLLER = {
    "fees": {"payer": "account"},
    "losses": {"payments": "stripe"},
    "requirement_collection": "stripe",
    "stripe_dashboard": {"type": "full"},
}


def create_account(client: stripe.StripeClient, **overrides: Any) -> Any:
    params: dict[str, Any] = {
        "email": "owner@consultancy.example",
        "business_profile": {"name": "Redteam Ltd"},
        "controller": CONTROLLER,
        "metadata": {"platform": "secportal"},
    }
    params.update(overrides)
    return client.v1.accounts.create(params)


def ready_account(client: stripe.StripeClient, sandbox: SandboxServer) -> str:
    account = create_account(client)
    sandbox.complete_onboarding(account.id)
    return str(account.id)


def checkout_params(**overrides: Any) -> dict[str, Any]:
    metadata = {"invoice": "inv_pub_1", "workspace": "ws_1"}
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "gbp",
                    "unit_amount": 125000,
                    "product_data": {"name": "Invoice INV-0001", "description": "Web app pentest"},
                },
            }
        ],
        "customer_email": "ap@client.example",
        "client_reference_id": "inv_pub_1",
        "metadata": metadata,
        "payment_intent_data": {
            "application_fee_amount": 4375,
            "metadata": metadata,
            "description": "Invoice INV-0001",
        },
        "success_url": "http://app.example/pay/done?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://app.example/pay/cancelled",
        "expires_at": int(time.time()) + 3600,
    }
    params.update(overrides)
    return params


def create_session(client: stripe.StripeClient, account: str | None, **overrides: Any) -> Any:
    options: dict[str, Any] = {"stripe_account": account} if account else {}
    return client.v1.checkout.sessions.create(checkout_params(**overrides), options)


def paid_session(client: stripe.StripeClient, sandbox: SandboxServer) -> tuple[str, Any]:
    """(account id, the paid session with payment_intent.latest_charge expanded)."""
    account = ready_account(client, sandbox)
    session = create_session(client, account)
    assert sandbox.pay(session.id)["outcome"] == "succeeded"
    paid = client.v1.checkout.sessions.retrieve(
        session.id, {"expand": ["payment_intent.latest_charge"]}, {"stripe_account": account}
    )
    return account, paid
