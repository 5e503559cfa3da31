"""Disputes: opened on a charge (funds withdrawn), then closed won (funds reinstated) or lost.

The control API opens them (``POST /_sandbox/charges/{id}/dispute``) and closes them
(``POST /_sandbox/disputes/{id}/close``), as a cardholder's bank would; Stripe's dispute test
cards (``4000 0000 0000 0259`` fraudulent, ``4000 0000 0000 2685`` product not received) open one
when paid. ``POST /v1/disputes/{id}`` saves evidence and submits it (``under_review``); as in
Stripe's test mode, submitted ``uncategorized_text`` ``winning_evidence`` or
``losing_evidence`` closes the dispute won or lost. Opening withdraws the
disputed amount plus Stripe's dispute fee from the charge's account (an ``adjustment`` balance
transaction, reporting category ``dispute``); winning gives the amount back (reporting category
``dispute_reversal``; the fee stays withdrawn).
"""

from __future__ import annotations

from typing import Any

from .. import ids
from ..errors import StripeError, invalid, missing
from ..sandbox import Ctx, Sandbox
from ..store import clone
from .balances import balance_transaction, owned
from .common import apply_metadata, created_matches, diff

DISPUTE_FEES = {"gbp": 2000, "eur": 2000, "usd": 1500}
REASONS = (
    "bank_cannot_process",
    "credit_not_processed",
    "customer_initiated",
    "debit_not_authorized",
    "duplicate",
    "fraudulent",
    "general",
    "incorrect_account_details",
    "insufficient_funds",
    "product_not_received",
    "product_unacceptable",
    "subscription_canceled",
    "unrecognized",
)
EVIDENCE_FIELDS = [
    "access_activity_log",
    "billing_address",
    "cancellation_policy",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "customer_communication",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "customer_signature",
    "duplicate_charge_documentation",
    "duplicate_charge_explanation",
    "duplicate_charge_id",
    "product_description",
    "receipt",
    "refund_policy",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "service_date",
    "service_documentation",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_documentation",
    "shipping_tracking_number",
    "uncategorized_file",
    "uncategorized_text",
]


def _method_details(charge: dict[str, Any]) -> dict[str, Any]:
    details = charge.get("payment_method_details") or {}
    kind = details.get("type", "card")
    if kind == "card":
        brand = (details.get("card") or {}).get("brand", "visa")
        return {
            "card": {
                "brand": brand,
                "case_type": "chargeback",
                "network_reason_code": "10.4",
                "network": brand,
            },
            "type": "card",
        }
    return {kind: {}, "type": kind}


def open_dispute(sb: Sandbox, charge_id: str, reason: str | None = None) -> dict[str, Any]:
    charge = sb.store.get(charge_id, "charge")
    if charge is None:
        raise missing("charge", charge_id, param="charge")
    if charge["status"] != "succeeded":
        raise StripeError(409, f"Charge {charge_id} has not succeeded: it cannot be disputed.")
    if charge["disputed"]:
        raise StripeError(409, f"Charge {charge_id} is already disputed.")
    reason = reason or "fraudulent"
    if reason not in REASONS:
        raise StripeError(400, f"Invalid reason: must be one of {', '.join(REASONS)}")
    owner = sb.store.owner.get(charge_id)
    sb.store.livemode = bool(charge.get("livemode"))
    dispute_id = ids.new_id("dispute")
    amount, currency = charge["amount"], charge["currency"]
    fee = DISPUTE_FEES.get(currency, 1500)
    txn = balance_transaction(
        sb,
        owner,
        amount=-amount,
        currency=currency,
        source=dispute_id,
        kind="adjustment",
        description=f"Chargeback withdrawal for {charge_id}",
        fee_details=[
            {
                "amount": fee,
                "application": None,
                "currency": currency,
                "description": "Dispute fee",
                "type": "stripe_fee",
            }
        ],
    )
    txn["reporting_category"] = "dispute"
    dispute = {
        "id": dispute_id,
        "object": "dispute",
        "amount": amount,
        "balance_transactions": [clone(txn)],
        "charge": charge_id,
        "created": sb.now(),
        "currency": currency,
        "enhanced_eligibility_types": [],
        "evidence": {**dict.fromkeys(EVIDENCE_FIELDS), "enhanced_evidence": {}},
        "evidence_details": {
            "due_by": sb.now() + 7 * 86400,
            "enhanced_eligibility": {},
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": charge["payment_intent"],
        "payment_method_details": _method_details(charge),
        "reason": reason,
        "status": "needs_response",
    }
    sb.store.add(dispute, owner)
    charge["disputed"] = True
    sb.store.touch()
    sb.emit("charge.dispute.created", dispute, account=owner)
    sb.emit("charge.dispute.funds_withdrawn", dispute, account=owner)
    return dispute


def close_dispute(sb: Sandbox, dispute_id: str, outcome: str) -> dict[str, Any]:
    dispute = sb.store.get(dispute_id, "dispute")
    if dispute is None:
        raise missing("dispute", dispute_id, param="dispute")
    if outcome not in ("won", "lost"):
        raise StripeError(400, "outcome must be won or lost", param="outcome")
    if dispute["status"] in ("won", "lost"):
        raise StripeError(409, f"The dispute is already {dispute['status']}.")
    owner = sb.store.owner.get(dispute_id)
    sb.store.livemode = bool(dispute.get("livemode"))
    previous = {"status": dispute["status"]}
    dispute["status"] = outcome
    dispute["is_charge_refundable"] = False
    if outcome == "won":
        txn = balance_transaction(
            sb,
            owner,
            amount=dispute["amount"],
            currency=dispute["currency"],
            source=dispute_id,
            kind="adjustment",
            description=f"Chargeback reversal for {dispute['charge']}",
        )
        txn["reporting_category"] = "dispute_reversal"
        dispute["balance_transactions"].append(clone(txn))
        sb.store.touch()
        sb.emit("charge.dispute.funds_reinstated", dispute, account=owner)
    sb.store.touch()
    sb.emit("charge.dispute.closed", dispute, account=owner, previous=previous)
    return dispute


TEST_OUTCOMES = {"winning_evidence": "won", "losing_evidence": "lost"}


def update(sb: Sandbox, ctx: Ctx, params: dict[str, Any], dispute: str) -> dict[str, Any]:
    """Evidence and metadata; ``submit`` (default true) sends the evidence to the bank."""
    obj = owned(sb, ctx, dispute, "dispute", "dispute")
    if obj["status"] not in ("needs_response", "warning_needs_response"):
        raise invalid(
            f"This dispute is already {obj['status']}: its evidence cannot be changed.",
            param="evidence",
        )
    before = clone(obj)
    for key, value in (params.get("evidence") or {}).items():
        if key in obj["evidence"] and not isinstance(obj["evidence"][key], dict):
            obj["evidence"][key] = value or None
    if "metadata" in params:
        obj["metadata"] = apply_metadata(obj["metadata"], params["metadata"])
    submit = params.get("submit", True) not in (False, "false")
    details = obj["evidence_details"]
    details["has_evidence"] = any(v for k, v in obj["evidence"].items() if k != "enhanced_evidence")
    if submit:
        details["submission_count"] += 1
        obj["status"] = "under_review"
    changed = diff(before, obj)
    sb.store.touch()
    if changed:
        sb.emit("charge.dispute.updated", obj, account=ctx.account, ctx=ctx, previous=changed)
    answer = clone(obj)
    outcome = TEST_OUTCOMES.get(str(obj["evidence"].get("uncategorized_text")))
    if submit and outcome and not ctx.livemode:
        close_dispute(sb, obj["id"], outcome)  # the bank decides at once in test mode
    return answer


def retrieve(sb: Sandbox, ctx: Ctx, params: dict[str, Any], dispute: str) -> dict[str, Any]:
    return clone(owned(sb, ctx, dispute, "dispute", "dispute"))


def list_disputes(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    def keep(o: dict[str, Any]) -> bool:
        if params.get("charge") and o["charge"] != params["charge"]:
            return False
        if params.get("payment_intent") and o["payment_intent"] != params["payment_intent"]:
            return False
        return created_matches(o["created"], params.get("created"))

    found = sb.store.of_kind("dispute", ctx.account, keep)
    return sb.list_response(found, "/v1/disputes", params)
