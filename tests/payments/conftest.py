"""The offline Stripe sandbox over real HTTP, with its webhooks going to a live test server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from secportal.invoicing.services import send_invoice
from secportal.payments import gateway
from secportal.payments.models import ConnectedAccount

from ..conftest import make_tenant
from .webhooks import SECRET


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Any]:
    from stripe_sandbox.testing import SandboxServer

    with SandboxServer(webhook_secret=SECRET, webhook_retry_delays=(0.05, 0.1, 0.2)) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    """The sandbox, reset, sending webhooks to this test's live server; the app pointed at it."""
    sandbox_server.reset()
    sandbox_server.clear_faults()
    sandbox_server.configure(
        webhook_url=f"{live_server.url}/stripe/webhook/",
        webhook_secret=SECRET,
        public_url=sandbox_server.url,
    )
    settings.STRIPE_API_BASE = sandbox_server.url
    settings.STRIPE_SECRET_KEY = "sk_test_secportal"
    settings.STRIPE_WEBHOOK_SECRETS = [SECRET]
    settings.SITE_URL = live_server.url
    yield sandbox_server
    sandbox_server.drain(timeout=5)
    sandbox_server.clear_faults()


URLS = {
    "success_url": "http://testserver/ok?session_id={CHECKOUT_SESSION_ID}",
    "cancel_url": "http://testserver/cancel",
}


def onboarded_tenant(sandbox, name: str | None = None):
    tenant = make_tenant(name)
    account = gateway.create_account(
        email=tenant.owner.email,
        business_name=tenant.workspace.name,
        idempotency_key=f"test-account:{tenant.workspace.pk}",
    )
    sandbox.complete_onboarding(account["id"])
    ConnectedAccount.objects.create(
        workspace=tenant.workspace,
        stripe_account_id=account["id"],
        details_submitted=True,
        charges_enabled=True,
        payouts_enabled=True,
    )
    send_invoice(tenant.invoice.pk, tenant.admin)
    return tenant


def session_creates(sandbox: Any) -> list[dict]:
    """The Checkout Session creations the sandbox received (method, path, key, body, ...)."""
    return [
        r
        for r in sandbox.requests()
        if r["method"] == "POST" and r["path"] == "/v1/checkout/sessions"
    ]
