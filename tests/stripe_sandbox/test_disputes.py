"""Disputes opened by the cardholder's bank, and closed won or lost."""

from __future__ import annotations

import stripe

from stripe_sandbox.testing import SandboxServer

from .conftest import paid_session


def test_a_dispute_opened_and_lost(sandbox: SandboxServer, client: stripe.StripeClient) -> None:
    account, session = paid_session(client, sandbox)
    options = {"stripe_account": account}
    charge = session.payment_intent.latest_charge
    opened = sandbox.control("POST", f"charges/{charge.id}/dispute", {"reason": "fraudulent"})
    assert (opened["status"], opened["reason"], opened["amount"]) == (
        "needs_response",
        "fraudulent",
        125000,
    )
    withdrawal = opened["balance_transactions"][0]
    assert (withdrawal["amount"], withdrawal["fee"], withdrawal["net"]) == (-125000, 2000, -127000)
    assert withdrawal["reporting_category"] == "dispute"
    assert client.v1.charges.retrieve(charge.id, None, options).disputed is True
    types = [e["type"] for e in sandbox.events(account=account)][-2:]
    assert types == ["charge.dispute.created", "charge.dispute.funds_withdrawn"]
    closed = sandbox.control("POST", f"disputes/{opened['id']}/close", {"outcome": "lost"})
    assert closed["status"] == "lost"
    assert len(closed["balance_transactions"]) == 1
    event = sandbox.events(type="charge.dispute.closed")[0]
    assert event["data"]["object"]["status"] == "lost"
    assert event["data"]["previous_attributes"] == {"status": "needs_response"}
    listed = client.v1.disputes.list({"charge": charge.id}, options)
    assert [d.id for d in listed.data] == [opened["id"]]


def test_a_dispute_won_reinstates_the_funds(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account, session = paid_session(client, sandbox)
    charge = session.payment_intent.latest_charge
    opened = sandbox.control("POST", f"charges/{charge.id}/dispute", {})
    closed = sandbox.control("POST", f"disputes/{opened['id']}/close", {"outcome": "won"})
    assert closed["status"] == "won"
    reinstated = closed["balance_transactions"][1]
    assert (reinstated["amount"], reinstated["reporting_category"]) == (
        125000,
        "dispute_reversal",
    )
    types = [e["type"] for e in sandbox.events(account=account)][-2:]
    assert types == ["charge.dispute.funds_reinstated", "charge.dispute.closed"]
