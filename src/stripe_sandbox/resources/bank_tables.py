"""Stripe's documented test bank details, and what each does once the customer has paid.

Sources (see the sandbox README's "Sources"): the test tables of
https://docs.stripe.com/payments/bacs-debit/accept-a-payment (sort code ``108800``),
https://docs.stripe.com/payments/sepa-debit/accept-a-payment (the IBANs per country; the DE, AT
and FR rows are served here) and
https://docs.stripe.com/payments/ach-direct-debit/accept-a-payment (routing ``110000000``).

"After three minutes" rows settle when the sandbox clock has moved ``bank_debit_delay_late``
(180 s); the others after ``bank_debit_delay`` (60 s; Stripe resolves them within seconds).
Details that are not in a table succeed, like Stripe's other well-formed test details.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ACH", "ACH_ROUTING", "BACS", "BACS_SORT_CODE", "SEPA", "Behaviour", "lookup"]

Failure = tuple[str, str]  # (failure_code, failure_message)


@dataclass(frozen=True)
class Behaviour:
    """What a test bank account does: fail (with a code), settle late, get disputed once it has
    succeeded, stay ``processing`` for ever, or be refused when the customer enters it."""

    failure: Failure | None = None
    late: bool = False
    dispute: bool = False
    never_settles: bool = False
    refused: str | None = None  # message shown on the payment page; no payment is made


SUCCEEDS = Behaviour()

# Bacs failure messages are the descriptions of Stripe's Bacs failure-code table.
_NOT_AUTHORIZED = (
    "debit_not_authorized",
    "The customer has notified their bank that this payment was unauthorized or there is no "
    "mandate held by the paying bank.",
)
_NO_FUNDS = (
    "insufficient_funds",
    "The customer's account has insufficient funds to cover this payment.",
)
_SOURCE_LIMIT = (
    "charge_exceeds_source_limit",
    "The payment amount causes the account to exceed its weekly payment volume limit.",
)
_TRANSACTION_LIMIT = (
    "charge_exceeds_transaction_limit",
    "The payment amount exceeds the account's transaction volume limit.",
)
_WEEKLY_LIMIT = (
    "charge_exceeds_weekly_limit",
    "The payment amount exceeds the account's transaction volume limit.",
)
# Stripe's SEPA table says only that these payments fail (the PaymentIntent goes back to
# ``requires_payment_method``), not with which code: the sandbox says ``debit_not_authorized``.
_SEPA_FAILED = _ACH_NOT_AUTHORIZED = (
    "debit_not_authorized",
    "The customer notified their bank that this debit was not authorized.",
)
_CLOSED = ("account_closed", "The customer's bank account has been closed.")
_NO_ACCOUNT = ("no_account", "The customer's bank account could not be located.")
_INVALID_CURRENCY = ("invalid_currency", "The bank account cannot accept this currency.")

BACS_SORT_CODE = "108800"
BACS: dict[str, Behaviour] = {
    "00012345": SUCCEEDS,
    "90012345": Behaviour(late=True),
    "33333335": Behaviour(failure=_NOT_AUTHORIZED),
    "93333335": Behaviour(failure=_NOT_AUTHORIZED, late=True),
    "22222227": Behaviour(failure=_NO_FUNDS),
    "92222227": Behaviour(failure=_NO_FUNDS, late=True),
    "55555559": Behaviour(late=True, dispute=True),
    "00044444": Behaviour(refused="The account number isn't valid. Check it and try again."),
    "34343434": Behaviour(failure=_SOURCE_LIMIT),
    "12121212": Behaviour(failure=_TRANSACTION_LIMIT),
}


def _sepa_country(
    success: str,
    delayed: str,
    failed: str,
    failed_delayed: str,
    disputed: str,
    volume: str,
    weekly: str,
    no_funds: str,
) -> dict[str, Behaviour]:
    return {
        success: SUCCEEDS,
        delayed: Behaviour(late=True),
        failed: Behaviour(failure=_SEPA_FAILED),
        failed_delayed: Behaviour(failure=_SEPA_FAILED, late=True),
        disputed: Behaviour(dispute=True),
        volume: Behaviour(failure=_SOURCE_LIMIT),
        weekly: Behaviour(failure=_WEEKLY_LIMIT),
        no_funds: Behaviour(failure=_NO_FUNDS),
    }


SEPA: dict[str, Behaviour] = {
    **_sepa_country(
        "AT611904300234573201",
        "AT321904300235473204",
        "AT861904300235473202",
        "AT051904300235473205",
        "AT591904300235473203",
        "AT981904300000343434",
        "AT601904300000121212",
        "AT981904300002222227",
    ),
    **_sepa_country(
        "DE89370400440532013000",
        "DE08370400440532013003",
        "DE62370400440532013001",
        "DE78370400440532013004",
        "DE35370400440532013002",
        "DE65370400440000343434",
        "DE27370400440000121212",
        "DE65370400440002222227",
    ),
    **_sepa_country(
        "FR1420041010050500013M02606",
        "FR3020041010050500013M02609",
        "FR8420041010050500013M02607",
        "FR7920041010050500013M02600",
        "FR5720041010050500013M02608",
        "FR9720041010050000000343434",
        "FR5920041010050000000121212",
        "FR9720041010050000002222227",
    ),
}

ACH_ROUTING = "110000000"
ACH: dict[str, Behaviour] = {
    "000123456789": SUCCEEDS,
    "000111111113": Behaviour(failure=_CLOSED),
    "000111111116": Behaviour(failure=_NO_ACCOUNT),
    "000222222227": Behaviour(failure=_NO_FUNDS),
    "000333333335": Behaviour(failure=_ACH_NOT_AUTHORIZED),
    "000444444440": Behaviour(failure=_INVALID_CURRENCY),
    "000555555559": Behaviour(dispute=True),
    "000000000009": Behaviour(never_settles=True),
}


def lookup(method: str, account: str, bank_code: str = "") -> Behaviour:
    """The behaviour of a test account: ``account`` is the account number (Bacs, ACH) or the
    IBAN (SEPA), ``bank_code`` the sort code or routing number."""
    if method == "bacs_debit":
        return BACS.get(account, SUCCEEDS) if bank_code == BACS_SORT_CODE else SUCCEEDS
    if method == "sepa_debit":
        return SEPA.get(account, SUCCEEDS)
    return ACH.get(account, SUCCEEDS) if bank_code == ACH_ROUTING else SUCCEEDS
