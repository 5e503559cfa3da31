"""Bank payments in Checkout: Bacs and SEPA Direct Debit, US bank accounts (ACH), bank transfers.

Debits are delayed-notification methods: paying completes the session with
``payment_status=unpaid``, the PaymentIntent is ``processing`` and the charge ``pending``; when
the sandbox clock reaches the settlement time (``POST /_sandbox/clock`` fast-forwards it) the
payment succeeds or fails, as Stripe's test bank details say, with
``checkout.session.async_payment_succeeded`` or ``..._failed``.

Bank transfers (``customer_balance``) leave the PaymentIntent in ``requires_action`` with
funding instructions (a reference and an account); ``POST /_sandbox/customers/{id}/fund``
credits the customer's cash balance, which pays the oldest open PaymentIntent (or the one whose
reference is given), partly (``payment_intent.partially_funded``) or fully.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from .. import ids
from ..errors import StripeError, invalid
from ..sandbox import Sandbox
from ..store import clone
from . import disputes, payments
from .bank_tables import Behaviour, lookup
from .customers import cash_balance

CURRENCY = {"bacs_debit": "gbp", "sepa_debit": "eur", "us_bank_account": "usd"}
TRANSFER_TYPES = {"gbp": "gb_bank_transfer", "eur": "eu_bank_transfer", "usd": "us_bank_transfer"}
SUPPORTED = ("card", "bacs_debit", "sepa_debit", "us_bank_account", "customer_balance")


def session_methods(
    params: dict[str, Any], currency: str, customer: str | None
) -> tuple[list[str], dict[str, Any]]:
    """``payment_method_types`` and ``payment_method_options`` for a new Checkout Session."""
    allowed = list(dict.fromkeys(params.get("allowed_payment_method_types") or ["card"]))
    options: dict[str, Any] = {}
    given = params.get("payment_method_options") or {}
    for method in allowed:
        if method not in SUPPORTED:
            raise invalid(
                f"The payment method type `{method}` is not served by the Stripe sandbox "
                f"(it serves {', '.join(SUPPORTED)}).",
                param="allowed_payment_method_types",
            )
        wanted = CURRENCY.get(method)
        if wanted and currency != wanted:
            raise invalid(
                f"The currency provided ({currency}) is invalid for one or more payment method "
                f"types on this Checkout Session. `{method}` supports only {wanted}.",
                param="allowed_payment_method_types",
            )
        if method == "card":
            options["card"] = {"request_three_d_secure": "automatic"}
        elif method == "customer_balance":
            if not customer:
                raise invalid(
                    "`customer_balance` requires a Customer: pass `customer` when creating the "
                    "Checkout Session.",
                    param="customer",
                )
            option = given.get("customer_balance") or {}
            transfer = option.get("bank_transfer") or {}
            kind = transfer.get("type") or TRANSFER_TYPES.get(currency)
            if option.get("funding_type", "bank_transfer") != "bank_transfer":
                raise invalid(
                    "Invalid funding_type: must be bank_transfer",
                    param="payment_method_options[customer_balance][funding_type]",
                )
            if kind != TRANSFER_TYPES.get(currency):
                raise invalid(
                    f"Bank transfers in {currency} are not served by the Stripe sandbox with "
                    f"type {kind}.",
                    param="payment_method_options[customer_balance][bank_transfer][type]",
                )
            options["customer_balance"] = {
                "bank_transfer": {"type": kind},
                "funding_type": "bank_transfer",
                "setup_future_usage": None,
            }
        else:
            options[method] = {"setup_future_usage": None}
    return allowed, options


def _problem(param: str, message: str) -> dict[str, str]:
    return {"code": "invalid_bank_details", "param": param, "message": message}


def _details(method: str, fields: dict[str, Any]) -> tuple[dict[str, Any], Behaviour]:
    """(payment_method_details, test behaviour) or raises ValueError(problem) for bad input."""
    if method == "bacs_debit":
        sort_code = re.sub(r"[\s-]", "", str(fields.get("sort_code") or ""))
        account = re.sub(r"\s", "", str(fields.get("account_number") or ""))
        if not re.fullmatch(r"\d{6}", sort_code):
            raise ValueError(_problem("sort_code", "Your sort code must have 6 digits."))
        if not re.fullmatch(r"\d{8}", account):
            raise ValueError(_problem("account_number", "Your account number must have 8 digits."))
        behaviour = lookup(method, account, sort_code)
        fingerprint = hashlib.sha256(f"{sort_code}{account}".encode()).hexdigest()[:16]
        details: dict[str, Any] = {
            "fingerprint": fingerprint,
            "last4": account[-4:],
            "mandate": "mandate_" + ids.random_part(24),
            "sort_code": sort_code,
        }
        return {"bacs_debit": details, "type": "bacs_debit"}, behaviour
    if method == "sepa_debit":
        iban = re.sub(r"\s", "", str(fields.get("iban") or "")).upper()
        if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
            raise ValueError(_problem("iban", "Your IBAN is incomplete."))
        behaviour = lookup(method, iban)
        details = {
            "bank_code": iban[4:12],
            "branch_code": None,
            "country": iban[:2],
            "fingerprint": hashlib.sha256(iban.encode()).hexdigest()[:16],
            "last4": iban[-4:],
            "mandate": "mandate_" + ids.random_part(24),
        }
        return {"sepa_debit": details, "type": "sepa_debit"}, behaviour
    routing = re.sub(r"\s", "", str(fields.get("routing_number") or ""))
    account = re.sub(r"\s", "", str(fields.get("account_number") or ""))
    if not re.fullmatch(r"\d{9}", routing):
        raise ValueError(_problem("routing_number", "Your routing number must have 9 digits."))
    if not re.fullmatch(r"\d{4,17}", account):
        raise ValueError(_problem("account_number", "Your account number is invalid."))
    behaviour = lookup(method, account, routing)
    details = {
        "account_holder_type": "individual",
        "account_type": "checking",
        "bank_name": "STRIPE TEST BANK",
        "fingerprint": hashlib.sha256(f"{routing}{account}".encode()).hexdigest()[:16],
        "last4": account[-4:],
        "mandate": "mandate_" + ids.random_part(24),
        "payment_reference": None,
        "routing_number": routing,
    }
    return {"us_bank_account": details, "type": "us_bank_account"}, behaviour


def start_debit(
    sb: Sandbox,
    owner: str | None,
    session: dict[str, Any],
    intent: dict[str, Any],
    method: str,
    fields: dict[str, Any],
    billing: dict[str, Any],
) -> dict[str, Any]:
    """The customer confirmed a debit: processing now, settled by the clock. Returns the
    outcome (``processing`` or ``invalid``) without emitting the session's events."""
    try:
        details, behaviour = _details(method, fields)
    except ValueError as exc:
        return {"outcome": "invalid", "error": exc.args[0]}
    if behaviour.refused:
        field = "iban" if method == "sepa_debit" else "account_number"
        return {"outcome": "invalid", "error": _problem(field, behaviour.refused)}
    payment_method = ids.new_id("payment_method")
    charge = payments.new_charge(sb, intent, details, billing, payment_method, pending=True)
    sb.store.add(charge, owner)
    intent.update(
        {
            "latest_charge": charge["id"],
            "payment_method": payment_method,
            "payment_method_types": [method],
            "status": "processing",
            "processing": None,
            "last_payment_error": None,
        }
    )
    sb.store.touch()
    if not behaviour.never_settles:
        delay = sb.config.bank_debit_delay_late if behaviour.late else sb.config.bank_debit_delay
        sb.schedule(
            sb.now() + delay,
            "bank_debit_settle",
            session=session["id"],
            charge=charge["id"],
            failure=list(behaviour.failure) if behaviour.failure else None,
            dispute=behaviour.dispute,
        )
    sb.emit("charge.pending", charge, account=owner)
    sb.emit("payment_intent.processing", intent, account=owner)
    return {"outcome": "processing", "charge": charge["id"], "payment_intent": intent["id"]}


def settle_debit(sb: Sandbox, data: dict[str, Any]) -> None:
    charge = sb.store.get(data["charge"], "charge")
    session = sb.store.get(data["session"], "checkout.session")
    if charge is None or charge["status"] != "pending":
        return
    owner = sb.store.owner.get(charge["id"])
    sb.store.livemode = bool(charge.get("livemode"))
    intent = sb.store.get(charge["payment_intent"], "payment_intent")
    assert intent is not None
    failure = data.get("failure")
    if failure:
        code, message = failure
        events = payments.book_failure(
            sb, owner, intent, charge, (code, code, message), "invalid_request_error"
        )
        final = "checkout.session.async_payment_failed"
    else:
        events = payments.book_success(sb, owner, intent, charge)
        final = "checkout.session.async_payment_succeeded"
        if session is not None:
            session["payment_status"] = "paid"
    for event_type, obj, account in events:
        sb.emit(event_type, obj, account=account)
    if session is not None:
        sb.store.touch()
        sb.emit(final, session, account=owner)
    if data.get("dispute") and not failure:
        # Stripe's "disputed" test accounts: the payment succeeds, then a dispute is created.
        disputes.open_dispute(sb, charge["id"], "debit_not_authorized")


# Bank transfers ----------------------------------------------------------------------------


def _financial_address(currency: str, seed: str) -> dict[str, Any]:
    digits = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))
    holder = "Stripe Payments UK Limited" if currency == "gbp" else "Stripe Payments"
    if currency == "gbp":
        return {
            "sort_code": {
                "account_holder_name": holder,
                "account_number": digits[:8],
                "sort_code": "040075",
            },
            "supported_networks": ["bacs", "fps"],
            "type": "sort_code",
        }
    if currency == "eur":
        return {
            "iban": {
                "account_holder_name": holder,
                "bic": "SXPYDEHH",
                "country": "DE",
                "iban": "DE" + digits[:20],
            },
            "supported_networks": ["sepa"],
            "type": "iban",
        }
    return {
        "aba": {
            "account_holder_name": holder,
            "account_number": digits[:12],
            "bank_name": "STRIPE TEST BANK",
            "routing_number": "110000000",
        },
        "supported_networks": ["ach", "domestic_wire_us"],
        "type": "aba",
    }


def start_transfer(
    sb: Sandbox, owner: str | None, session: dict[str, Any], intent: dict[str, Any]
) -> dict[str, Any]:
    """The customer chose a bank transfer: funding instructions, awaiting funds."""
    currency = intent["currency"]
    reference = ids.random_part(12).upper()
    customer = session.get("customer")
    intent.update(
        {
            "status": "requires_action",
            "payment_method": ids.new_id("payment_method"),
            "payment_method_types": ["customer_balance"],
            "next_action": {
                "display_bank_transfer_instructions": {
                    "amount_remaining": intent["amount"],
                    "currency": currency,
                    "financial_addresses": [_financial_address(currency, str(customer))],
                    "hosted_instructions_url": sb.url(f"/c/pay/{session['id']}"),
                    "reference": reference,
                    "type": TRANSFER_TYPES[currency],
                },
                "type": "display_bank_transfer_instructions",
            },
        }
    )
    sb.store.touch()
    sb.emit("payment_intent.requires_action", intent, account=owner)
    return {
        "outcome": "awaiting_funding",
        "payment_intent": intent["id"],
        "reference": reference,
        "instructions": clone(intent["next_action"]["display_bank_transfer_instructions"]),
    }


def fund(
    sb: Sandbox, customer_id: str, amount: int, currency: str, reference: str | None
) -> dict[str, Any]:
    """Money arrives by bank transfer for a customer: it pays open PaymentIntents."""
    customer = sb.store.get(customer_id, "customer")
    if customer is None:
        raise StripeError(404, f"No such customer: '{customer_id}'", code="resource_missing")
    if amount <= 0:
        raise invalid("amount must be a positive integer", param="amount")
    owner = sb.store.owner.get(customer_id)
    sb.store.livemode = bool(customer.get("livemode"))
    balance = cash_balance(sb, customer_id)
    balance[currency] = balance.get(currency, 0) + amount
    sb.store.touch()
    applied: list[dict[str, Any]] = []

    def waiting(pi: dict[str, Any]) -> bool:
        action = pi.get("next_action") or {}
        instructions = action.get("display_bank_transfer_instructions")
        return (
            pi["customer"] == customer_id
            and pi["status"] == "requires_action"
            and pi["currency"] == currency
            and instructions is not None
            and (not reference or instructions["reference"] == reference)
        )

    for intent in sb.store.of_kind("payment_intent", owner, waiting):
        if balance[currency] <= 0:
            break
        instructions = intent["next_action"]["display_bank_transfer_instructions"]
        used = min(balance[currency], instructions["amount_remaining"])
        balance[currency] -= used
        instructions["amount_remaining"] -= used
        intent["amount_received"] = intent["amount"] - instructions["amount_remaining"]
        sb.store.touch()
        if instructions["amount_remaining"] > 0:
            sb.emit("payment_intent.partially_funded", intent, account=owner)
            applied.append({"payment_intent": intent["id"], "applied": used, "status": "partial"})
            continue
        _complete_transfer(sb, owner, intent)
        applied.append({"payment_intent": intent["id"], "applied": used, "status": "succeeded"})
    sb.emit("cash_balance.funds_available", customer, account=owner)
    return {"customer": customer_id, "cash_balance": dict(balance), "applied": applied}


def _complete_transfer(sb: Sandbox, owner: str | None, intent: dict[str, Any]) -> None:
    session = next(
        iter(
            sb.store.of_kind(
                "checkout.session", owner, lambda s: s["payment_intent"] == intent["id"]
            )
        ),
        None,
    )
    details = {"customer_balance": {}, "type": "customer_balance"}
    billing = payments.billing_details(
        (session or {}).get("customer_details", {}).get("email") if session else None, None
    )
    charge = payments.new_charge(sb, intent, details, billing, intent["payment_method"])
    sb.store.add(charge, owner)
    intent["latest_charge"] = charge["id"]
    events = payments.book_success(sb, owner, intent, charge)
    for event_type, obj, account in events:
        sb.emit(event_type, obj, account=account)
    if session is not None:
        session["payment_status"] = "paid"
        sb.store.touch()
        sb.emit("checkout.session.async_payment_succeeded", session, account=owner)
