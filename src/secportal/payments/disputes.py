"""Disputes: the client's bank took a payment back. Stripe's word, applied once and in order.

``charge.dispute.*`` events carry the dispute; a dispute only moves forward (open, then won or
lost), so a late event of an earlier state changes nothing. The invoice's history says what
happened; owners and admins see a "Disputed" notice on the invoice; the client sees nothing new.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from secportal.invoicing import services as invoicing
from secportal.invoicing.models import ActorType, InvoiceEventKind

from . import signals
from .models import CLOSED_DISPUTES, Dispute, DisputeStatus, Payment
from .refunds import payment_of_charge


def apply_dispute(obj: dict[str, Any]) -> str:
    intent = obj.get("payment_intent")
    payment = payment_of_charge(
        obj.get("charge"), intent.get("id") if isinstance(intent, dict) else intent
    )
    if payment is None or not obj.get("id"):
        return "unknown charge"
    status = str(obj.get("status") or DisputeStatus.NEEDS_RESPONSE)
    with transaction.atomic():
        invoice = invoicing.lock_invoice(payment.invoice_id)
        dispute = Dispute.unscoped.select_for_update().filter(stripe_dispute_id=obj["id"]).first()
        opened = dispute is None
        if dispute is None:
            dispute = _new_dispute(payment, obj, status)
            invoicing.record_event(
                invoice,
                InvoiceEventKind.DISPUTE_OPENED,
                actor_type=ActorType.STRIPE,
                amount=dispute.amount,
                reason=dispute.reason_words,
                dispute=dispute.stripe_dispute_id,
            )
            signals.invoice_disputed.send(sender=Dispute, dispute_id=dispute.pk)
        elif dispute.status in CLOSED_DISPUTES or dispute.status == status:
            return "no change"  # closed for good, or the same news again
        closing = status in CLOSED_DISPUTES
        dispute.status = status
        dispute.amount = int(obj.get("amount") or dispute.amount)
        if closing:
            dispute.closed_at = timezone.now()
        dispute.save()
        if closing and status in (DisputeStatus.WON, DisputeStatus.LOST):
            invoicing.record_event(
                invoice,
                InvoiceEventKind.DISPUTE_WON
                if status == DisputeStatus.WON
                else InvoiceEventKind.DISPUTE_LOST,
                actor_type=ActorType.STRIPE,
                amount=dispute.amount,
                dispute=dispute.stripe_dispute_id,
            )
    if closing:
        return f"dispute {status}"
    return "dispute opened" if opened else "dispute updated"


def _new_dispute(payment: Payment, obj: dict[str, Any], status: str) -> Dispute:
    created = obj.get("created")
    return Dispute.unscoped.create(
        workspace_id=payment.workspace_id,
        payment=payment,
        stripe_dispute_id=obj["id"],
        amount=int(obj.get("amount") or payment.amount),
        currency=payment.currency,
        reason=str(obj.get("reason") or "")[:60],
        status=status,
        opened_at=datetime.datetime.fromtimestamp(int(created), tz=datetime.UTC)
        if created
        else timezone.now(),
    )
