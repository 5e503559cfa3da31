"""Object ids with Stripe's prefixes (``acct_``, ``cs_test_``, ``pi_``, ``ch_``, ...)."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits

PREFIXES = {
    "account": "acct_1",
    "checkout.session": "cs_test_a1",
    "payment_intent": "pi_3",
    "charge": "ch_3",
    "refund": "re_3",
    "application_fee": "fee_1",
    "fee_refund": "fr_1",
    "balance_transaction": "txn_3",
    "event": "evt_1",
    "item": "li_1",
    "price": "price_1",
    "product": "prod_",
    "payment_method": "pm_1",
    "request": "req_",
    "webhook_endpoint": "we_1",
    "customer": "cus_",
    "dispute": "dp_1",
    "customer_cash_balance_transaction": "ccsbtxn_1",
}

_LENGTHS = {"checkout.session": 48, "request": 14, "product": 14, "customer": 14}


def random_part(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_id(kind: str) -> str:
    """A fresh id for an object of ``kind`` (Stripe's ``object`` value)."""
    return PREFIXES[kind] + random_part(_LENGTHS.get(kind, 24))


def request_id() -> str:
    return new_id("request")
