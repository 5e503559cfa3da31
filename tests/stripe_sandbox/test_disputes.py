"""Disputes opened by the cardholder's bank, and closed won or lost."""

from __future__ import annotations

import pytest
import stripe

from stripe_sandbox.testing import SandboxServer

from .conftest import create_session, paid_session, ready_account


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


def test_a_dispute_test_card_opens_a_dispute_lost_with_losing_evidence(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    """Stripe's test card 4000 0000 0000 0259: the charge succeeds, then is disputed as
    fraudulent; submitting ``losing_evidence`` through the SDK closes it lost."""
    account = ready_account(client, sandbox)
    options = {"stripe_account": account}
    session = create_session(client, account)
    assert sandbox.pay(session.id, card="4000000000000259")["outcome"] == "succeeded"
    intent = client.v1.checkout.sessions.retrieve(session.id, None, options).payment_intent
    (dispute,) = client.v1.disputes.list({"payment_intent": intent}, options).data
    assert (dispute.status, dispute.reason) == ("needs_response", "fraudulent")
    updated = client.v1.disputes.update(
        dispute.id,
        {"evidence": {"uncategorized_text": "losing_evidence"}, "metadata": {"case": "7"}},
        options,
    )
    assert updated.status == "under_review"
    assert updated.evidence_details.submission_count == 1
    closed = client.v1.disputes.retrieve(dispute.id, None, options)
    assert closed.status == "lost"
    assert closed.metadata.to_dict() == {"case": "7"}
    types = [e["type"] for e in sandbox.events(account=account)][-2:]
    assert types == ["charge.dispute.updated", "charge.dispute.closed"]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.disputes.update(dispute.id, {"evidence": {"receipt": "x"}}, options)


def test_winning_evidence_wins_and_unsubmitted_evidence_waits(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    options = {"stripe_account": account}
    session = create_session(client, account)
    assert sandbox.pay(session.id, card="4000000000002685")["outcome"] == "succeeded"
    (dispute,) = client.v1.disputes.list({}, options).data
    assert dispute.reason == "product_not_received"
    draft = client.v1.disputes.update(
        dispute.id,
        {"evidence": {"uncategorized_text": "winning_evidence"}, "submit": False},
        options,
    )
    assert (draft.status, draft.evidence_details.has_evidence) == ("needs_response", True)
    client.v1.disputes.update(dispute.id, {}, options)
    won = client.v1.disputes.retrieve(dispute.id, None, options)
    assert won.status == "won"
    assert sandbox.events(type="charge.dispute.funds_reinstated")
