"""A customer's cash balance, and Stripe's test helper that funds it with a bank transfer.

``POST /v1/test_helpers/customers/{customer}/fund_cash_balance`` (``amount``, ``currency``,
``reference``) is how Stripe's test mode simulates an incoming bank transfer: the money goes to
the customer's cash balance, which pays the open PaymentIntent whose funding reference is given
(or the oldest one waiting), partly (``payment_intent.partially_funded``) or fully; what is left
stays in the balance. It answers the ``funded`` customer cash balance transaction. The control
endpoint ``POST /_sandbox/customers/{id}/fund`` does the same without an API key.
"""

from __future__ import annotations

from typing import Any

from .. import ids
from ..errors import invalid
from ..sandbox import Ctx, Sandbox
from . import bank
from .customers import cash_balance, find

_SENDER = {
    "eu_bank_transfer": {"bic": None, "iban_last4": None, "sender_name": None},
    "gb_bank_transfer": {"account_number_last4": None, "sender_name": None, "sort_code": None},
    "us_bank_transfer": {"network": None, "sender_name": None},
}


def fund_cash_balance(
    sb: Sandbox, ctx: Ctx, params: dict[str, Any], customer: str
) -> dict[str, Any]:
    if ctx.livemode:
        raise invalid("Test helpers can only be used with a test mode API key.")
    find(sb, ctx.account, customer, "customer")
    currency = str(params["currency"]).lower()
    kind = bank.TRANSFER_TYPES.get(currency)
    if kind is None:
        raise invalid(
            f"Bank transfers in {currency} are not served by the Stripe sandbox.",
            param="currency",
        )
    amount = int(params["amount"])
    ending = cash_balance(sb, customer).get(currency, 0) + amount
    reference = params.get("reference")
    bank.fund(sb, customer, amount, currency, reference)
    return {
        "id": ids.new_id("customer_cash_balance_transaction"),
        "object": "customer_cash_balance_transaction",
        "created": sb.now(),
        "currency": currency,
        "customer": customer,
        "customer_account": None,
        "ending_balance": ending,
        "funded": {
            "bank_transfer": {
                kind: dict(_SENDER[kind]),
                "reference": reference,
                "type": kind,
            }
        },
        "livemode": ctx.livemode,
        "net_amount": amount,
        "type": "funded",
    }


def retrieve_cash_balance(
    sb: Sandbox, ctx: Ctx, params: dict[str, Any], customer: str
) -> dict[str, Any]:
    obj = find(sb, ctx.account, customer, "customer")
    return {
        "available": {k: v for k, v in cash_balance(sb, customer).items() if v},
        "customer": customer,
        "customer_account": None,
        "livemode": bool(obj.get("livemode")),
        "object": "cash_balance",
        "settings": {"reconciliation_mode": "automatic", "using_merchant_default": True},
    }
