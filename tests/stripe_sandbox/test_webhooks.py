"""Webhooks: Stripe's event shape and signature, background delivery, retries."""

from __future__ import annotations

import json
import time

import pytest
import stripe

from stripe_sandbox.testing import SandboxServer
from stripe_sandbox.webhooks import signature_header

from .conftest import SECRET, WebhookReceiver, create_account, paid_session, ready_account


def test_events_are_signed_so_the_sdk_accepts_them(
    sandbox: SandboxServer, client: stripe.StripeClient, receiver: WebhookReceiver
) -> None:
    account, session = paid_session(client, sandbox)
    assert sandbox.drain()
    received = receiver.wait_for(5)
    types = []
    for delivery in received:
        signature = delivery.headers["Stripe-Signature"]
        assert signature.startswith("t=") and ",v1=" in signature
        assert delivery.headers["Content-Type"].startswith("application/json")
        event = stripe.Webhook.construct_event(delivery.body.decode(), signature, SECRET)
        types.append(event.type)
        body = json.loads(delivery.body)
        assert body["id"].startswith("evt_") and body["object"] == "event"
        assert body["api_version"] == "2026-10-28.endive"
        assert body["livemode"] is False and body["pending_webhooks"] == 1
        assert set(body["request"]) == {"id", "idempotency_key"}
        assert isinstance(body["created"], int)
        if body["type"] != "application_fee.created":
            assert body["account"] == account
    assert types == [
        "account.updated",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
        "application_fee.created",
    ]
    completed = receiver.events()[3]["data"]["object"]
    assert completed["id"] == session.id and completed["payment_status"] == "paid"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            received[0].body.decode(), received[0].headers["Stripe-Signature"], "whsec_other"
        )


def test_signature_is_hmac_sha256_of_timestamp_dot_payload() -> None:
    header = signature_header(b'{"a":1}', "whsec_x", 1700000000)
    assert header == (
        "t=1700000000,v1="
        + __import__("hmac").new(b"whsec_x", b'1700000000.{"a":1}', "sha256").hexdigest()
    )


def test_delivery_never_blocks_the_api(
    sandbox: SandboxServer, client: stripe.StripeClient, receiver: WebhookReceiver
) -> None:
    receiver.delay = 1.0
    account = create_account(client)
    started = time.perf_counter()
    client.v1.accounts.update(account.id, {"metadata": {"a": "1"}})
    assert time.perf_counter() - started < 0.5
    assert sandbox.drain(timeout=5)
    assert len(receiver.received) == 1


def test_failed_deliveries_are_retried_with_backoff(
    sandbox: SandboxServer, client: stripe.StripeClient, receiver: WebhookReceiver
) -> None:
    receiver.statuses = [500, 503]
    account = create_account(client)
    client.v1.accounts.update(account.id, {"metadata": {"a": "1"}})
    assert sandbox.drain()
    log = sandbox.webhooks()
    assert [(d["attempt"], d["status"], d["outcome"]) for d in log] == [
        (1, 500, "retrying"),
        (2, 503, "retrying"),
        (3, 200, "delivered"),
    ]
    assert len({json.loads(r.body)["id"] for r in receiver.received}) == 1


def test_deliveries_give_up_after_the_last_retry(
    sandbox: SandboxServer, client: stripe.StripeClient, receiver: WebhookReceiver
) -> None:
    receiver.statuses = [500] * 10
    account = create_account(client)
    client.v1.accounts.update(account.id, {"metadata": {"a": "1"}})
    assert sandbox.drain()
    log = sandbox.webhooks()
    assert [d["attempt"] for d in log] == [1, 2, 3, 4]
    assert log[-1]["outcome"] == "failed"
    assert sandbox.counters()["webhooks"] == {"failed": 1, "retrying": 3}


def test_connection_errors_are_retried(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    closed = WebhookReceiver()
    closed.stop()  # nothing listens there any more
    sandbox.configure(webhook_url=closed.url)
    account = create_account(client)
    client.v1.accounts.update(account.id, {"metadata": {"a": "1"}})
    assert sandbox.drain()
    log = sandbox.webhooks()
    assert len(log) == 4 and all(d["status"] is None and d["error"] for d in log)


def test_events_before_a_webhook_url_is_set_are_not_sent(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    ready_account(client, sandbox)
    [event] = sandbox.events()
    assert event["pending_webhooks"] == 0
    assert sandbox.drain(timeout=0.1)
    assert sandbox.webhooks() == []
