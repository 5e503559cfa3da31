"""PaymentIntents, Charges, balance transactions and application fees.

A successful Checkout payment on a connected account (a direct charge) makes, on that account,
a PaymentIntent, a Charge and a ``charge`` balance transaction; with an application fee, the
platform gets an ApplicationFee (``fee_``) and its own balance transaction. Refunds are in
:mod:`.refunds`, bank payments in :mod:`.bank`, disputes in :mod:`.disputes`.
"""

from __future__ import annotations

from typing import Any

from .. import ids
from ..sandbox import PLATFORM_APPLICATION, Ctx, Sandbox
from ..store import clone
from .balances import balance_transaction, owned
from .cards import DECLINES, Card
from .common import apply_metadata, created_matches, empty_address, stripe_fee


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
        "customer": data.get("customer"),
        "customer_account": None,
        "description": data.get("description"),
        "excluded_payment_method_types": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "managed_payments": None,
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


def _outcome(failure: tuple[str, str, str] | None, pending: bool) -> dict[str, Any]:
    if failure is None:
        return {
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
    return {
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


def new_charge(
    sb: Sandbox,
    intent: dict[str, Any],
    details: dict[str, Any],
    billing: dict[str, Any],
    payment_method: str,
    failure: tuple[str, str, str] | None = None,
    *,
    pending: bool = False,
) -> dict[str, Any]:
    """A charge for ``intent``: ``succeeded`` (not yet booked: see :func:`book_success`),
    ``failed`` (with ``failure``: code, decline code, message), or ``pending`` (a bank debit)."""
    charge_id = ids.new_id("charge")
    succeeded = failure is None and not pending
    status = "pending" if pending else ("succeeded" if failure is None else "failed")
    return {
        "id": charge_id,
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": intent["amount"] if failure is None else 0,
        "amount_refunded": 0,
        "application": intent["application"],
        "application_fee": None,
        "application_fee_amount": intent["application_fee_amount"] if failure is None else None,
        "balance_transaction": None,
        "billing_details": billing,
        "calculated_statement_descriptor": "SANDBOX",
        "captured": failure is None,
        "created": sb.now(),
        "currency": intent["currency"],
        "customer": intent.get("customer"),
        "description": intent["description"],
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": failure[0] if failure else None,
        "failure_message": failure[2] if failure else None,
        "fraud_details": {},
        "livemode": False,
        "metadata": clone(intent["metadata"]),
        "on_behalf_of": None,
        "outcome": _outcome(failure, pending),
        "paid": succeeded or pending,
        "payment_intent": intent["id"],
        "payment_method": payment_method,
        "payment_method_details": details,
        "receipt_email": billing.get("email"),
        "receipt_number": None,
        "receipt_url": sb.url(f"/receipts/{charge_id}"),
        "refunded": False,
        "review": None,
        "shipping": None,
        "source": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": status,
        "transfer_data": None,
        "transfer_group": None,
    }


Events = list[tuple[str, dict[str, Any], str | None]]


def attempt_payment(
    sb: Sandbox,
    owner: str | None,
    intent: dict[str, Any],
    card: Card,
    billing: dict[str, Any],
) -> tuple[dict[str, Any], Events]:
    """Charge ``card`` for ``intent``: the charge, and the events to emit (type, object, account).

    Events are returned rather than emitted so the caller can add its own in Stripe's order.
    """
    failure = DECLINES.get(card.number)
    payment_method = ids.new_id("payment_method")
    charge = new_charge(sb, intent, card.details(), billing, payment_method, failure)
    sb.store.add(charge, owner)
    intent["latest_charge"] = charge["id"]
    intent["payment_method"] = payment_method
    if failure is not None:
        return charge, book_failure(sb, owner, intent, charge, failure, "card_error")
    return charge, book_success(sb, owner, intent, charge)


def book_failure(
    sb: Sandbox,
    owner: str | None,
    intent: dict[str, Any],
    charge: dict[str, Any],
    failure: tuple[str, str, str],
    error_type: str,
) -> Events:
    """The charge failed: the intent wants another payment method."""
    code, decline_code, message = failure
    kind = (charge.get("payment_method_details") or {}).get("type", "card")
    charge.update(
        {
            "status": "failed",
            "paid": False,
            "captured": False,
            "amount_captured": 0,
            "application_fee_amount": None,
            "failure_code": code,
            "failure_message": message,
            "outcome": _outcome(failure, False),
        }
    )
    intent["status"] = "requires_payment_method"
    intent["processing"] = None
    intent["last_payment_error"] = {
        "charge": charge["id"],
        "code": code,
        "decline_code": decline_code if error_type == "card_error" else None,
        "doc_url": "https://stripe.com/docs/error-codes/" + code.replace("_", "-"),
        "message": message,
        "payment_method": {
            "id": charge["payment_method"],
            "object": "payment_method",
            "type": kind,
        },
        "type": error_type,
    }
    intent["payment_method"] = None
    sb.store.touch()
    return [("charge.failed", charge, owner), ("payment_intent.payment_failed", intent, owner)]


def book_success(
    sb: Sandbox, owner: str | None, intent: dict[str, Any], charge: dict[str, Any]
) -> Events:
    """The money is in: balance transactions, the platform's fee, the intent succeeded."""
    events: Events = []
    charge.update(
        {
            "status": "succeeded",
            "paid": True,
            "captured": True,
            "amount_captured": charge["amount"],
            "application_fee_amount": intent["application_fee_amount"],
            "outcome": _outcome(None, False),
        }
    )
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
    txn = balance_transaction(
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
        platform_txn = balance_transaction(
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
    intent["processing"] = None
    intent["next_action"] = None
    intent["amount_received"] = amount
    intent["last_payment_error"] = None
    sb.store.touch()
    events.insert(0, ("payment_intent.succeeded", intent, owner))
    events.insert(0, ("charge.succeeded", charge, owner))
    return events


def billing_details(email: str | None, name: str | None) -> dict[str, Any]:
    return {"address": empty_address(), "email": email, "name": name, "phone": None, "tax_id": None}


# API handlers ----------------------------------------------------------------------------


def retrieve_intent(sb: Sandbox, ctx: Ctx, params: dict[str, Any], intent: str) -> dict[str, Any]:
    return clone(owned(sb, ctx, intent, "payment_intent", "intent"))


def list_intents(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    found = sb.store.of_kind(
        "payment_intent",
        ctx.account,
        lambda o: created_matches(o["created"], params.get("created")),
    )
    return sb.list_response(found, "/v1/payment_intents", params)


def retrieve_charge(sb: Sandbox, ctx: Ctx, params: dict[str, Any], charge: str) -> dict[str, Any]:
    return clone(owned(sb, ctx, charge, "charge", "charge"))


def list_charges(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    def keep(o: dict[str, Any]) -> bool:
        if params.get("payment_intent") and o["payment_intent"] != params["payment_intent"]:
            return False
        return created_matches(o["created"], params.get("created"))

    return sb.list_response(sb.store.of_kind("charge", ctx.account, keep), "/v1/charges", params)
