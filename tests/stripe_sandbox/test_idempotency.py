"""Idempotency keys: replays, mismatches, per-account scope, what is (not) stored."""

from __future__ import annotations

import pytest
import requests
import stripe

from stripe_sandbox.testing import SandboxServer

from .conftest import API_KEY, checkout_params, create_account, ready_account


def test_same_key_same_parameters_replays_the_stored_answer(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    options = {"stripe_account": account, "idempotency_key": "invoice-1-attempt-1"}
    params = checkout_params()
    first = client.v1.checkout.sessions.create(params, options)
    second = client.v1.checkout.sessions.create(params, options)
    assert second.id == first.id
    assert first.last_response.headers.get("Idempotent-Replayed") is None
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert second.last_response.headers["Original-Request"] == first.last_response.request_id
    assert sandbox.counters()["objects"]["checkout.session"] == 1
    logged = sandbox.requests(route="/v1/checkout/sessions")
    assert [e["replayed"] for e in logged] == [False, True]
    assert {e["idempotency_key"] for e in logged} == {"invoice-1-attempt-1"}


def test_same_key_different_parameters_is_an_idempotency_error(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    options = {"stripe_account": account, "idempotency_key": "invoice-1-attempt-1"}
    client.v1.checkout.sessions.create(checkout_params(), options)
    with pytest.raises(stripe.IdempotencyError) as caught:
        client.v1.checkout.sessions.create(checkout_params(customer_email="x@y.example"), options)
    assert caught.value.http_status == 400
    assert "can only be used with the same parameters" in str(caught.value.user_message)
    with pytest.raises(stripe.IdempotencyError) as caught:
        client.v1.refunds.create({"charge": "ch_1"}, options)
    assert "same endpoint" in str(caught.value.user_message)


def test_keys_are_scoped_per_account(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    first, second = ready_account(client, sandbox), ready_account(client, sandbox)
    params = checkout_params()
    a = client.v1.checkout.sessions.create(
        params, {"stripe_account": first, "idempotency_key": "k"}
    )
    b = client.v1.checkout.sessions.create(
        params, {"stripe_account": second, "idempotency_key": "k"}
    )
    assert a.id != b.id
    platform = client.v1.accounts.create({"type": "standard"}, {"idempotency_key": "k"})
    assert platform.id.startswith("acct_")


def test_validation_failures_are_not_stored_but_business_errors_are(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    options = {"stripe_account": account, "idempotency_key": "k1"}
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.create(checkout_params(foo="bar"), options)
    created = client.v1.checkout.sessions.create(checkout_params(), options)
    assert created.status == "open"
    too_big = checkout_params(payment_intent_data={"application_fee_amount": 10**7})
    options["idempotency_key"] = "k2"
    for replayed in (None, "true"):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            client.v1.checkout.sessions.create(too_big, options)
        assert caught.value.headers.get("Idempotent-Replayed") == replayed


def test_gets_ignore_idempotency_keys(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    account = create_account(client)
    headers = {"Authorization": f"Bearer {API_KEY}", "Idempotency-Key": "same"}
    one = requests.get(f"{sandbox.url}/v1/accounts/{account.id}", headers=headers, timeout=5)
    two = requests.get(f"{sandbox.url}/v1/accounts/{account.id}", headers=headers, timeout=5)
    assert "Idempotent-Replayed" not in two.headers
    assert one.json()["id"] == two.json()["id"]


def test_a_key_still_in_progress_is_a_409(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    store = sandbox.sandbox.store
    with store.lock:
        store.idempotency["|test|busy"] = {
            "in_progress": True,
            "method": "POST",
            "path": "/v1/accounts",
            "fingerprint": "{}",
        }
    with pytest.raises(stripe.StripeError) as caught:  # the SDK retries 409s when allowed
        client.v1.accounts.create({"type": "standard"}, {"idempotency_key": "busy"})
    assert caught.value.http_status == 409
    assert caught.value.json_body["error"]["code"] == "idempotency_key_in_use"
    assert caught.value.json_body["error"]["type"] == "idempotency_error"


def test_a_500_after_processing_is_stored_and_replayed(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    options = {"stripe_account": account, "idempotency_key": "invoice-9-attempt-1"}
    sandbox.set_faults(
        error_count=1,
        error_status=500,
        error_after_processing=True,
        path="^/v1/checkout/sessions$",
        method="POST",
    )
    params = checkout_params()
    with pytest.raises(stripe.APIError) as first:
        client.v1.checkout.sessions.create(params, options)
    assert first.value.http_status == 500
    assert sandbox.counters()["objects"]["checkout.session"] == 1  # it was executed
    with pytest.raises(stripe.APIError) as again:  # the fault is spent: this is the replay
        client.v1.checkout.sessions.create(params, options)
    assert again.value.http_status == 500
    assert again.value.headers["Idempotent-Replayed"] == "true"
    assert again.value.json_body == first.value.json_body
    assert sandbox.counters()["objects"]["checkout.session"] == 1
    fresh = client.v1.checkout.sessions.create(
        checkout_params(), {"stripe_account": account, "idempotency_key": "invoice-9-attempt-2"}
    )
    assert fresh.id.startswith("cs_test_")
    assert [e["replayed"] for e in sandbox.requests(route="/v1/checkout/sessions")] == [
        False,
        True,
        False,
    ]


def test_a_500_before_processing_is_not_stored(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    sandbox.set_faults(error_count=1, error_status=500, path="^/v1/accounts$", method="POST")
    with pytest.raises(stripe.APIError):
        client.v1.accounts.create({"type": "standard"}, {"idempotency_key": "k-500"})
    account = client.v1.accounts.create({"type": "standard"}, {"idempotency_key": "k-500"})
    assert account.last_response.headers.get("Idempotent-Replayed") is None


def test_a_validation_400_is_not_stored(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.accounts.create({"type": "standard", "nope": 1}, {"idempotency_key": "k-400"})
    assert caught.value.code == "parameter_unknown"
    account = client.v1.accounts.create({"type": "standard"}, {"idempotency_key": "k-400"})
    assert account.last_response.headers.get("Idempotent-Replayed") is None


def test_an_unknown_stripe_version_is_refused(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.list(None, {"stripe_version": "2099-01-01.nope"})
    assert caught.value.http_status == 400
    assert "Invalid Stripe API version: 2099-01-01.nope" in str(caught.value.user_message)
    older = requests.get(
        f"{sandbox.url}/v1/customers",
        headers={"Authorization": f"Bearer {API_KEY}", "Stripe-Version": "2023-08-16"},
        timeout=5,
    )
    assert older.status_code == 200
    assert older.headers["Stripe-Version"] == "2023-08-16"
