"""Every request is checked against endive's parameters (built from the SDK's param types)."""

from __future__ import annotations

import json

import pytest
import requests
import stripe

from stripe_sandbox.schema import Schema, load_extract
from stripe_sandbox.schema_build import SHIPPED_EXTRACT, build_extract
from stripe_sandbox.testing import SandboxServer

from .conftest import (
    API_KEY,
    CONTROLLER,
    checkout_params,
    create_account,
    create_session,
    ready_account,
)


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


def test_controller_properties_are_endive_parameters() -> None:
    extract = load_extract()
    assert extract["api_version"] == "2026-10-28.endive"
    account_params = extract["operations"]["POST /v1/accounts"]["params"]["properties"]
    assert "controller" in account_params
    schema = Schema(extract)
    params = schema.validate("POST", "/v1/accounts", {"controller": CONTROLLER})
    assert params["controller"]["stripe_dashboard"]["type"] == "full"
    with pytest.raises(Exception, match="Received unknown parameter: controller\\[foo\\]"):
        schema.validate("POST", "/v1/accounts", {"controller": {"foo": "x"}})
    with pytest.raises(Exception, match="Invalid payer"):
        schema.validate("POST", "/v1/accounts", {"controller": {"fees": {"payer": "me"}}})


def test_payment_method_types_is_refused_at_endive(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        create_session(client, account, payment_method_types=["card"])
    assert caught.value.code == "parameter_unknown"
    assert caught.value.param == "payment_method_types"
    session = create_session(client, account, allowed_payment_method_types=["card"])
    assert session.payment_method_types == ["card"]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        create_session(client, account, allowed_payment_method_types=["cheque"])
    assert caught.value.param == "allowed_payment_method_types[0]"
    assert "Invalid allowed_payment_method_types[0]" not in str(caught.value.user_message)


def test_the_shipped_extract_is_the_installed_sdks() -> None:
    shipped = json.loads(SHIPPED_EXTRACT.read_text())
    built = build_extract()
    assert shipped["operations"] == built["operations"]
    assert shipped["api_version"] == built["api_version"] == stripe.api_version
    # No allowlist any more: every parameter comes from the SDK's types.
    sessions = shipped["operations"]["POST /v1/checkout/sessions"]["params"]["properties"]
    assert "allowed_payment_method_types" in sessions
    assert "payment_method_types" not in sessions


def test_coercion_to_the_schemas_types() -> None:
    schema = Schema(load_extract())
    params = schema.validate(
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
    listed = schema.validate("GET", "/v1/events", {"types": {"1": "b", "0": "a"}})
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
