"""Stripe's documented test bank details, driven through Checkout and read back with the SDK.

The tables are those of Stripe's "Accept a payment" guides for Bacs Direct Debit, SEPA Direct
Debit and ACH Direct Debit (see the sandbox README's Sources): each row's outcome, whether it comes
"after three minutes", and the rows that end in a dispute or never settle.
"""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from stripe_sandbox.testing import SandboxServer

from .conftest import ready_account
from .test_bank import bank_session

CURRENCY = {"bacs_debit": "gbp", "sepa_debit": "eur", "us_bank_account": "usd"}


def bacs(account: str) -> dict[str, str]:
    return {"payment_method": "bacs_debit", "sort_code": "108800", "account_number": account}


def sepa(iban: str) -> dict[str, str]:
    return {"payment_method": "sepa_debit", "iban": iban}


def ach(account: str) -> dict[str, str]:
    return {
        "payment_method": "us_bank_account",
        "routing_number": "110000000",
        "account_number": account,
    }


def pay(sandbox: SandboxServer, client: stripe.StripeClient, details: dict[str, str]) -> Any:
    account = ready_account(client, sandbox)
    method = details["payment_method"]
    session = bank_session(client, account, CURRENCY[method], [method])
    paid = sandbox.control("POST", f"checkout/{session.id}/pay", details)
    assert paid["outcome"] == "processing"
    return account, paid


def intent_of(client: stripe.StripeClient, account: str, paid: dict[str, Any]) -> Any:
    return client.v1.payment_intents.retrieve(
        paid["payment_intent"], None, {"stripe_account": account}
    )


@pytest.mark.parametrize(
    ("details", "late", "failure_code"),
    [
        (bacs("00012345"), False, None),
        (bacs("90012345"), True, None),
        (bacs("33333335"), False, "debit_not_authorized"),
        (bacs("22222227"), False, "insufficient_funds"),
        (bacs("92222227"), True, "insufficient_funds"),
        (bacs("34343434"), False, "charge_exceeds_source_limit"),
        (bacs("12121212"), False, "charge_exceeds_transaction_limit"),
        (sepa("DE89370400440532013000"), False, None),
        (sepa("DE08370400440532013003"), True, None),
        (sepa("DE62370400440532013001"), False, "debit_not_authorized"),
        (sepa("DE78370400440532013004"), True, "debit_not_authorized"),
        (sepa("DE65370400440002222227"), False, "insufficient_funds"),
        (sepa("AT611904300234573201"), False, None),
        (sepa("AT861904300235473202"), False, "debit_not_authorized"),
        (sepa("FR1420041010050500013M02606"), False, None),
        (ach("000123456789"), False, None),
        (ach("000111111113"), False, "account_closed"),
        (ach("000111111116"), False, "no_account"),
        (ach("000222222227"), False, "insufficient_funds"),
        (ach("000333333335"), False, "debit_not_authorized"),
        (ach("000444444440"), False, "invalid_currency"),
    ],
    ids=lambda value: "-".join(value.values()) if isinstance(value, dict) else str(value),
)
def test_documented_details_settle_as_stripe_says(
    sandbox: SandboxServer,
    client: stripe.StripeClient,
    details: dict[str, str],
    late: bool,
    failure_code: str | None,
) -> None:
    account, paid = pay(sandbox, client, details)
    sandbox.advance_clock(60)
    intent = intent_of(client, account, paid)
    if late:
        assert intent.status == "processing"
        sandbox.advance_clock(120)  # "after three minutes"
        intent = intent_of(client, account, paid)
    if failure_code is None:
        assert intent.status == "succeeded"
        return
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == failure_code
    charge = client.v1.charges.retrieve(paid["charge"], None, {"stripe_account": account})
    assert (charge.status, charge.failure_code) == ("failed", failure_code)


@pytest.mark.parametrize(
    ("details", "late"),
    [
        (bacs("55555559"), True),
        (sepa("DE35370400440532013002"), False),
        (sepa("AT591904300235473203"), False),
        (ach("000555555559"), False),
    ],
)
def test_disputed_details_succeed_then_a_dispute_is_created(
    sandbox: SandboxServer, client: stripe.StripeClient, details: dict[str, str], late: bool
) -> None:
    account, paid = pay(sandbox, client, details)
    options = {"stripe_account": account}
    sandbox.advance_clock(180 if late else 60)
    assert intent_of(client, account, paid).status == "succeeded"
    charge = client.v1.charges.retrieve(paid["charge"], None, options)
    assert charge.disputed is True
    (dispute,) = client.v1.disputes.list({"charge": charge.id}, options).data
    assert dispute.payment_method_details.type == details["payment_method"]
    types = [e["type"] for e in sandbox.events(account=account)]
    assert types.index("checkout.session.async_payment_succeeded") < types.index(
        "charge.dispute.created"
    )


def test_the_processing_account_never_settles(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account, paid = pay(sandbox, client, ach("000000000009"))
    sandbox.advance_clock(7 * 86400)
    assert intent_of(client, account, paid).status == "processing"
    assert not sandbox.events(type="checkout.session.async_payment_succeeded")
    assert not sandbox.events(type="checkout.session.async_payment_failed")


def test_the_invalid_bacs_account_is_refused_before_any_payment(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = ready_account(client, sandbox)
    session = bank_session(client, account, "gbp", ["bacs_debit"])
    refused = sandbox.control("POST", f"checkout/{session.id}/pay", bacs("00044444"), ok=(400,))
    assert refused["outcome"] == "invalid"
    assert refused["error"]["param"] == "account_number"
    after = client.v1.checkout.sessions.retrieve(session.id, None, {"stripe_account": account})
    assert after.status == "open"
    assert not sandbox.events(type="charge.pending")
