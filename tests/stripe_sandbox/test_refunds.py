"""The refund lifecycle: events, failures, pending refunds, Dashboard refunds, fee refunds."""

from __future__ import annotations

import pytest
import stripe

from stripe_sandbox.testing import SandboxServer

from .conftest import create_session, paid_session, ready_account


def test_refund_events_and_the_endive_charge(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account, session = paid_session(client, sandbox)
    options = {"stripe_account": account}
    charge = session.payment_intent.latest_charge
    refund = client.v1.refunds.create({"charge": charge.id, "amount": 5000}, options)
    assert refund.status == "succeeded"
    types = [e["type"] for e in sandbox.events(account=account)][-2:]
    assert types == ["refund.created", "charge.refunded"]
    refunded = sandbox.events(type="charge.refunded")[0]
    assert "refunds" not in refunded["data"]["object"]
    assert refunded["data"]["object"]["amount_refunded"] == 5000
    by_intent = client.v1.refunds.list({"payment_intent": session.payment_intent.id}, options)
    assert [r.id for r in by_intent.data] == [refund.id]


def test_a_refund_that_fails(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    account, session = paid_session(client, sandbox)
    options = {"stripe_account": account}
    charge = session.payment_intent.latest_charge
    refund = client.v1.refunds.create({"charge": charge.id}, options)
    assert client.v1.charges.retrieve(charge.id, None, options).refunded is True
    failed = sandbox.control("POST", f"refunds/{refund.id}/fail", {})
    assert failed["status"] == "failed" and failed["failure_reason"]
    after = client.v1.refunds.retrieve(refund.id, None, options)
    assert after.status == "failed"
    txn = client.v1.balance_transactions.retrieve(after.failure_balance_transaction, None, options)
    assert (txn.type, txn.amount) == ("refund_failure", refund.amount)
    charge_after = client.v1.charges.retrieve(charge.id, None, options)
    assert (charge_after.amount_refunded, charge_after.refunded) == (0, False)
    types = [e["type"] for e in sandbox.events(account=account)][-3:]
    assert types == ["refund.updated", "charge.refund.updated", "refund.failed"]
    failed_event = sandbox.events(type="refund.failed")[0]
    assert failed_event["data"]["previous_attributes"] == {"status": "succeeded"}


def test_a_pending_refund_settles_when_the_clock_moves(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    session = create_session(client, account)
    assert sandbox.pay(session.id, card="4000000000007726")["outcome"] == "succeeded"
    options = {"stripe_account": account}
    paid = client.v1.checkout.sessions.retrieve(session.id, None, options)
    refund = client.v1.refunds.create({"payment_intent": paid.payment_intent}, options)
    assert refund.status == "pending"
    sandbox.advance_clock(120)
    assert client.v1.refunds.retrieve(refund.id, None, options).status == "succeeded"
    assert sandbox.events(type="refund.updated")[0]["data"]["previous_attributes"] == {
        "status": "pending"
    }


def test_card_5126_refund_fails_later(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    account = ready_account(client, sandbox)
    session = create_session(client, account)
    assert sandbox.pay(session.id, card="4000000000005126")["outcome"] == "succeeded"
    options = {"stripe_account": account}
    paid = client.v1.checkout.sessions.retrieve(session.id, None, options)
    refund = client.v1.refunds.create({"payment_intent": paid.payment_intent}, options)
    assert refund.status == "succeeded"
    sandbox.advance_clock(120)
    failed = client.v1.refunds.retrieve(refund.id, None, options)
    assert (failed.status, failed.failure_reason) == ("failed", "expired_or_canceled_card")
    assert len(sandbox.events(type="refund.failed")) == 1


@pytest.mark.parametrize("with_fee", [True, False])
def test_a_dashboard_refund(
    sandbox: SandboxServer, client: stripe.StripeClient, with_fee: bool
) -> None:
    account, session = paid_session(client, sandbox)
    charge = session.payment_intent.latest_charge
    refund = sandbox.control(
        "POST",
        f"charges/{charge.id}/refund",
        {"amount": 25000, "refund_application_fee": with_fee},
    )
    assert refund["amount"] == 25000
    created = sandbox.events(type="refund.created")[0]
    assert created["request"] == {"id": None, "idempotency_key": None}  # not the app's request
    assert created["account"] == account
    fee = client.v1.application_fees.retrieve(charge.application_fee)
    assert fee.amount_refunded == (4375 * 25000 // 125000 if with_fee else 0)
    assert len(sandbox.events(type="application_fee.refunded")) == (1 if with_fee else 0)


def test_application_fee_refunds(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    _account, session = paid_session(client, sandbox)
    fee_id = session.payment_intent.latest_charge.application_fee
    part = client.v1.application_fees.refunds.create(fee_id, {"amount": 375})
    assert (part.object, part.amount, part.fee) == ("fee_refund", 375, fee_id)
    txn = client.v1.balance_transactions.retrieve(part.balance_transaction)
    assert (txn.type, txn.amount) == ("application_fee_refund", -375)
    rest = client.v1.application_fees.refunds.create(fee_id)
    assert rest.amount == 4000
    fee = client.v1.application_fees.retrieve(fee_id)
    assert (fee.amount_refunded, fee.refunded) == (4375, True)
    listed = client.v1.application_fees.refunds.list(fee_id)
    assert [r.id for r in listed.data] == [rest.id, part.id]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.application_fees.refunds.create(fee_id, {"amount": 1})
    assert len(sandbox.events(type="application_fee.refunded")) == 2
