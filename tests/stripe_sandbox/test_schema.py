"""Every request is checked against Stripe's OpenAPI spec; newer parameters are allowlisted."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
import stripe

from stripe_sandbox.schema import (
    NEWER_PARAMETERS,
    SHIPPED_EXTRACT,
    Schema,
    describe_newer_parameters,
    load_extract,
)
from stripe_sandbox.testing import SandboxServer

from .conftest import (
    API_KEY,
    CONTROLLER,
    checkout_params,
    create_account,
    create_session,
    ready_account,
)

FULL_SPEC = Path("/work/shared/stripe/openapi-spec3-2023-08-16.yaml")


def test_every_request_the_app_sends_passes_the_schema(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = create_account(client)  # controller properties, business_profile, metadata
    client.v1.account_links.create(
        {
            "account": account.id,
            "type": "account_onboarding",
            "refresh_url": "http://app.example/connect/refresh",
            "return_url": "http://app.example/connect/return",
        }
    )
    client.v1.accounts.retrieve(account.id)
    sandbox.complete_onboarding(account.id)
    on_account = {"stripe_account": account.id}
    session = create_session(client, account.id)  # every parameter of point 4
    client.v1.checkout.sessions.retrieve(session.id, None, on_account)
    client.v1.checkout.sessions.list({"status": "open", "limit": 5}, on_account)
    client.v1.checkout.sessions.list({"payment_intent": "pi_none"}, on_account)
    client.v1.checkout.sessions.line_items.list(session.id, None, on_account)
    client.v1.checkout.sessions.expire(session.id, None, on_account)
    paid = create_session(client, account.id)
    sandbox.pay(paid.id)
    paid = client.v1.checkout.sessions.retrieve(paid.id, None, on_account)
    intent = client.v1.payment_intents.retrieve(paid.payment_intent, None, on_account)
    client.v1.charges.retrieve(intent.latest_charge, None, on_account)
    refund = {"charge": intent.latest_charge, "refund_application_fee": True}
    client.v1.refunds.create(
        {**refund, "amount": 100, "metadata": {"reason": "goodwill"}}, on_account
    )
    client.v1.refunds.create({**refund, "reason": "requested_by_customer"}, on_account)
    client.v1.application_fees.list({"limit": 10})
    statuses = [(r["route"], r["status"]) for r in sandbox.requests()]
    assert all(status == 200 for _, status in statuses), statuses
    assert len(statuses) == 16


@pytest.mark.parametrize(
    ("change", "code", "param", "message"),
    [
        ({"foo": "bar"}, "parameter_unknown", "foo", "Received unknown parameter: foo"),
        (
            {"payment_intent_data": {"application_fee_amount": "4.5"}},
            "parameter_invalid_integer",
            "payment_intent_data[application_fee_amount]",
            "Invalid integer: 4.5",
        ),
        (
            {"payment_intent_data": {"application_fee_amount": "abc"}},
            "parameter_invalid_integer",
            "payment_intent_data[application_fee_amount]",
            "Invalid integer: abc",
        ),
        (
            {"mode": "subscriptionx"},
            None,
            "mode",
            "Invalid mode: must be one of payment, setup, or subscription",
        ),
        ({"customer_email": ""}, "parameter_invalid_empty", "customer_email", "empty string"),
        (
            {"line_items": [{"quantity": 1, "price_data": {"currency": "gbp", "unit_amount": 1}}]},
            None,
            None,
            None,
        ),
        (
            {"payment_intent_data": {"fee": 1}},
            "parameter_unknown",
            "payment_intent_data[fee]",
            "Received unknown parameter: payment_intent_data[fee]",
        ),
        ({"success_url": None}, "parameter_missing", "success_url", "Missing required param"),
    ],
)
def test_malformed_checkout_requests_fail_like_stripe(
    sandbox: SandboxServer,
    client: stripe.StripeClient,
    change: dict[str, object],
    code: str | None,
    param: str | None,
    message: str | None,
) -> None:
    account = ready_account(client, sandbox)
    params = checkout_params(**change)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params, {"stripe_account": account})
    error = caught.value
    assert error.http_status == 400
    if param is None:  # product_data missing: a required nested param
        assert error.code == "parameter_missing"
        return
    assert error.code == code
    assert error.param == param
    assert message in str(error.user_message)
    assert error.json_body["error"]["type"] == "invalid_request_error"


def test_bad_enum_on_account_links_bypasses_validation_then_fails_on_business_rules(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = create_account(client)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.account_links.create(
            {
                "account": account.id,
                "type": "nope",
                "refresh_url": "http://a.example/r",
                "return_url": "http://a.example/x",
            }
        )
    assert caught.value.param == "type"


def test_controller_properties_are_newer_than_the_spec_and_allowlisted() -> None:
    extract = load_extract()
    spec_account_params = extract["operations"]["POST /v1/accounts"]["body"]["properties"]
    assert "controller" not in spec_account_params  # not in the 2023-08-16 spec
    assert "type" in spec_account_params
    assert ("POST", "/v1/accounts") in NEWER_PARAMETERS
    described = describe_newer_parameters()
    for leaf in (
        "controller[fees][payer]",
        "controller[losses][payments]",
        "controller[requirement_collection]",
        "controller[stripe_dashboard][type]",
    ):
        assert f"POST /v1/accounts {leaf}" in described
    schema = Schema(extract)
    params, newer = schema.validate("POST", "/v1/accounts", {"controller": CONTROLLER})
    assert params["controller"]["stripe_dashboard"]["type"] == "full"
    assert newer == ["controller"]
    with pytest.raises(Exception, match="Received unknown parameter: controller\\[foo\\]"):
        schema.validate("POST", "/v1/accounts", {"controller": {"foo": "x"}})
    with pytest.raises(Exception, match="Invalid payer"):
        schema.validate("POST", "/v1/accounts", {"controller": {"fees": {"payer": "me"}}})


def test_use_of_an_allowlisted_parameter_is_logged(
    sandbox: SandboxServer, client: stripe.StripeClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="stripe_sandbox"):
        create_account(client)
    assert any("newer than Stripe's 2023-08-16 spec" in r.getMessage() for r in caplog.records)


def test_coercion_to_the_schemas_types() -> None:
    schema = Schema(load_extract())
    params, _ = schema.validate(
        "POST",
        "/v1/refunds",
        {"charge": "ch_1", "amount": "500", "refund_application_fee": "true", "metadata": ""},
    )
    assert params == {
        "charge": "ch_1",
        "amount": 500,
        "refund_application_fee": True,
        "metadata": "",
    }
    with pytest.raises(Exception, match="Invalid boolean: yes"):
        schema.validate("POST", "/v1/refunds", {"refund_application_fee": "yes"})
    with pytest.raises(Exception, match="Invalid reason"):
        schema.validate("POST", "/v1/refunds", {"reason": "because"})
    listed, _ = schema.validate("GET", "/v1/events", {"types": {"1": "b", "0": "a"}})
    assert listed["types"] == ["a", "b"]
    with pytest.raises(Exception, match="Invalid array"):
        schema.validate("GET", "/v1/events", {"types": "a"})


def test_get_parameters_are_checked_too(sandbox: SandboxServer) -> None:
    response = requests.get(
        f"{sandbox.url}/v1/application_fees?limit=ten&nope=1",
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parameter_unknown"
    response = requests.get(
        f"{sandbox.url}/v1/application_fees?limit=ten",
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=5,
    )
    assert response.json()["error"]["code"] == "parameter_invalid_integer"


@pytest.mark.skipif(not FULL_SPEC.exists(), reason="the full OpenAPI spec is not on this machine")
def test_the_shipped_extract_matches_the_full_spec_and_is_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_SANDBOX_CACHE_DIR", str(tmp_path))
    from_spec = load_extract(FULL_SPEC)
    shipped = json.loads(SHIPPED_EXTRACT.read_text())
    assert from_spec["operations"] == shipped["operations"]
    assert from_spec["api_version"] == "2023-08-16"
    cached = list(tmp_path.glob("stripe-sandbox-spec-*.json"))
    assert len(cached) == 1
    started = time.perf_counter()
    again = load_extract(FULL_SPEC)
    assert time.perf_counter() - started < 0.5  # from the cache, not the 4 MB YAML
    assert again == from_spec
