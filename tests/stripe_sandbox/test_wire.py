"""The wire protocol: auth, headers, error bodies, bracket notation, unknown URLs."""

from __future__ import annotations

import pytest
import requests
import stripe

from stripe_sandbox.forms import FormError, decode, split_key
from stripe_sandbox.testing import SandboxServer

from .conftest import API_KEY, create_account, make_client


def test_missing_api_key_is_401_with_stripes_error_body(sandbox: SandboxServer) -> None:
    response = requests.get(f"{sandbox.url}/v1/events", timeout=5)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("You did not provide an API key.")
    assert response.headers["Request-Id"].startswith("req_")


def test_wrong_key_prefix_is_401_through_the_sdk(sandbox: SandboxServer) -> None:
    client = stripe.StripeClient("pk_test_abcdefghijklmnop", base_addresses={"api": sandbox.url})
    with pytest.raises(stripe.AuthenticationError) as caught:
        client.v1.events.list()
    assert caught.value.http_status == 401
    assert "Invalid API Key provided: pk_test_" in str(caught.value.user_message)
    assert "abcdefghijkl" not in str(caught.value.user_message)  # masked


def test_basic_auth_like_curl_u_is_accepted(sandbox: SandboxServer) -> None:
    response = requests.get(f"{sandbox.url}/v1/events", auth=(API_KEY, ""), timeout=5)
    assert response.status_code == 200
    assert response.json()["object"] == "list"


def test_every_response_has_a_request_id_and_the_version_is_recorded(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    create_account(client)
    pinned = stripe.StripeClient(
        API_KEY, base_addresses={"api": sandbox.url}, stripe_version="2026-10-28.endive"
    )
    events = pinned.v1.events.list()
    assert events.last_response.headers["Request-Id"].startswith("req_")
    logged = sandbox.requests()
    assert [e["route"] for e in logged] == ["/v1/accounts", "/v1/events"]
    assert logged[1]["stripe_version"] == "2026-10-28.endive"
    assert logged[0]["body"].startswith("email=owner%40consultancy.example")
    assert logged[0]["status"] == 200
    for path in ("/", "/_sandbox/health", "/v1/nothing"):
        assert requests.get(sandbox.url + path, timeout=5).headers["Request-Id"].startswith("req_")


def test_unknown_url_is_404_unrecognized(
    client: stripe.StripeClient, sandbox: SandboxServer
) -> None:
    response = requests.post(
        f"{sandbox.url}/v1/invoices", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5
    )
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("Unrecognized request URL (POST: ")


def test_get_query_parameters_use_bracket_notation(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    create_account(client)
    response = requests.get(
        f"{sandbox.url}/v1/events?limit=1&created[gte]=0&type=account.*",
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    # accounts emit nothing at creation; the filter itself is what is checked
    assert response.json()["data"] == []


def test_expand_with_empty_brackets_and_indexes(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = create_account(client)
    for query in ("expand[]=business_profile", "expand[0]=business_profile"):
        response = requests.get(
            f"{sandbox.url}/v1/accounts/{account.id}?{query}",
            headers={"Authorization": f"Bearer {API_KEY}"},
            timeout=5,
        )
        assert response.status_code == 200


def test_form_decoding_unflattens_brackets() -> None:
    decoded = decode(
        "payment_intent_data[application_fee_amount]=494"
        "&line_items[0][price_data][currency]=gbp&line_items[0][quantity]=1"
        "&expand[]=a&expand[]=b&metadata[k]=&items[][x]=1&items[][y]=2&items[][x]=3"
    )
    assert decoded == {
        "payment_intent_data": {"application_fee_amount": "494"},
        "line_items": {"0": {"price_data": {"currency": "gbp"}, "quantity": "1"}},
        "expand": ["a", "b"],
        "metadata": {"k": ""},
        "items": [{"x": "1", "y": "2"}, {"x": "3"}],
    }
    assert split_key("a[b][0][]") == ["a", "b", "0", ""]
    for bad in ("a=1&a[b]=2", "a[b=1", "[a]=1", "a[b]=1&a[]=2"):
        with pytest.raises(FormError):
            decode(bad)


def test_a_hash_where_a_scalar_belongs_is_refused(sandbox: SandboxServer) -> None:
    response = requests.post(
        f"{sandbox.url}/v1/accounts",
        data="email[x]=1",
        headers={
            "Authorization": f"Bearer {API_KEY}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "email"


def test_stripe_account_header_naming_an_unknown_account_is_403(sandbox: SandboxServer) -> None:
    client = make_client(sandbox.url)
    with pytest.raises(stripe.PermissionError) as caught:
        client.v1.checkout.sessions.list(options={"stripe_account": "acct_1nothere"})
    assert caught.value.json_body["error"]["code"] == "account_invalid"
    assert "does not have access to account 'acct_1nothere'" in str(caught.value.user_message)


def test_expand_of_an_unknown_property_is_refused(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = create_account(client)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.accounts.retrieve(account.id, {"expand": ["nothing"]})
    assert caught.value.param == "expand"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.accounts.list({"expand": ["nothing"]})
    assert "data.nothing" in str(caught.value.user_message)
