"""Response shapes at endive: every object's keys against Stripe's own fixtures (2026-08)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import stripe

from stripe_sandbox.testing import SandboxServer

from .conftest import API_KEY, make_client, paid_session, ready_account

FIXTURES = Path("/work/shared/stripe/fixtures3-2026-08.json")
# Keys Stripe's fixtures show that an endive response leaves out unless asked (expandable or
# only present in some cases), and keys the sandbox adds that Stripe sends only sometimes.
NOT_BY_DEFAULT = {
    "charge": {"refunds"},  # since 2022-11-15: GET /v1/refunds?charge=, or expand[]=refunds
}
ONLY_SOMETIMES = {
    "event": {"account"},  # Connect events only
    "webhook_endpoint": {"secret"},  # at creation only
}

pytestmark = pytest.mark.skipif(not FIXTURES.exists(), reason="Stripe's fixtures are not here")


def fixture_keys(kind: str) -> set[str]:
    resources: dict[str, Any] = json.loads(FIXTURES.read_text())["resources"]
    return set(resources[kind])


def assert_shape(kind: str, obj: Any) -> None:
    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    expected = fixture_keys(kind) - NOT_BY_DEFAULT.get(kind, set())
    got = set(data) - ONLY_SOMETIMES.get(kind, set())
    assert got == expected, (kind, sorted(got - expected), sorted(expected - got))


def build_one_of_each(sandbox: SandboxServer, client: stripe.StripeClient) -> dict[str, Any]:
    """One object of each resource, read back through the SDK."""
    account_id, session = paid_session(client, sandbox)
    options = {"stripe_account": account_id}
    intent = client.v1.payment_intents.retrieve(session.payment_intent.id, None, options)
    charge = client.v1.charges.retrieve(intent.latest_charge, None, options)
    refund = client.v1.refunds.create(
        {"charge": charge.id, "amount": 1000, "refund_application_fee": True}, options
    )
    dispute = sandbox.control("POST", f"charges/{charge.id}/dispute", {})
    return {
        "account": client.v1.accounts.retrieve(account_id),
        "checkout.session": client.v1.checkout.sessions.retrieve(session.id, None, options),
        "payment_intent": intent,
        "charge": client.v1.charges.retrieve(charge.id, None, options),
        "balance_transaction": client.v1.balance_transactions.retrieve(
            charge.balance_transaction, None, options
        ),
        "application_fee": client.v1.application_fees.retrieve(charge.application_fee),
        "refund": client.v1.refunds.retrieve(refund.id, None, options),
        "fee_refund": client.v1.application_fees.refunds.list(charge.application_fee).data[0],
        "customer": client.v1.customers.create({"email": "ap@client.example"}, options),
        "webhook_endpoint": client.v1.webhook_endpoints.create(
            {"url": "https://app.example/hooks", "enabled_events": ["*"]}
        ),
        "dispute": client.v1.disputes.retrieve(dispute["id"], None, options),
        "event": client.v1.events.list({"limit": 1}, options).data[0],
    }


@pytest.mark.parametrize(
    "kind",
    [
        "account",
        "checkout.session",
        "payment_intent",
        "charge",
        "balance_transaction",
        "application_fee",
        "refund",
        "fee_refund",
        "customer",
        "webhook_endpoint",
        "dispute",
        "event",
    ],
)
def test_each_resource_has_endives_keys(
    sandbox: SandboxServer, client: stripe.StripeClient, kind: str
) -> None:
    assert_shape(kind, build_one_of_each(sandbox, client)[kind])


def test_charges_list_their_refunds_elsewhere(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account_id, session = paid_session(client, sandbox)
    options = {"stripe_account": account_id}
    intent = client.v1.payment_intents.retrieve(session.payment_intent.id, None, options)
    assert intent.latest_charge.startswith("ch_")
    refund = client.v1.refunds.create({"charge": intent.latest_charge, "amount": 100}, options)
    charge = client.v1.charges.retrieve(intent.latest_charge, None, options)
    assert "refunds" not in charge
    expanded = client.v1.charges.retrieve(charge.id, {"expand": ["refunds"]}, options)
    assert [r.id for r in expanded.refunds.data] == [refund.id]
    listed = client.v1.refunds.list({"charge": charge.id}, options)
    assert [r.id for r in listed.data] == [refund.id]
    for event in client.v1.events.list({"limit": 100}, options).data:
        assert_shape("event", event)
        assert event.account == account_id
        assert event.api_version == "2026-10-28.endive"
        assert event.livemode is False
        assert "refunds" not in event.data.object or event.data.object.object != "charge"


def test_livemode_follows_the_key(sandbox: SandboxServer) -> None:
    test_client = make_client(sandbox.url)
    live = stripe.StripeClient(
        "sk_live_sandbox_suite", base_addresses={"api": sandbox.url, "connect": sandbox.url}
    )
    assert test_client.v1.customers.create({}).livemode is False
    assert live.v1.customers.create({}).livemode is True
    events = sandbox.events(type="customer.created")
    assert [e["livemode"] for e in events] == [False, True]
    assert API_KEY.startswith("sk_test_")


def test_the_livemode_flag_makes_every_object_live(sandbox: SandboxServer) -> None:
    sandbox.configure(livemode=True)
    try:
        client = make_client(sandbox.url)
        account = ready_account(client, sandbox)
        customer = client.v1.customers.create({}, {"stripe_account": account})
        assert customer.livemode is True
        assert sandbox.events(type="customer.created")[0]["livemode"] is True
    finally:
        sandbox.configure(livemode=False)
