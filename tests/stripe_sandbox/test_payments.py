"""PaymentIntents, Charges, balance transactions, application fees and refunds."""

from __future__ import annotations

import pytest
import stripe

from stripe_sandbox.testing import SandboxServer

from .conftest import paid_session


def test_a_successful_payment_makes_the_objects_stripe_makes(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account, session = paid_session(client, sandbox)
    options = {"stripe_account": account}
    intent = session.payment_intent
    assert intent.id.startswith("pi_")
    assert (intent.status, intent.amount, intent.amount_received) == ("succeeded", 125000, 125000)
    assert intent.application_fee_amount == 4375
    assert intent.metadata.to_dict() == {"invoice": "inv_pub_1", "workspace": "ws_1"}
    assert intent.description == "Invoice INV-0001"
    charge = intent.latest_charge
    assert charge.id.startswith("ch_")
    assert (charge.status, charge.paid, charge.captured) == ("succeeded", True, True)
    assert charge.payment_intent == intent.id
    assert charge.amount_refunded == 0 and charge.refunded is False
    assert charge.application_fee_amount == 4375
    assert charge.application_fee.startswith("fee_")
    assert charge.payment_method_details.card.last4 == "4242"
    assert charge.billing_details.email == "ap@client.example"
    txn = client.v1.balance_transactions.retrieve(charge.balance_transaction, None, options)
    assert txn.id.startswith("txn_") and txn.source == charge.id and txn.type == "charge"
    assert txn.amount == 125000
    assert {d.type: d.amount for d in txn.fee_details}["application_fee"] == 4375
    assert txn.net == txn.amount - txn.fee
    fee = client.v1.application_fees.retrieve(charge.application_fee)
    assert (fee.account, fee.amount, fee.amount_refunded, fee.charge) == (
        account,
        4375,
        0,
        charge.id,
    )
    assert fee.originating_transaction is None
    assert client.v1.balance_transactions.retrieve(fee.balance_transaction).type == (
        "application_fee"
    )
    listed = client.v1.application_fees.list({"charge": charge.id})
    assert [f.id for f in listed.data] == [fee.id]
    assert client.v1.payment_intents.list(None, options).data[0].id == intent.id
    assert client.v1.charges.list({"payment_intent": intent.id}, options).data[0].id == charge.id


def test_payment_events_in_order_with_connect_accounts(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account, session = paid_session(client, sandbox)
    events = [e for e in sandbox.events() if e["type"] != "account.updated"]
    assert [e["type"] for e in events] == [
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
        "application_fee.created",
    ]
    for event in events[:3]:
        assert event["account"] == account
    assert "account" not in events[3]  # the fee lives on the platform
    completed = events[2]["data"]["object"]
    assert (completed["status"], completed["payment_status"]) == ("complete", "paid")
    assert completed["payment_intent"] == session.payment_intent.id
    assert events[0]["data"]["object"]["balance_transaction"].startswith("txn_")


def test_objects_of_one_account_are_missing_elsewhere(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account, session = paid_session(client, sandbox)
    _, other = paid_session(client, sandbox)
    other_account = sandbox.requests(route="/v1/checkout/sessions")[-1]["account"]
    charge = session.payment_intent.latest_charge
    for options in ({}, {"stripe_account": other_account}):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            client.v1.charges.retrieve(charge.id, None, options)
        assert caught.value.http_status == 404 and caught.value.code == "resource_missing"
        with pytest.raises(stripe.InvalidRequestError):
            client.v1.payment_intents.retrieve(session.payment_intent.id, None, options)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.application_fees.retrieve(
            charge.application_fee, None, {"stripe_account": account}
        )
    assert client.v1.application_fees.list(None, {"stripe_account": account}).data == []
    assert len(client.v1.application_fees.list().data) == 2
    assert other.id != session.id


def test_partial_refunds_accumulate_then_the_charge_is_refunded(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account, session = paid_session(client, sandbox)
    options = {"stripe_account": account}
    charge = session.payment_intent.latest_charge
    first = client.v1.refunds.create(
        {
            "charge": charge.id,
            "amount": 25000,
            "refund_application_fee": True,
            "metadata": {"reason": "scope cut"},
        },
        options,
    )
    assert first.id.startswith("re_") and first.status == "succeeded"
    assert (first.amount, first.charge, first.payment_intent) == (
        25000,
        charge.id,
        session.payment_intent.id,
    )
    assert first.metadata.to_dict() == {"reason": "scope cut"}
    after = client.v1.charges.retrieve(charge.id, None, options)
    assert (after.amount_refunded, after.refunded) == (25000, False)
    fee = client.v1.application_fees.retrieve(charge.application_fee)
    assert fee.amount_refunded == 4375 * 25000 // 125000
    second = client.v1.refunds.create(
        {
            "payment_intent": session.payment_intent.id,
            "refund_application_fee": True,
            "reason": "requested_by_customer",
        },
        options,
    )
    assert second.amount == 100000 and second.reason == "requested_by_customer"
    after = client.v1.charges.retrieve(charge.id, None, options)
    assert (after.amount_refunded, after.refunded) == (125000, True)
    assert "refunds" not in after  # endive: refunds are listed, not embedded
    listed = client.v1.refunds.list({"charge": charge.id}, options)
    assert [r.id for r in listed.data] == [second.id, first.id]
    fee = client.v1.application_fees.retrieve(charge.application_fee)
    assert (fee.amount_refunded, fee.refunded) == (4375, True)
    assert client.v1.refunds.retrieve(first.id, None, options).amount == 25000
    assert [r.id for r in client.v1.refunds.list({"charge": charge.id}, options).data] == [
        second.id,
        first.id,
    ]
    refunded = sandbox.events(type="charge.refunded")
    assert [e["data"]["object"]["amount_refunded"] for e in refunded] == [25000, 125000]
    assert refunded[1]["data"]["previous_attributes"]["amount_refunded"] == 25000
    assert refunded[1]["data"]["previous_attributes"]["refunded"] is False
    assert "refunds" not in refunded[1]["data"]["object"]
    assert all(e["account"] == account for e in refunded)
    assert len(sandbox.events(type="application_fee.refunded")) == 2


def test_refunds_without_the_fee_keep_the_platforms_fee(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account, session = paid_session(client, sandbox)
    charge = session.payment_intent.latest_charge
    client.v1.refunds.create({"charge": charge.id}, {"stripe_account": account})
    assert client.v1.application_fees.retrieve(charge.application_fee).amount_refunded == 0


def test_refund_rules(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    account, session = paid_session(client, sandbox)
    options = {"stripe_account": account}
    charge = session.payment_intent.latest_charge
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create({"charge": charge.id, "amount": 125001}, options)
    assert caught.value.param == "amount"
    assert "is greater than unrefunded amount on charge (£1,250.00)" in str(
        caught.value.user_message
    )
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create({"charge": charge.id, "amount": 0}, options)
    assert caught.value.param == "amount"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create({}, options)
    assert caught.value.code == "parameter_missing"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create({"charge": charge.id})  # on the platform: not its charge
    assert caught.value.code == "resource_missing"
    client.v1.refunds.create({"charge": charge.id}, options)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create({"charge": charge.id}, options)
    assert caught.value.code == "charge_already_refunded"


def test_events_api_is_scoped_like_stripes(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account, _ = paid_session(client, sandbox)
    on_account = client.v1.events.list({"limit": 100}, {"stripe_account": account})
    assert {e.type for e in on_account.data} == {
        "account.updated",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    }
    platform = client.v1.events.list()
    assert [e.type for e in platform.data] == ["application_fee.created"]
    completed = client.v1.events.list(
        {"type": "checkout.session.*"}, {"stripe_account": account}
    ).data
    assert [e.type for e in completed] == ["checkout.session.completed"]
    event = client.v1.events.retrieve(completed[0].id, None, {"stripe_account": account})
    assert event.data.object.object == "checkout.session"
    assert event.account == account
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.events.retrieve(completed[0].id)
