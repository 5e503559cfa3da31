"""Refunds and their lifecycle, and application fee refunds.

A refund adds up on its charge (``amount_refunded``, ``refunded``) and emits ``refund.created``
and ``charge.refunded`` (the endive charge: no embedded ``refunds`` list; list them with
``GET /v1/refunds?charge=``). Card refunds succeed at once, except with Stripe's test cards
``4000 0000 0000 7726`` (pending, then succeeded) and ``4000 0000 0000 5126`` (succeeded, then
failed); bank debit refunds are ``pending`` until the clock settles them. A refund that fails
(also ``POST /_sandbox/refunds/{id}/fail``) gives the amount back to the charge, with a
``refund_failure`` balance transaction and ``refund.updated`` + ``refund.failed`` events.
"""

from __future__ import annotations

from typing import Any

from .. import ids
from ..errors import StripeError, invalid, missing
from ..sandbox import Ctx, Sandbox
from ..store import clone
from .balances import balance_transaction, owned
from .common import apply_metadata, created_matches, format_amount

PENDING_CARDS = {"7726"}  # 4000 0000 0000 7726: pending, then succeeded
FAILING_CARDS = {"5126"}  # 4000 0000 0000 5126: succeeded, then failed


def _destination(charge: dict[str, Any]) -> dict[str, Any]:
    kind = (charge.get("payment_method_details") or {}).get("type", "card")
    if kind == "card":
        return {
            "card": {
                "reference": None,
                "reference_status": "pending",
                "reference_type": "acquirer_reference_number",
                "type": "refund",
            },
            "type": "card",
        }
    if kind == "customer_balance":
        return {"customer_cash_balance": {}, "type": "customer_cash_balance"}
    return {kind: {"reference": None, "reference_status": "pending"}, "type": kind}


def refund_charge(
    sb: Sandbox,
    owner: str | None,
    charge: dict[str, Any],
    *,
    amount: int | None,
    ctx: Ctx | None,
    reason: str | None = None,
    metadata: Any = None,
    refund_application_fee: bool = False,
) -> dict[str, Any]:
    """Refund ``charge`` (API or Dashboard); emits the events; returns the stored refund."""
    if charge["status"] != "succeeded":
        raise invalid(
            f"Charge {charge['id']} has not succeeded, so it cannot be refunded.", param="charge"
        )
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining <= 0:
        raise invalid(
            f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
        )
    amount = remaining if amount is None else amount
    if amount <= 0:
        raise invalid("Invalid positive integer", param="amount", code="parameter_invalid_integer")
    currency = charge["currency"]
    if amount > remaining:
        raise invalid(
            f"Refund amount ({format_amount(amount, currency)}) is greater than unrefunded "
            f"amount on charge ({format_amount(remaining, currency)})",
            param="amount",
        )
    before = {k: charge[k] for k in ("amount_refunded", "refunded")}
    refund_id = ids.new_id("refund")
    txn = balance_transaction(
        sb,
        owner,
        amount=-amount,
        currency=currency,
        source=refund_id,
        kind="refund",
        description="REFUND FOR CHARGE"
        + (f" ({charge['description']})" if charge["description"] else ""),
    )
    details = charge.get("payment_method_details") or {}
    last4 = (details.get("card") or {}).get("last4", "")
    kind = details.get("type", "card")
    status = "succeeded"
    if kind not in ("card", "customer_balance") or last4 in PENDING_CARDS:
        status = "pending"
    refund = {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": txn["id"],
        "charge": charge["id"],
        "created": sb.now(),
        "currency": currency,
        "customer": charge.get("customer"),
        "customer_account": None,
        "destination_details": _destination(charge),
        "metadata": apply_metadata({}, metadata),
        "payment_intent": charge["payment_intent"],
        "payment_method": charge.get("payment_method"),
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": status,
        "transfer_reversal": None,
    }
    sb.store.add(refund, owner)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
    previous = {k: v for k, v in before.items() if v != charge[k]}
    sb.emit("refund.created", refund, account=owner, ctx=ctx)
    sb.emit("charge.refunded", charge, account=owner, ctx=ctx, previous=previous)
    if status == "pending":
        sb.schedule(sb.now() + sb.config.refund_delay, "refund_settle", refund=refund_id)
    elif last4 in FAILING_CARDS:
        sb.schedule(sb.now() + sb.config.refund_delay, "refund_fail", refund=refund_id)
    if refund_application_fee and charge.get("application_fee"):
        fee = sb.store.get(charge["application_fee"], "application_fee")
        if fee is not None:
            target = fee["amount"] * charge["amount_refunded"] // charge["amount"]
            portion = target - fee["amount_refunded"]
            if portion > 0:
                refund_fee(sb, fee, portion, ctx)
    sb.store.touch()
    return refund


def settle(sb: Sandbox, refund_id: str) -> None:
    refund = sb.store.get(refund_id, "refund")
    if refund is None or refund["status"] != "pending":
        return
    owner = sb.store.owner.get(refund_id)
    refund["status"] = "succeeded"
    sb.store.touch()
    sb.emit("refund.updated", refund, account=owner, previous={"status": "pending"})
    sb.emit("charge.refund.updated", refund, account=owner, previous={"status": "pending"})


def fail(sb: Sandbox, refund_id: str, reason: str = "expired_or_canceled_card") -> dict[str, Any]:
    """A refund that did not reach the customer: the money is back on the charge's account."""
    refund = sb.store.get(refund_id, "refund")
    if refund is None:
        raise missing("refund", refund_id, param="refund")
    if refund["status"] not in ("pending", "succeeded", "requires_action"):
        raise StripeError(409, f"The refund is {refund['status']}: it cannot fail now.")
    owner = sb.store.owner.get(refund_id)
    previous = {"status": refund["status"]}
    txn = balance_transaction(
        sb,
        owner,
        amount=refund["amount"],
        currency=refund["currency"],
        source=refund_id,
        kind="refund_failure",
        description="REFUND FAILURE",
    )
    refund["status"] = "failed"
    refund["failure_reason"] = reason
    refund["failure_balance_transaction"] = txn["id"]
    charge = sb.store.get(refund["charge"], "charge")
    if charge is not None:
        charge["amount_refunded"] = max(0, charge["amount_refunded"] - refund["amount"])
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
    sb.store.touch()
    sb.emit("refund.updated", refund, account=owner, previous=previous)
    sb.emit("charge.refund.updated", refund, account=owner, previous=previous)
    sb.emit("refund.failed", refund, account=owner, previous=previous)
    return refund


# Application fee refunds -------------------------------------------------------------------


def refund_fee(
    sb: Sandbox, fee: dict[str, Any], amount: int, ctx: Ctx | None, metadata: Any = None
) -> dict[str, Any]:
    """Give back ``amount`` of the platform's fee to the connected account."""
    before = {k: clone(fee[k]) for k in ("amount_refunded", "refunded", "refunds")}
    refund_id = ids.new_id("fee_refund")
    txn = balance_transaction(
        sb,
        None,
        amount=-amount,
        currency=fee["currency"],
        source=refund_id,
        kind="application_fee_refund",
        description="Application fee refund",
    )
    fee_refund = {
        "id": refund_id,
        "object": "fee_refund",
        "amount": amount,
        "balance_transaction": txn["id"],
        "created": sb.now(),
        "currency": fee["currency"],
        "fee": fee["id"],
        "metadata": apply_metadata({}, metadata),
    }
    sb.store.add(fee_refund, None)
    fee["amount_refunded"] += amount
    fee["refunded"] = fee["amount_refunded"] >= fee["amount"]
    fee["refunds"]["data"].insert(0, clone(fee_refund))
    fee["refunds"]["total_count"] = len(fee["refunds"]["data"])
    previous = {k: v for k, v in before.items() if v != fee[k]}
    sb.emit("application_fee.refunded", fee, account=None, ctx=ctx, previous=previous)
    sb.store.touch()
    return fee_refund


def create_fee_refund(sb: Sandbox, ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    fee = owned(sb, ctx, id, "application_fee", "id")
    remaining = fee["amount"] - fee["amount_refunded"]
    amount = params.get("amount", remaining)
    if remaining <= 0:
        raise invalid(f"Application fee {id} has already been refunded.", param="id")
    if amount <= 0 or amount > remaining:
        raise invalid(
            f"Refund amount ({format_amount(amount, fee['currency'])}) is greater than "
            f"unrefunded amount on fee ({format_amount(remaining, fee['currency'])})",
            param="amount",
        )
    return clone(refund_fee(sb, fee, amount, ctx, params.get("metadata")))


def list_fee_refunds(sb: Sandbox, ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    owned(sb, ctx, id, "application_fee", "id")
    found = sb.store.of_kind("fee_refund", None, lambda r: r["fee"] == id)
    return sb.list_response(found, f"/v1/application_fees/{id}/refunds", params)


# API handlers ----------------------------------------------------------------------------


def retrieve_refund(sb: Sandbox, ctx: Ctx, params: dict[str, Any], refund: str) -> dict[str, Any]:
    return clone(owned(sb, ctx, refund, "refund", "refund"))


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
    refund = refund_charge(
        sb,
        ctx.account,
        charge,
        amount=params.get("amount"),
        ctx=ctx,
        reason=params.get("reason"),
        metadata=params.get("metadata"),
        refund_application_fee=bool(params.get("refund_application_fee")),
    )
    return clone(refund)
