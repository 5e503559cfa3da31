"""PaymentIntents, Charges, balance transactions, application fees and refunds.

A successful Checkout payment on a connected account (a direct charge) makes, on that account,
a PaymentIntent, a Charge and a ``charge`` balance transaction; with an application fee, the
platform gets an ApplicationFee (``fee_``) and its own balance transaction. Refunds (on the
connected account) add up on the charge, and refund the platform's fee in proportion when
``refund_application_fee`` is set.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from .. import ids
from ..errors import StripeError, invalid, missing
from ..sandbox import PLATFORM_APPLICATION, Ctx, Sandbox
from ..store import clone
from .common import apply_metadata, created_matches, empty_address, format_amount, stripe_fee


@dataclass
class Card:
    number: str
    exp_month: int = 12
    exp_year: int = 2034

    @property
    def brand(self) -> str:
        n = self.number
        if n.startswith("4"):
            return "visa"
        if n[:2] in ("51", "52", "53", "54", "55") or "2221" <= n[:4] <= "2720":
            return "mastercard"
        if n[:2] in ("34", "37"):
            return "amex"
        if n.startswith(("6011", "65")):
            return "discover"
        return "unknown"

    @property
    def last4(self) -> str:
        return self.number[-4:]

    def details(self) -> dict[str, Any]:
        return {
            "card": {
                "amount_authorized": None,
                "brand": self.brand,
                "checks": {
                    "address_line1_check": None,
                    "address_postal_code_check": None,
                    "cvc_check": "pass",
                },
                "country": "GB",
                "exp_month": self.exp_month,
                "exp_year": self.exp_year,
                "fingerprint": hashlib.sha256(self.number.encode()).hexdigest()[:16],
                "funding": "credit",
                "installments": None,
                "last4": self.last4,
                "mandate": None,
                "network": self.brand,
                "network_token": {"used": False},
                "three_d_secure": None,
                "wallet": None,
            },
            "type": "card",
        }


# Stripe's test cards that fail: number -> (code, decline_code, message).
DECLINES: dict[str, tuple[str, str, str]] = {
    "4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
    "4000000000009995": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    "4000000000009987": ("card_declined", "lost_card", "Your card was declined."),
    "4000000000009979": ("card_declined", "stolen_card", "Your card was declined."),
    "4000000000000069": ("expired_card", "expired_card", "Your card has expired."),
    "4000000000000127": (
        "incorrect_cvc",
        "incorrect_cvc",
        "Your card's security code is incorrect.",
    ),
    "4000000000000119": (
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}


def new_payment_intent(
    sb: Sandbox, owner: str | None, amount: int, currency: str, data: dict[str, Any]
) -> dict[str, Any]:
    intent_id = ids.new_id("payment_intent")
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": PLATFORM_APPLICATION if owner else None,
        "application_fee_amount": data.get("application_fee_amount"),
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic_async",
        "client_secret": f"{intent_id}_secret_{ids.random_part(25)}",
        "confirmation_method": "automatic",
        "created": sb.now(),
        "currency": currency,
        "customer": None,
        "description": data.get("description"),
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": apply_metadata({}, data.get("metadata")),
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {
            "card": {
                "installments": None,
                "mandate_options": None,
                "network": None,
                "request_three_d_secure": "automatic",
            }
        },
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": data.get("receipt_email"),
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
    }


def _charge(
    sb: Sandbox,
    owner: str | None,
    intent: dict[str, Any],
    card: Card,
    billing: dict[str, Any],
    payment_method: str,
    failure: tuple[str, str, str] | None,
) -> dict[str, Any]:
    charge_id = ids.new_id("charge")
    succeeded = failure is None
    if succeeded:
        outcome = {
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "approved_by_network",
            "reason": None,
            "risk_level": "normal",
            "risk_score": 32,
            "seller_message": "Payment complete.",
            "type": "authorized",
        }
    else:
        assert failure is not None
        outcome = {
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "declined_by_network",
            "reason": failure[1],
            "risk_level": "normal",
            "risk_score": 32,
            "seller_message": "The bank did not return any further details with this decline.",
            "type": "issuer_declined",
        }
    return {
        "id": charge_id,
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": intent["amount"] if succeeded else 0,
        "amount_refunded": 0,
        "application": intent["application"],
        "application_fee": None,
        "application_fee_amount": intent["application_fee_amount"] if succeeded else None,
        "balance_transaction": None,
        "billing_details": billing,
        "calculated_statement_descriptor": "SANDBOX",
        "captured": succeeded,
        "created": sb.now(),
        "currency": intent["currency"],
        "customer": None,
        "description": intent["description"],
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": failure[0] if failure else None,
        "failure_message": failure[2] if failure else None,
        "fraud_details": {},
        "livemode": False,
        "metadata": clone(intent["metadata"]),
        "on_behalf_of": None,
        "outcome": outcome,
        "paid": succeeded,
        "payment_intent": intent["id"],
        "payment_method": payment_method,
        "payment_method_details": card.details(),
        "receipt_email": billing.get("email"),
        "receipt_number": None,
        "receipt_url": sb.url(f"/receipts/{charge_id}"),
        "refunded": False,
        "refunds": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/charges/{charge_id}/refunds",
        },
        "review": None,
        "shipping": None,
        "source": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "succeeded" if succeeded else "failed",
        "transfer_data": None,
        "transfer_group": None,
    }


def _balance_transaction(
    sb: Sandbox,
    owner: str | None,
    *,
    amount: int,
    currency: str,
    source: str,
    kind: str,
    description: str | None,
    fee_details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    fee_details = fee_details or []
    fee = sum(d["amount"] for d in fee_details)
    now = sb.now()
    txn = {
        "id": ids.new_id("balance_transaction"),
        "object": "balance_transaction",
        "amount": amount,
        "available_on": now + 7 * 86400,
        "balance_type": "payments",
        "created": now,
        "currency": currency,
        "description": description,
        "exchange_rate": None,
        "fee": fee,
        "fee_details": fee_details,
        "net": amount - fee,
        "reporting_category": kind,
        "source": source,
        "status": "pending",
        "type": kind,
    }
    sb.store.add(txn, owner)
    return txn


def attempt_payment(
    sb: Sandbox,
    owner: str | None,
    intent: dict[str, Any],
    card: Card,
    billing: dict[str, Any],
) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any], str | None]]]:
    """Charge ``card`` for ``intent``: the charge, and the events to emit (type, object, account).

    Events are returned rather than emitted so the caller can add its own in Stripe's order.
    """
    failure = DECLINES.get(card.number)
    payment_method = ids.new_id("payment_method")
    charge = _charge(sb, owner, intent, card, billing, payment_method, failure)
    sb.store.add(charge, owner)
    intent["latest_charge"] = charge["id"]
    intent["payment_method"] = payment_method
    events: list[tuple[str, dict[str, Any], str | None]] = []
    if failure is not None:
        code, decline_code, message = failure
        intent["status"] = "requires_payment_method"
        intent["last_payment_error"] = {
            "charge": charge["id"],
            "code": code,
            "decline_code": decline_code,
            "doc_url": "https://stripe.com/docs/error-codes/" + code.replace("_", "-"),
            "message": message,
            "payment_method": {"id": payment_method, "object": "payment_method", "type": "card"},
            "type": "card_error",
        }
        intent["payment_method"] = None
        sb.store.touch()
        events.append(("charge.failed", charge, owner))
        events.append(("payment_intent.payment_failed", intent, owner))
        return charge, events

    amount, currency = intent["amount"], intent["currency"]
    app_fee = int(intent.get("application_fee_amount") or 0)
    fee_details = [
        {
            "amount": stripe_fee(amount, currency),
            "application": None,
            "currency": currency,
            "description": "Stripe processing fees",
            "type": "stripe_fee",
        }
    ]
    if app_fee and owner:
        fee_details.append(
            {
                "amount": app_fee,
                "application": PLATFORM_APPLICATION,
                "currency": currency,
                "description": f"{sb.config.platform_name} application fee",
                "type": "application_fee",
            }
        )
    txn = _balance_transaction(
        sb,
        owner,
        amount=amount,
        currency=currency,
        source=charge["id"],
        kind="charge",
        description=intent.get("description"),
        fee_details=fee_details,
    )
    charge["balance_transaction"] = txn["id"]
    if app_fee and owner:
        fee_id = ids.new_id("application_fee")
        platform_txn = _balance_transaction(
            sb,
            None,
            amount=app_fee,
            currency=currency,
            source=fee_id,
            kind="application_fee",
            description=None,
        )
        fee = {
            "id": fee_id,
            "object": "application_fee",
            "account": owner,
            "amount": app_fee,
            "amount_refunded": 0,
            "application": PLATFORM_APPLICATION,
            "balance_transaction": platform_txn["id"],
            "charge": charge["id"],
            "created": sb.now(),
            "currency": currency,
            "fee_source": {"charge": charge["id"], "type": "charge"},
            "livemode": False,
            "originating_transaction": None,
            "refunded": False,
            "refunds": {
                "object": "list",
                "data": [],
                "has_more": False,
                "total_count": 0,
                "url": f"/v1/application_fees/{fee_id}/refunds",
            },
        }
        sb.store.add(fee, None)
        charge["application_fee"] = fee_id
        events.append(("application_fee.created", fee, None))
    intent["status"] = "succeeded"
    intent["amount_received"] = amount
    intent["last_payment_error"] = None
    sb.store.touch()
    events.insert(0, ("payment_intent.succeeded", intent, owner))
    events.insert(0, ("charge.succeeded", charge, owner))
    return charge, events


def billing_details(email: str | None, name: str | None) -> dict[str, Any]:
    return {"address": empty_address(), "email": email, "name": name, "phone": None, "tax_id": None}


# API handlers ----------------------------------------------------------------------------


def _owned(sb: Sandbox, ctx: Ctx, object_id: str, kind: str, param: str) -> dict[str, Any]:
    obj = sb.store.get_owned(object_id, kind, ctx.account)
    if obj is None:
        raise missing(kind, object_id, param=param)
    return obj


def retrieve_intent(sb: Sandbox, ctx: Ctx, params: dict[str, Any], intent: str) -> dict[str, Any]:
    return clone(_owned(sb, ctx, intent, "payment_intent", "intent"))


def list_intents(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    found = sb.store.of_kind(
        "payment_intent",
        ctx.account,
        lambda o: created_matches(o["created"], params.get("created")),
    )
    return sb.list_response(found, "/v1/payment_intents", params)


def retrieve_charge(sb: Sandbox, ctx: Ctx, params: dict[str, Any], charge: str) -> dict[str, Any]:
    return clone(_owned(sb, ctx, charge, "charge", "charge"))


def list_charges(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    def keep(o: dict[str, Any]) -> bool:
        if params.get("payment_intent") and o["payment_intent"] != params["payment_intent"]:
            return False
        return created_matches(o["created"], params.get("created"))

    return sb.list_response(sb.store.of_kind("charge", ctx.account, keep), "/v1/charges", params)


def retrieve_balance_transaction(
    sb: Sandbox, ctx: Ctx, params: dict[str, Any], id: str
) -> dict[str, Any]:
    return clone(_owned(sb, ctx, id, "balance_transaction", "id"))


def retrieve_fee(sb: Sandbox, ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    return clone(_owned(sb, ctx, id, "application_fee", "id"))


def list_fees(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    def keep(o: dict[str, Any]) -> bool:
        if params.get("charge") and o["charge"] != params["charge"]:
            return False
        return created_matches(o["created"], params.get("created"))

    found = sb.store.of_kind("application_fee", ctx.account, keep)
    return sb.list_response(found, "/v1/application_fees", params)


def retrieve_refund(sb: Sandbox, ctx: Ctx, params: dict[str, Any], refund: str) -> dict[str, Any]:
    return clone(_owned(sb, ctx, refund, "refund", "refund"))


def list_refunds(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    def keep(o: dict[str, Any]) -> bool:
        if params.get("charge") and o["charge"] != params["charge"]:
            return False
        if params.get("payment_intent") and o["payment_intent"] != params["payment_intent"]:
            return False
        return created_matches(o["created"], params.get("created"))

    return sb.list_response(sb.store.of_kind("refund", ctx.account, keep), "/v1/refunds", params)


def _refund_target(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    charge_id = params.get("charge")
    intent_id = params.get("payment_intent")
    if not charge_id and not intent_id:
        raise StripeError(
            400,
            "One of the following params should be provided for this request: payment_intent "
            "or charge.",
            code="parameter_missing",
        )
    if intent_id:
        intent = sb.store.get_owned(intent_id, "payment_intent", ctx.account)
        if intent is None:
            raise StripeError(
                400,
                f"No such payment_intent: '{intent_id}'",
                code="resource_missing",
                param="payment_intent",
            )
        if intent["status"] != "succeeded" or not intent["latest_charge"]:
            raise invalid(
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
                param="payment_intent",
            )
        if charge_id and charge_id != intent["latest_charge"]:
            raise invalid(
                f"The charge {charge_id} does not belong to the PaymentIntent {intent_id}.",
                param="charge",
            )
        charge_id = intent["latest_charge"]
    assert charge_id is not None
    charge = sb.store.get_owned(charge_id, "charge", ctx.account)
    if charge is None:
        raise StripeError(
            400, f"No such charge: '{charge_id}'", code="resource_missing", param="charge"
        )
    return charge


def create_refund(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    charge = _refund_target(sb, ctx, params)
    if charge["status"] != "succeeded":
        raise invalid(
            f"Charge {charge['id']} has not succeeded, so it cannot be refunded.", param="charge"
        )
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining <= 0:
        raise invalid(
            f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
        )
    amount = params.get("amount", remaining)
    if amount <= 0:
        raise invalid("Invalid positive integer", param="amount", code="parameter_invalid_integer")
    currency = charge["currency"]
    if amount > remaining:
        raise invalid(
            f"Refund amount ({format_amount(amount, currency)}) is greater than unrefunded "
            f"amount on charge ({format_amount(remaining, currency)})",
            param="amount",
        )
    before = {k: clone(charge[k]) for k in ("amount_refunded", "refunded", "refunds")}
    refund_id = ids.new_id("refund")
    txn = _balance_transaction(
        sb,
        ctx.account,
        amount=-amount,
        currency=currency,
        source=refund_id,
        kind="refund",
        description="REFUND FOR CHARGE"
        + (f" ({charge['description']})" if charge["description"] else ""),
    )
    refund = {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": txn["id"],
        "charge": charge["id"],
        "created": sb.now(),
        "currency": currency,
        "destination_details": {
            "card": {
                "reference": None,
                "reference_status": "pending",
                "reference_type": "acquirer_reference_number",
                "type": "refund",
            },
            "type": "card",
        },
        "metadata": apply_metadata({}, params.get("metadata")),
        "payment_intent": charge["payment_intent"],
        "reason": params.get("reason"),
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }
    sb.store.add(refund, ctx.account)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
    charge["refunds"]["data"].insert(0, clone(refund))
    charge["refunds"]["total_count"] = len(charge["refunds"]["data"])
    previous = {k: v for k, v in before.items() if v != charge[k]}
    events: list[tuple[str, dict[str, Any], str | None, dict[str, Any] | None]] = [
        ("charge.refunded", charge, ctx.account, previous),
        ("refund.created", refund, ctx.account, None),
    ]
    if params.get("refund_application_fee") and charge.get("application_fee"):
        fee = sb.store.get(charge["application_fee"], "application_fee")
        if fee is not None:
            target = fee["amount"] * charge["amount_refunded"] // charge["amount"]
            portion = target - fee["amount_refunded"]
            if portion > 0:
                fee_before = {k: clone(fee[k]) for k in ("amount_refunded", "refunded", "refunds")}
                fee_refund = {
                    "id": ids.new_id("fee_refund"),
                    "object": "fee_refund",
                    "amount": portion,
                    "balance_transaction": None,
                    "created": sb.now(),
                    "currency": fee["currency"],
                    "fee": fee["id"],
                    "metadata": {},
                }
                sb.store.add(fee_refund, None)
                fee["amount_refunded"] += portion
                fee["refunded"] = fee["amount_refunded"] >= fee["amount"]
                fee["refunds"]["data"].insert(0, fee_refund)
                fee["refunds"]["total_count"] = len(fee["refunds"]["data"])
                fee_previous = {k: v for k, v in fee_before.items() if v != fee[k]}
                events.append(("application_fee.refunded", fee, None, fee_previous))
    sb.store.touch()
    for event_type, obj, account, prev in events:
        sb.emit(event_type, obj, account=account, ctx=ctx, previous=prev)
    return clone(refund)
