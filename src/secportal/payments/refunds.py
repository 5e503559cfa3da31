"""Refunds: asked of Stripe from the app, and Stripe's word on what was refunded."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from secportal.invoicing import services as invoicing
from secportal.invoicing.models import ActorType, InvoiceEventKind, InvoiceStatus

from . import emails, gateway
from .models import Payment, Refund

# Refunds in these states gave no money back.
DEAD = ("failed", "canceled")


def apply_charge_refunded(charge: dict[str, Any]) -> str:
    """Stripe's word on refunds: the charge's refunded total is the truth (order-independent)."""
    payment = Payment.unscoped.filter(charge_id=charge.get("id")).first()
    if payment is None and charge.get("payment_intent"):
        payment = Payment.unscoped.filter(payment_intent_id=charge["payment_intent"]).first()
    if payment is None:
        return "unknown charge"
    with transaction.atomic():
        invoice = invoicing.lock_invoice(payment.invoice_id)
        payment = Payment.unscoped.select_for_update().get(pk=payment.pk)
        refunded = min(int(charge.get("amount_refunded") or 0), payment.amount)
        if refunded <= payment.refunded_amount:
            return "no change"
        before = payment.refunded_amount
        _record_refunds(payment, charge, refunded)
        payment.refunded_amount = refunded
        payment.refunded_fee = (payment.application_fee * refunded) // payment.amount
        payment.save(update_fields=["refunded_amount", "refunded_fee"])
        if payment.duplicate:
            invoicing.record_event(
                invoice,
                InvoiceEventKind.REFUNDED,
                actor_type=ActorType.STRIPE,
                amount=refunded - before,
                duplicate=True,
            )
            return "duplicate refunded"
        invoice = invoicing.mark_refunded(
            invoice.pk, total_refunded=refunded, paid_amount=payment.amount
        )
        return "refunded" if invoice.status == InvoiceStatus.REFUNDED else "partially refunded"


def _record_refunds(payment: Payment, charge: dict[str, Any], refunded: int) -> None:
    """One Refund row per Stripe refund, dated when Stripe made it (for monthly revenue)."""
    listed = ((charge.get("refunds") or {}).get("data")) or []
    for item in listed:
        if item.get("status") in DEAD:
            continue
        Refund.unscoped.get_or_create(
            stripe_refund_id=item["id"],
            defaults={
                "workspace_id": payment.workspace_id,
                "payment": payment,
                "amount": int(item["amount"]),
                "currency": payment.currency,
                "fee_refunded": (payment.application_fee * int(item["amount"])) // payment.amount,
                "refunded_at": datetime.datetime.fromtimestamp(
                    int(item.get("created") or 0), tz=datetime.UTC
                )
                if item.get("created")
                else timezone.now(),
            },
        )
    known = sum(Refund.unscoped.filter(payment=payment).values_list("amount", flat=True))
    if known < refunded:  # Stripe did not list them all: keep the total right
        missing = refunded - known
        Refund.unscoped.create(
            workspace_id=payment.workspace_id,
            payment=payment,
            stripe_refund_id=f"{charge.get('id')}:{refunded}",
            amount=missing,
            currency=payment.currency,
            fee_refunded=(payment.application_fee * missing) // payment.amount,
            refunded_at=timezone.now(),
        )


def refund_invoice(invoice_id: int, user: Any, amount: int | None) -> dict[str, Any]:
    """Owner/admin refund of a paid invoice, in full (None) or in part; Stripe confirms later."""
    with transaction.atomic():
        invoice = invoicing.lock_invoice(invoice_id)
        payment = Payment.unscoped.filter(invoice=invoice, duplicate=False).first()
        if invoice.status != InvoiceStatus.PAID or payment is None:
            raise invoicing.InvoiceError("Only a paid invoice can be refunded.")
        remaining = payment.amount - payment.refunded_amount
        if amount is not None and not 0 < amount <= remaining:
            raise invoicing.InvoiceError(
                "The refund must be more than zero and at most what is left to refund."
            )
        n = invoice.events.filter(kind=InvoiceEventKind.REFUND_REQUESTED).count() + 1
        invoicing.record_event(
            invoice, InvoiceEventKind.REFUND_REQUESTED, user=user, amount=amount or remaining
        )
    return gateway.create_refund(
        charge_id=payment.charge_id,
        account_id=payment.stripe_account_id,
        amount=amount,
        reason="requested_by_customer",
        idempotency_key=f"refund:{payment.checkout_session_id}:{n}",
    )


def refund_duplicate(payment_id: int) -> str:
    """Give back, in full, a second payment of an invoice that was already paid.

    Safe to try again after any failure: Stripe's refunds of the charge are read first, so a
    refund that Stripe made although its answer was lost (or was a 500) is not made twice; each
    try has its own idempotency key, because Stripe replays a stored 500 under the old one.
    """
    payment = Payment.unscoped.get(pk=payment_id)
    if not payment.duplicate or payment.fully_refunded:
        return "nothing to refund"
    made = gateway.list_refunds(charge_id=payment.charge_id, account_id=payment.stripe_account_id)
    if sum(int(r["amount"]) for r in made if r.get("status") not in DEAD) >= payment.amount:
        return "refund already requested"
    gateway.create_refund(
        charge_id=payment.charge_id,
        account_id=payment.stripe_account_id,
        amount=None,
        reason="duplicate",
        idempotency_key=f"auto-refund:{payment.checkout_session_id}:{payment.auto_refund_attempts}",
    )
    return "refund requested"


def record_auto_refund_failure(payment_id: int, error: str) -> Payment:
    """A try to refund a double payment failed: count it; after the last try flag the invoice
    and email the owners, who then refund it in their Stripe Dashboard."""
    with transaction.atomic():
        payment = Payment.unscoped.select_for_update().get(pk=payment_id)
        payment.auto_refund_attempts += 1
        payment.auto_refund_error = error[:2000]
        gave_up = payment.auto_refund_attempts > len(settings.STRIPE_RETRY_DELAYS)
        if gave_up and payment.auto_refund_failed_at is None:
            payment.auto_refund_failed_at = timezone.now()
            invoice = invoicing.flag_attention(
                payment.invoice_id,
                f"A second payment ({payment.checkout_session_id}) could not be refunded "
                "automatically: refund it in your Stripe Dashboard.",
                actor_type=ActorType.SYSTEM,
                session=payment.checkout_session_id,
                duplicate=True,
                error=payment.auto_refund_error,
            )
            emails.queue_auto_refund_failed(invoice, payment)
        payment.save(
            update_fields=["auto_refund_attempts", "auto_refund_error", "auto_refund_failed_at"]
        )
        return payment


def auto_refund_delay(payment: Payment) -> int:
    """Seconds before the next try of a failed automatic refund."""
    delays = settings.STRIPE_RETRY_DELAYS
    return int(delays[min(payment.auto_refund_attempts, len(delays)) - 1])
