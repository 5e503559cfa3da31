"""Bank payments in Checkout: debits that settle when the clock moves, and bank transfers."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from stripe_sandbox.testing import SandboxServer

from .conftest import create_session, ready_account


def bank_session(
    client: stripe.StripeClient, account: str, currency: str, methods: list[str], **extra: Any
) -> Any:
    line = {
        "quantity": 1,
        "price_data": {
            "currency": currency,
            "unit_amount": 125000,
            "product_data": {"name": "Invoice INV-0001"},
        },
    }
    return create_session(
        client, account, line_items=[line], allowed_payment_method_types=methods, **extra
    )


def test_a_bacs_debit_that_succeeds_after_the_clock_moves(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    options = {"stripe_account": account}
    session = bank_session(client, account, "gbp", ["card", "bacs_debit"])
    assert session.payment_method_types == ["card", "bacs_debit"]
    paid = sandbox.control(
        "POST",
        f"checkout/{session.id}/pay",
        {"payment_method": "bacs_debit", "sort_code": "10-88-00", "account_number": "00012345"},
    )
    assert paid["outcome"] == "processing"
    after = client.v1.checkout.sessions.retrieve(session.id, None, options)
    assert (after.status, after.payment_status) == ("complete", "unpaid")
    intent = client.v1.payment_intents.retrieve(after.payment_intent, None, options)
    assert intent.status == "processing"
    assert client.v1.charges.retrieve(intent.latest_charge, None, options).status == "pending"
    types = [e["type"] for e in sandbox.events(account=account)]
    assert types[-3:] == [
        "charge.pending",
        "payment_intent.processing",
        "checkout.session.completed",
    ]
    sandbox.advance_clock(30)
    assert client.v1.payment_intents.retrieve(intent.id, None, options).status == "processing"
    sandbox.advance_clock(60)
    intent = client.v1.payment_intents.retrieve(intent.id, None, options)
    assert intent.status == "succeeded"
    charge = client.v1.charges.retrieve(intent.latest_charge, None, options)
    assert charge.status == "succeeded" and charge.payment_method_details.type == "bacs_debit"
    assert charge.payment_method_details.bacs_debit.last4 == "2345"
    assert client.v1.checkout.sessions.retrieve(session.id, None, options).payment_status == "paid"
    types = [e["type"] for e in sandbox.events(account=account)]
    assert types[-3:] == [
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.async_payment_succeeded",
    ]
    assert sandbox.events(type="application_fee.created")


def test_a_bacs_debit_that_fails_after_three_minutes(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    options = {"stripe_account": account}
    session = bank_session(client, account, "gbp", ["bacs_debit"])
    paid = sandbox.control(
        "POST",
        f"checkout/{session.id}/pay",
        {"payment_method": "bacs_debit", "sort_code": "108800", "account_number": "93333335"},
    )
    assert paid["outcome"] == "processing"
    sandbox.advance_clock(90)
    intent = client.v1.payment_intents.retrieve(paid["payment_intent"], None, options)
    assert intent.status == "processing"
    sandbox.advance_clock(120)
    intent = client.v1.payment_intents.retrieve(paid["payment_intent"], None, options)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "debit_not_authorized"
    charge = client.v1.charges.retrieve(paid["charge"], None, options)
    assert (charge.status, charge.failure_code) == ("failed", "debit_not_authorized")
    after = client.v1.checkout.sessions.retrieve(session.id, None, options)
    assert (after.status, after.payment_status) == ("complete", "unpaid")
    types = [e["type"] for e in sandbox.events(account=account)]
    assert types[-3:] == [
        "charge.failed",
        "payment_intent.payment_failed",
        "checkout.session.async_payment_failed",
    ]


@pytest.mark.parametrize(
    ("method", "currency", "details", "status"),
    [
        ("sepa_debit", "eur", {"iban": "DE89 3704 0044 0532 0130 00"}, "succeeded"),
        ("sepa_debit", "eur", {"iban": "DE62370400440532013001"}, "requires_payment_method"),
        (
            "us_bank_account",
            "usd",
            {"routing_number": "110000000", "account_number": "000123456789"},
            "succeeded",
        ),
        (
            "us_bank_account",
            "usd",
            {"routing_number": "110000000", "account_number": "000222222227"},
            "requires_payment_method",
        ),
    ],
)
def test_sepa_and_us_bank_debits(
    sandbox: SandboxServer,
    client: stripe.StripeClient,
    method: str,
    currency: str,
    details: dict[str, str],
    status: str,
) -> None:
    account = ready_account(client, sandbox)
    session = bank_session(client, account, currency, [method])
    paid = sandbox.control(
        "POST", f"checkout/{session.id}/pay", {"payment_method": method, **details}
    )
    assert paid["outcome"] == "processing"
    sandbox.advance_clock(60)
    intent = client.v1.payment_intents.retrieve(
        paid["payment_intent"], None, {"stripe_account": account}
    )
    assert intent.status == status


def test_bank_methods_need_their_currency_and_bank_transfers_a_customer(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        bank_session(client, account, "eur", ["bacs_debit"])
    assert caught.value.param == "allowed_payment_method_types"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        bank_session(client, account, "gbp", ["customer_balance"])
    assert caught.value.param == "customer"
    session = bank_session(client, account, "gbp", ["card"])
    refused = sandbox.control(
        "POST", f"checkout/{session.id}/pay", {"payment_method": "bacs_debit"}, ok=(400,)
    )
    assert refused["outcome"] == "invalid"


def test_a_bank_transfer_funded_in_two_parts(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    options = {"stripe_account": account}
    customer = client.v1.customers.create({"email": "ap@client.example"}, options)
    session = bank_session(
        client,
        account,
        "gbp",
        ["card", "customer_balance"],
        customer=customer.id,
        payment_method_options={
            "customer_balance": {
                "funding_type": "bank_transfer",
                "bank_transfer": {"type": "gb_bank_transfer"},
            }
        },
    )
    paid = sandbox.control(
        "POST", f"checkout/{session.id}/pay", {"payment_method": "customer_balance"}
    )
    assert paid["outcome"] == "awaiting_funding"
    instructions = paid["instructions"]
    assert instructions["amount_remaining"] == 125000
    address = instructions["financial_addresses"][0]["sort_code"]
    assert len(address["account_number"]) == 8 and len(address["sort_code"]) == 6
    page = sandbox_page(sandbox, session.id)
    assert instructions["reference"] in page and address["account_number"] in page
    intent = client.v1.payment_intents.retrieve(paid["payment_intent"], None, options)
    assert intent.status == "requires_action"
    assert intent.next_action.type == "display_bank_transfer_instructions"
    after = client.v1.checkout.sessions.retrieve(session.id, None, options)
    assert (after.status, after.payment_status) == ("complete", "unpaid")
    first = sandbox.control(
        "POST",
        f"customers/{customer.id}/fund",
        {"amount": 100000, "currency": "gbp", "reference": instructions["reference"]},
    )
    assert first["applied"] == [
        {"payment_intent": intent.id, "applied": 100000, "status": "partial"}
    ]
    intent = client.v1.payment_intents.retrieve(intent.id, None, options)
    assert intent.status == "requires_action"
    assert intent.next_action.display_bank_transfer_instructions.amount_remaining == 25000
    assert sandbox.events(type="payment_intent.partially_funded")
    second = sandbox.control(
        "POST", f"customers/{customer.id}/fund", {"amount": 30000, "currency": "gbp"}
    )
    assert second["applied"][0]["status"] == "succeeded"
    assert second["cash_balance"] == {"gbp": 5000}
    intent = client.v1.payment_intents.retrieve(intent.id, None, options)
    assert intent.status == "succeeded"
    charge = client.v1.charges.retrieve(intent.latest_charge, None, options)
    assert charge.payment_method_details.type == "customer_balance"
    assert client.v1.checkout.sessions.retrieve(session.id, None, options).payment_status == "paid"
    assert sandbox.events(type="checkout.session.async_payment_succeeded")


def sandbox_page(sandbox: SandboxServer, session_id: str) -> str:
    import requests

    return requests.get(f"{sandbox.url}/c/pay/{session_id}", timeout=5).text


def test_the_hosted_page_offers_every_method(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    import requests

    account = ready_account(client, sandbox)
    session = bank_session(client, account, "gbp", ["card", "bacs_debit"])
    page = sandbox_page(sandbox, session.id)
    for label in ("Card", "Bacs Direct Debit", "Sort code", "Account number"):
        assert label in page
    assert "IBAN" not in page
    answer = requests.post(
        f"{sandbox.url}/c/pay/{session.id}",
        data={
            "email": "ap@client.example",
            "payment_method": "bacs_debit",
            "bacs_sort_code": "108800",
            "bacs_account_number": "00012345",
            "name": "A Client",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 303
    after = client.v1.checkout.sessions.retrieve(session.id, None, {"stripe_account": account})
    assert (after.status, after.payment_status) == ("complete", "unpaid")
    euro = bank_session(client, account, "eur", ["sepa_debit"])
    assert "SEPA Direct Debit" in sandbox_page(sandbox, euro.id)
    assert "IBAN" in sandbox_page(sandbox, euro.id)
    dollars = bank_session(client, account, "usd", ["card", "us_bank_account"])
    page = sandbox_page(sandbox, dollars.id)
    assert "US bank account" in page and "Routing number" in page
    customer = client.v1.customers.create({}, {"stripe_account": account})
    transfer = bank_session(client, account, "gbp", ["customer_balance"], customer=customer.id)
    assert "Bank transfer" in sandbox_page(sandbox, transfer.id)


def test_a_bank_transfer_funded_in_two_parts_with_stripes_test_helper(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    """``POST /v1/test_helpers/customers/{id}/fund_cash_balance`` through the SDK, as in Stripe's
    test mode: a first transfer short of the amount, then one that pays the rest."""
    from .test_shapes import FIXTURES, assert_shape

    account = ready_account(client, sandbox)
    options = {"stripe_account": account}
    customer = client.v1.customers.create({"email": "ap@client.example"}, options)
    session = bank_session(client, account, "eur", ["customer_balance"], customer=customer.id)
    paid = sandbox.control(
        "POST", f"checkout/{session.id}/pay", {"payment_method": "customer_balance"}
    )
    reference = paid["reference"]
    assert paid["instructions"]["financial_addresses"][0]["type"] == "iban"
    helpers = client.v1.test_helpers.customers
    first = helpers.fund_cash_balance(
        customer.id, {"amount": 50000, "currency": "eur", "reference": reference}, options
    )
    assert (first.object, first.type, first.net_amount) == (
        "customer_cash_balance_transaction",
        "funded",
        50000,
    )
    assert first.funded.bank_transfer.reference == reference
    assert first.funded.bank_transfer.type == "eu_bank_transfer"
    intent = client.v1.payment_intents.retrieve(paid["payment_intent"], None, options)
    assert intent.status == "requires_action"
    assert intent.next_action.display_bank_transfer_instructions.amount_remaining == 75000
    [partial] = sandbox.events(type="payment_intent.partially_funded", account=account)
    assert partial["account"] == account
    second = helpers.fund_cash_balance(
        customer.id, {"amount": 80000, "currency": "eur", "reference": reference}, options
    )
    assert second.ending_balance == 80000
    intent = client.v1.payment_intents.retrieve(intent.id, None, options)
    assert intent.status == "succeeded"
    balance = client.v1.customers.cash_balance.retrieve(customer.id, None, options)
    assert balance.available.to_dict() == {"eur": 5000}
    assert client.v1.checkout.sessions.retrieve(session.id, None, options).payment_status == "paid"
    if FIXTURES.exists():
        assert_shape("customer_cash_balance_transaction", second)
        assert_shape("cash_balance", balance)
    live = stripe.StripeClient("sk_live_sandbox", base_addresses={"api": sandbox.url})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        live.v1.test_helpers.customers.fund_cash_balance(
            customer.id, {"amount": 100, "currency": "eur"}, options
        )
    assert "test mode" in str(caught.value.user_message)
