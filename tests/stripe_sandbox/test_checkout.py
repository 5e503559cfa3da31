"""Checkout Sessions: creation rules, retrieval and listing, expiry, and the payment page."""

from __future__ import annotations

import re
import time

import pytest
import requests
import stripe

from stripe_sandbox.testing import SandboxServer

from .conftest import checkout_params, create_account, create_session, ready_account


def test_create_with_everything_the_app_sends(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    session = create_session(client, account)
    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert (session.status, session.payment_status, session.mode) == ("open", "unpaid", "payment")
    assert session.amount_total == 125000 and session.amount_subtotal == 125000
    assert session.currency == "gbp"
    assert session.customer_email == "ap@client.example"
    assert session.client_reference_id == "inv_pub_1"
    assert session.metadata.to_dict() == {"invoice": "inv_pub_1", "workspace": "ws_1"}
    assert session.success_url.endswith("session_id={CHECKOUT_SESSION_ID}")
    assert session.url == f"{sandbox.public_url}/c/pay/{session.id}"
    assert session.payment_intent is None
    assert session.livemode is False
    items = client.v1.checkout.sessions.line_items.list(
        session.id, None, {"stripe_account": account}
    )
    [item] = items.data
    assert item.object == "item" and item.id.startswith("li_")
    assert (item.description, item.quantity, item.amount_total) == ("Invoice INV-0001", 1, 125000)
    assert item.price.unit_amount == 125000 and item.price.type == "one_time"
    expanded = client.v1.checkout.sessions.retrieve(
        session.id, {"expand": ["line_items"]}, {"stripe_account": account}
    )
    assert expanded.line_items.data[0].id == item.id


def test_checkout_on_an_account_that_cannot_take_charges_is_refused(
    client: stripe.StripeClient,
) -> None:
    account = create_account(client)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        create_session(client, account.id)
    assert "charges_enabled" in str(caught.value.user_message)


def test_application_fee_needs_a_connected_account(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        create_session(client, None)
    assert caught.value.param == "payment_intent_data[application_fee_amount]"
    assert "Stripe-Account header" in str(caught.value.user_message)
    platform = create_session(client, None, payment_intent_data={"description": "no fee"})
    assert platform.status == "open"


def test_application_fee_may_not_exceed_the_amount(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        create_session(client, account, payment_intent_data={"application_fee_amount": 125001})
    assert caught.value.param == "payment_intent_data[application_fee_amount]"
    equal = create_session(client, account, payment_intent_data={"application_fee_amount": 125000})
    assert equal.status == "open"


@pytest.mark.parametrize(
    ("currency", "amount", "code"),
    [
        ("gbp", 29, "amount_too_small"),
        ("usd", 49, "amount_too_small"),
        ("eur", 49, "amount_too_small"),
        ("gbp", 100_000_000, "amount_too_large"),
    ],
)
def test_amount_limits(
    sandbox: SandboxServer, client: stripe.StripeClient, currency: str, amount: int, code: str
) -> None:
    account = ready_account(client, sandbox)
    line = {
        "quantity": 1,
        "price_data": {"currency": currency, "unit_amount": amount, "product_data": {"name": "x"}},
    }
    with pytest.raises(stripe.InvalidRequestError) as caught:
        create_session(client, account, line_items=[line], payment_intent_data={})
    assert caught.value.code == code
    line["price_data"]["unit_amount"] = amount + 1 if code == "amount_too_small" else 99_999_999
    assert create_session(client, account, line_items=[line], payment_intent_data={}).id


def test_expires_at_must_be_between_30_minutes_and_24_hours(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    now = int(time.time())
    for expires_at in (now + 29 * 60, now + 24 * 3600 + 60):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            create_session(client, account, expires_at=expires_at)
        assert caught.value.param == "expires_at"
    assert create_session(client, account, expires_at=now + 30 * 60).expires_at == now + 1800
    default = create_session(client, account, expires_at=None)
    assert default.expires_at - default.created == 24 * 3600


def test_other_creation_rules(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    account = ready_account(client, sandbox)
    cases = [
        ({"mode": "subscription"}, "mode"),
        ({"mode": None}, "mode"),
        ({"line_items": None}, "line_items"),
        ({"success_url": "not a url"}, "success_url"),
        ({"customer_email": "nobody"}, "customer_email"),
        ({"line_items": [{"price": "price_123", "quantity": 1}]}, "line_items[0][price]"),
        (
            {
                "line_items": [
                    {
                        "price_data": {
                            "currency": "gbp",
                            "unit_amount": 100,
                            "product_data": {"name": "x"},
                        }
                    }
                ]
            },
            "line_items[0][quantity]",
        ),
    ]
    for change, param in cases:
        with pytest.raises(stripe.InvalidRequestError) as caught:
            create_session(client, account, **change)
        assert caught.value.param == param, change


def test_sessions_belong_to_their_account(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account, other = ready_account(client, sandbox), ready_account(client, sandbox)
    session = create_session(client, account)
    for options in ({"stripe_account": other}, {}):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            client.v1.checkout.sessions.retrieve(session.id, None, options)
        assert caught.value.http_status == 404
        assert caught.value.code == "resource_missing"
        assert f"No such checkout.session: '{session.id}'" in str(caught.value.user_message)
    assert client.v1.checkout.sessions.list(None, {"stripe_account": other}).data == []


def test_list_filters_and_pagination(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    account = ready_account(client, sandbox)
    options = {"stripe_account": account}
    sessions = [create_session(client, account) for _ in range(3)]
    sandbox.pay(sessions[0].id)
    client.v1.checkout.sessions.expire(sessions[1].id, None, options)
    listed = client.v1.checkout.sessions.list(None, options)
    assert [s.id for s in listed.data] == [s.id for s in reversed(sessions)]  # newest first
    assert [s.id for s in client.v1.checkout.sessions.list({"status": "open"}, options).data] == [
        sessions[2].id
    ]
    paid = client.v1.checkout.sessions.retrieve(sessions[0].id, None, options)
    by_intent = client.v1.checkout.sessions.list({"payment_intent": paid.payment_intent}, options)
    assert [s.id for s in by_intent.data] == [paid.id]
    page = client.v1.checkout.sessions.list({"limit": 2}, options)
    assert page.has_more and len(page.data) == 2
    rest = client.v1.checkout.sessions.list(
        {"limit": 2, "starting_after": page.data[-1].id}, options
    )
    assert [s.id for s in rest.data] == [sessions[0].id] and not rest.has_more
    before = client.v1.checkout.sessions.list({"ending_before": sessions[0].id}, options)
    assert [s.id for s in before.data] == [sessions[2].id, sessions[1].id]


def test_expire_only_open_sessions(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    account = ready_account(client, sandbox)
    options = {"stripe_account": account}
    session = create_session(client, account)
    expired = client.v1.checkout.sessions.expire(session.id, None, options)
    assert expired.status == "expired" and expired.url is None
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id, None, options)
    paid = create_session(client, account)
    sandbox.pay(paid.id)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(paid.id, None, options)
    [event] = sandbox.events(type="checkout.session.expired")
    assert event["account"] == account
    assert event["data"]["object"]["status"] == "expired"
    assert event["request"]["id"] is not None


def test_sessions_expire_when_their_time_passes(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    options = {"stripe_account": account}
    lazily = create_session(client, account, expires_at=int(time.time()) + 1800)
    swept = create_session(client, account, expires_at=int(time.time()) + 1800)
    sandbox.advance_clock(1801)
    assert client.v1.checkout.sessions.retrieve(lazily.id, None, options).status == "expired"
    assert client.v1.checkout.sessions.retrieve(swept.id, None, options).status == "expired"
    events = sandbox.events(type="checkout.session.expired")
    assert sorted(e["data"]["object"]["id"] for e in events) == sorted([lazily.id, swept.id])
    assert all(e["request"]["id"] is None for e in events)
    assert sandbox.pay(lazily.id)["outcome"] == "not_open"


def test_the_background_sweep_expires_sessions(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    session = create_session(client, account)
    with sandbox.sandbox.store.lock:
        sandbox.sandbox.store.get(session.id)["expires_at"] = int(time.time()) - 1  # type: ignore[index]
    deadline = time.monotonic() + 3
    while not sandbox.events(type="checkout.session.expired") and time.monotonic() < deadline:
        time.sleep(0.05)
    [event] = sandbox.events(type="checkout.session.expired")
    assert event["data"]["object"]["id"] == session.id


# The hosted payment page --------------------------------------------------------------------


def _form_action(html: str) -> str:
    found = re.search(r'<form method=post action="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_payment_page_shows_merchant_item_amount_and_labelled_fields(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    session = create_session(client, account)
    page = requests.get(session.url, timeout=5)
    assert page.status_code == 200
    html = page.text
    assert "Redteam Ltd" in html
    assert "Invoice INV-0001" in html and "Web app pentest" in html
    assert "£1,250.00" in html
    for field, label in [
        ("email", "Email"),
        ("card_number", "Card number"),
        ("expiry", "Expiry"),
        ("cvc", "CVC"),
        ("name", "Name on card"),
    ]:
        assert f"<label for={field}>{label}</label>" in html
        assert f"id={field} name={field}" in html
    assert 'value="ap@client.example"' in html
    assert "<button type=submit>Pay</button>" in html
    assert 'href="http://app.example/pay/cancelled">Cancel' in html
    assert "width=device-width" in html
    assert "http://" not in html.split("<main>")[0].replace("http://www.w3.org", "")  # no CDN


def test_paying_on_the_page_redirects_to_the_success_url(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    session = create_session(client, account)
    page = requests.get(session.url, timeout=5)
    answer = requests.post(
        sandbox.url + _form_action(page.text),
        data={
            "email": "ap@client.example",
            "card_number": "4242 4242 4242 4242",
            "expiry": "12 / 34",
            "cvc": "123",
            "name": "Ada Client",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"http://app.example/pay/done?session_id={session.id}"
    paid = client.v1.checkout.sessions.retrieve(session.id, None, {"stripe_account": account})
    assert (paid.status, paid.payment_status) == ("complete", "paid")
    assert paid.customer_details.email == "ap@client.example"
    assert paid.customer_details.name == "Ada Client"
    again = requests.get(session.url, timeout=5)
    assert "This Checkout Session is complete" in again.text


@pytest.mark.parametrize(
    ("card", "message", "decline_code"),
    [
        ("4000 0000 0000 0002", "Your card was declined.", "generic_decline"),
        ("4000000000009995", "Your card has insufficient funds.", "insufficient_funds"),
    ],
)
def test_declined_cards_show_the_message_and_leave_the_session_open(
    sandbox: SandboxServer,
    client: stripe.StripeClient,
    card: str,
    message: str,
    decline_code: str,
) -> None:
    account = ready_account(client, sandbox)
    session = create_session(client, account)
    answer = requests.post(
        session.url,
        data={
            "email": "ap@client.example",
            "card_number": card,
            "expiry": "12/34",
            "cvc": "123",
            "name": "Ada",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 402
    assert f"<p role=alert class=alert>{message.replace(chr(39), '&#x27;')}</p>" in answer.text
    options = {"stripe_account": account}
    still = client.v1.checkout.sessions.retrieve(session.id, None, options)
    assert (still.status, still.payment_status) == ("open", "unpaid")
    intent = client.v1.payment_intents.retrieve(still.payment_intent, None, options)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "card_declined"
    assert intent.last_payment_error.decline_code == decline_code
    charge = client.v1.charges.retrieve(intent.latest_charge, None, options)
    assert (charge.status, charge.paid, charge.failure_message) == ("failed", False, message)
    assert sorted(e["type"] for e in sandbox.events()) == [
        "account.updated",
        "charge.failed",
        "payment_intent.payment_failed",
    ]
    # the same session can then be paid with a good card
    outcome = sandbox.pay(session.id)
    assert outcome["outcome"] == "succeeded"
    assert outcome["payment_intent"] == intent.id


def test_control_pay_reports_declines(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    account = ready_account(client, sandbox)
    session = create_session(client, account)
    outcome = sandbox.pay(session.id, card="4000000000000002")
    assert outcome["outcome"] == "declined"
    assert outcome["error"]["type"] == "card_error"
    assert outcome["error"]["message"] == "Your card was declined."
    invalid = sandbox.pay(session.id, card="4242 4242 4242 4241")
    assert invalid["outcome"] == "invalid"
    assert invalid["error"]["code"] == "incorrect_number"


def test_incomplete_form_fields_are_reported(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    session = create_session(client, account, customer_email=None)
    base = {
        "email": "ap@client.example",
        "card_number": "4242424242424242",
        "expiry": "12/34",
        "cvc": "123",
        "name": "Ada",
    }
    for change, text in [
        ({"expiry": "13/34"}, "expiration date is incomplete"),
        ({"expiry": "01/20"}, "expiration date is in the past"),
        ({"cvc": "1"}, "security code is incomplete"),
        ({"email": ""}, "email address is incomplete"),
        ({"card_number": "4242"}, "card number is incomplete"),
    ]:
        answer = requests.post(session.url, data={**base, **change}, timeout=5)
        assert answer.status_code == 400
        assert "role=alert" in answer.text and text in answer.text.replace("&#x27;", "'")
    assert (
        client.v1.checkout.sessions.retrieve(session.id, None, {"stripe_account": account}).status
        == "open"
    )


def test_expired_session_page_says_so(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    account = ready_account(client, sandbox)
    session = create_session(client, account)
    sandbox.expire_session(session.id)
    page = requests.get(session.url, timeout=5)
    assert "This Checkout Session has expired" in page.text
    assert "<form" not in page.text
    assert requests.get(f"{sandbox.url}/c/pay/cs_test_nope", timeout=5).status_code == 404


def test_platform_sessions_show_the_platform_and_format_other_currencies(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    line = {
        "quantity": 2,
        "price_data": {
            "currency": "eur",
            "unit_amount": 123456,
            "product_data": {"name": "Retainer"},
        },
    }
    session = create_session(client, None, line_items=[line], payment_intent_data={})
    html = requests.get(session.url, timeout=5).text
    assert "€2,469.12" in html and "Qty 2" in html
    assert checkout_params()["mode"] == "payment"
