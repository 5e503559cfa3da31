"""Webhook endpoints as Stripe has them: platform vs Connect, own secrets, enabled_events."""

from __future__ import annotations

import pytest
import stripe

from stripe_sandbox.testing import SandboxServer

from .conftest import WebhookReceiver, paid_session


@pytest.fixture
def platform_hooks() -> object:
    hooks = WebhookReceiver()
    yield hooks
    hooks.stop()


@pytest.fixture
def connect_hooks() -> object:
    hooks = WebhookReceiver()
    yield hooks
    hooks.stop()


def test_create_list_retrieve_delete_and_the_secret_once(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    endpoint = client.v1.webhook_endpoints.create(
        {
            "url": "https://app.example/stripe/webhook/",
            "enabled_events": ["checkout.session.completed", "charge.refunded"],
            "connect": True,
            "api_version": "2026-10-28.endive",
            "description": "Connect",
        }
    )
    assert endpoint.id.startswith("we_") and endpoint.secret.startswith("whsec_")
    assert endpoint.status == "enabled" and endpoint.api_version == "2026-10-28.endive"
    again = client.v1.webhook_endpoints.retrieve(endpoint.id)
    assert "secret" not in again
    assert again.enabled_events == ["checkout.session.completed", "charge.refunded"]
    assert [e.id for e in client.v1.webhook_endpoints.list().data] == [endpoint.id]
    deleted = client.v1.webhook_endpoints.delete(endpoint.id)
    assert deleted.deleted is True
    assert client.v1.webhook_endpoints.list().data == []
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.webhook_endpoints.retrieve(endpoint.id)
    assert caught.value.http_status == 404
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.webhook_endpoints.create({"url": "https://a.example/h"})  # type: ignore[typeddict-item]
    assert caught.value.code == "parameter_missing"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.webhook_endpoints.create(
            {"url": "https://a.example/h", "enabled_events": ["*"], "api_version": "1999-01-01"}
        )
    assert caught.value.param == "api_version"


def test_connect_endpoint_gets_only_connected_accounts_subscribed_events(
    sandbox: SandboxServer,
    client: stripe.StripeClient,
    platform_hooks: WebhookReceiver,
    connect_hooks: WebhookReceiver,
) -> None:
    platform = client.v1.webhook_endpoints.create(
        {"url": platform_hooks.url, "enabled_events": ["application_fee.created"]}
    )
    connect = client.v1.webhook_endpoints.create(
        {
            "url": connect_hooks.url,
            "enabled_events": ["checkout.session.completed", "charge.succeeded"],
            "connect": True,
        }
    )
    assert platform.secret != connect.secret
    account, _session = paid_session(client, sandbox)
    assert sandbox.drain()
    connect_events = [
        stripe.Webhook.construct_event(
            r.body.decode(), r.headers["Stripe-Signature"], connect.secret
        )
        for r in connect_hooks.received
    ]
    assert sorted(e.type for e in connect_events) == [
        "charge.succeeded",
        "checkout.session.completed",
    ]
    assert {e.account for e in connect_events} == {account}
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            connect_hooks.received[0].body.decode(),
            connect_hooks.received[0].headers["Stripe-Signature"],
            platform.secret,
        )
    platform_events = [
        stripe.Webhook.construct_event(
            r.body.decode(), r.headers["Stripe-Signature"], platform.secret
        )
        for r in platform_hooks.received
    ]
    assert [e.type for e in platform_events] == ["application_fee.created"]
    assert all("account" not in e for e in platform_events)
    completed = sandbox.events(type="checkout.session.completed")[0]
    assert completed["pending_webhooks"] == 1
    deliveries = {(d["endpoint"], d["type"]) for d in sandbox.webhooks()}
    assert (connect.id, "charge.succeeded") in deliveries
    assert (platform.id, "application_fee.created") in deliveries


def test_a_fault_on_one_endpoint_only(
    sandbox: SandboxServer,
    client: stripe.StripeClient,
    platform_hooks: WebhookReceiver,
    connect_hooks: WebhookReceiver,
) -> None:
    first = client.v1.webhook_endpoints.create(
        {"url": platform_hooks.url, "enabled_events": ["*"], "connect": True}
    )
    client.v1.webhook_endpoints.create(
        {"url": connect_hooks.url, "enabled_events": ["*"], "connect": True}
    )
    sandbox.set_faults(webhook_drop_rate=1, webhook_endpoint=first.id)
    paid_session(client, sandbox)
    assert sandbox.drain()
    assert platform_hooks.received == []
    assert len(connect_hooks.received) >= 4
    dropped = [d for d in sandbox.webhooks() if d["outcome"] == "dropped"]
    assert dropped and {d["endpoint"] for d in dropped} == {first.id}
