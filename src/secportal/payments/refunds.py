"""Refunds: asked of Stripe as requests with a life of their own, and Stripe's refunds as truth.

A person's refund is a ``RefundRequest`` saved (with its event) before Stripe is called; its
idempotency key is sent on every retry until Stripe's answer is known, so a timeout followed by
a second click is one refund. What was refunded is read from Stripe (``GET /v1/refunds``), never
guessed: ``Refund`` rows are Stripe's refunds, kept current by ``charge.refunded`` and
``refund.*`` events, including refunds made in the Stripe Dashboard and refunds that fail later.
The platform fee given back is read from the application fee's ``amount_refunded``.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from secportal.invoicing import services as invoicing
from secportal.invoicing.models import ActorType, InvoiceEventKind, InvoiceStatus
from secportal.invoicing.notices import queue_refund_email

from . import emails, gateway, prefetch, signals
from .models import (
    COUNTED_REFUNDS,
    Payment,
    Refund,
    RefundRequest,
    RefundRequestState,
    RefundStatus,
)

# Metadata naming the request on the refund, so a refund whose answer was lost is recognised.
REQUEST_METADATA = "secportal_refund_request"


# Stripe's word ----------------------------------------------------------------------------


def payment_of_charge(charge_id: str | None, intent_id: str | None = None) -> Payment | None:
    payment = Payment.unscoped.filter(charge_id=charge_id).first() if charge_id else None
    if payment is None and intent_id:
        payment = Payment.unscoped.filter(payment_intent_id=intent_id).first()
    return payment


def apply_charge_refunded(charge: dict[str, Any]) -> str:
    """``charge.refunded``: read the charge's refunds from Stripe and keep them."""
    payment = payment_of_charge(charge.get("id"), charge.get("payment_intent"))
    if payment is None:
        return "unknown charge"
    return sync_refunds(payment.pk)


def apply_refund_event(refund: dict[str, Any]) -> str:
    """``refund.created``, ``refund.updated``, ``refund.failed``: the same, from a refund."""
    intent = refund.get("payment_intent")
    payment = payment_of_charge(
        refund.get("charge"), intent.get("id") if isinstance(intent, dict) else intent
    )
    if payment is None:
        return "unknown charge"
    return sync_refunds(payment.pk)


def sync_refunds(payment_id: int) -> str:
    """Make our rows and totals for one payment what Stripe says now (order-independent)."""
    payment = Payment.unscoped.get(pk=payment_id)
    charge_id, account_id = payment.charge_id, payment.stripe_account_id
    listed = prefetch.read(
        ("refunds", charge_id),
        lambda: gateway.list_refunds(charge_id=charge_id, account_id=account_id),
    )
    fee = (
        prefetch.read(("application_fee", charge_id), lambda: gateway.application_fee_of(charge_id))
        if charge_id
        else None
    )
    with transaction.atomic():
        invoice = invoicing.lock_invoice(payment.invoice_id)
        payment = Payment.unscoped.select_for_update().get(pk=payment_id)
        refunded = min(
            sum(int(r["amount"]) for r in listed if r.get("status") in COUNTED_REFUNDS),
            payment.amount,
        )
        fee_refunded = int(fee["amount_refunded"]) if fee else payment.refunded_fee
        rows = [_keep_refund(payment, item) for item in listed]
        _share_fee(rows, min(fee_refunded, payment.application_fee))
        _update_requests(listed)
        if (refunded, fee_refunded) == (payment.refunded_amount, payment.refunded_fee):
            return "no change"
        before = payment.refunded_amount
        payment.refunded_amount = refunded
        payment.refunded_fee = min(fee_refunded, payment.application_fee)
        payment.save(update_fields=["refunded_amount", "refunded_fee"])
        if refunded > before:
            signals.payment_refunded.send(
                sender=Payment, payment_id=payment.pk, amount=refunded - before
            )
        if payment.duplicate:
            if refunded != before:
                invoicing.record_event(
                    invoice,
                    InvoiceEventKind.REFUNDED,
                    actor_type=ActorType.STRIPE,
                    amount=refunded - before,
                    duplicate=True,
                )
            return "duplicate refunded"
        given_back = min(refunded, payment.excess) - min(before, payment.excess)
        if given_back:
            invoicing.record_event(
                invoice,
                InvoiceEventKind.REFUNDED if given_back > 0 else InvoiceEventKind.REFUND_FAILED,
                actor_type=ActorType.STRIPE,
                amount=abs(given_back),
                excess=True,
            )
        invoice = invoicing.mark_refunded(
            invoice.pk,
            total_refunded=sum(
                p.refunded_of_applied
                for p in Payment.unscoped.filter(invoice_id=invoice.pk, duplicate=False)
            ),
            paid_amount=invoice.paid_amount,
        )
        if refunded > before:  # the client hears of it, once per new total (issue 17, 3)
            queue_refund_email(
                invoice,
                amount=refunded - before,
                total_refunded=refunded,
                paid=payment.amount,
                key=f"refunded:{payment.pk}:{refunded}",
            )
    if refunded < before:
        return "refund failed"
    return "refunded" if invoice.status == InvoiceStatus.REFUNDED else "partially refunded"


def _keep_refund(payment: Payment, item: dict[str, Any]) -> Refund:
    created = item.get("created")
    refund, _ = Refund.unscoped.update_or_create(
        stripe_refund_id=item["id"],
        defaults={
            "workspace_id": payment.workspace_id,
            "payment": payment,
            "amount": int(item["amount"]),
            "currency": payment.currency,
            "status": item.get("status") or RefundStatus.PENDING,
            "refunded_at": datetime.datetime.fromtimestamp(int(created), tz=datetime.UTC)
            if created
            else timezone.now(),
        },
    )
    return refund


def _share_fee(rows: list[Refund], fee_refunded: int) -> None:
    """Spread the fee Stripe gave back over the refunds that count, by amount (for months)."""
    counted = [r for r in rows if r.status in COUNTED_REFUNDS]
    total = sum(r.amount for r in counted)
    left = fee_refunded
    for i, row in enumerate(counted):
        share = left if i == len(counted) - 1 else (fee_refunded * row.amount) // max(total, 1)
        left -= share
        if row.fee_refunded != share:
            row.fee_refunded = share
            row.save(update_fields=["fee_refunded"])
    for row in rows:
        if row.status not in COUNTED_REFUNDS and row.fee_refunded:
            row.fee_refunded = 0
            row.save(update_fields=["fee_refunded"])


def _update_requests(listed: list[dict[str, Any]]) -> None:
    for item in listed:
        request_id = (item.get("metadata") or {}).get(REQUEST_METADATA)
        request = RefundRequest.unscoped.filter(stripe_refund_id=item["id"]).first()
        if request is None and request_id:
            request = RefundRequest.unscoped.filter(public_id=request_id).first()
        if request is not None:
            _set_request_state(request, item)


def _set_request_state(request: RefundRequest, refund: dict[str, Any]) -> None:
    states: dict[str, str] = {
        RefundStatus.SUCCEEDED.value: RefundRequestState.SUCCEEDED,
        RefundStatus.FAILED.value: RefundRequestState.FAILED,
        RefundStatus.CANCELED.value: RefundRequestState.CANCELED,
    }
    state = states.get(str(refund.get("status") or ""), RefundRequestState.PENDING)
    if (request.state, request.stripe_refund_id) != (state, refund["id"]):
        request.state = state
        request.stripe_refund_id = refund["id"]
        request.error = refund.get("failure_reason") or ""
        request.save(update_fields=["state", "stripe_refund_id", "error", "updated_at"])


# Refunds asked from the app ---------------------------------------------------------------


def refund_invoice(
    invoice_id: int, user: Any, amount: int | None, *, request_id: uuid.UUID | None = None
) -> RefundRequest:
    """Owner/admin refund of a paid invoice, in full (None) or in part; Stripe confirms later.

    ``request_id`` comes with the form (one per form shown): submitting it again (a double
    click, or "try again" after a timeout) is the same request, never a second refund. A request
    still waiting for Stripe's answer is sent again (same key) before any new one is made.
    """
    if request_id is not None:
        known = RefundRequest.unscoped.filter(
            public_id=request_id, payment__invoice_id=invoice_id
        ).first()
        if known is not None:
            return send_refund_request(known.pk)
    payment = refund_target(invoice_id, amount)
    if payment is not None and payment.charge_id:
        sync_refunds(payment.pk)  # what is left to refund, from Stripe's own figures
    with transaction.atomic():
        invoice = invoicing.lock_invoice(invoice_id)
        if invoice.status != InvoiceStatus.PAID or payment is None:
            raise invoicing.InvoiceError("Only a paid invoice can be refunded.")
        payment = Payment.unscoped.select_for_update().get(pk=payment.pk)
        waiting = payment.refund_requests.filter(state=RefundRequestState.REQUESTED).first()
        if waiting is None and request_id is not None:
            waiting = RefundRequest.unscoped.filter(public_id=request_id).first()
        if waiting is None:
            remaining = payment.refundable
            if amount is not None and not 0 < amount <= remaining:
                raise invoicing.InvoiceError(
                    "The refund must be more than zero and at most what is left to refund."
                )
            waiting = RefundRequest.unscoped.create(
                public_id=request_id or uuid.uuid4(),
                workspace_id=payment.workspace_id,
                payment=payment,
                amount=amount or remaining,
                idempotency_key=f"refund:{payment.checkout_session_id}:{uuid.uuid4()}",
                requested_by=user if getattr(user, "pk", None) else None,
            )
            invoicing.record_event(
                invoice,
                InvoiceEventKind.REFUND_REQUESTED,
                user=user,
                amount=waiting.amount,
                request=str(waiting.public_id),
            )
    return send_refund_request(waiting.pk)


def refund_target(invoice_id: int, amount: int | None) -> Payment | None:
    """The payment a refund goes to: of the invoice's Stripe payments (several when paid in
    parts), the latest with enough left to refund, else the one with the most left."""
    payments = list(
        Payment.unscoped.filter(invoice_id=invoice_id, duplicate=False).order_by("-paid_at", "-pk")
    )
    enough = [p for p in payments if amount is not None and p.refundable >= amount]
    if enough:
        return enough[0]
    return max(payments, key=lambda p: p.refundable, default=None)


def send_refund_request(request_id: int) -> RefundRequest:
    """Send (or send again, with the same key) a request whose answer is not known yet."""
    request = RefundRequest.unscoped.select_related("payment").get(pk=request_id)
    if not request.unresolved:
        return request
    payment = request.payment
    try:
        refund = gateway.create_refund(
            charge_id=payment.charge_id,
            account_id=payment.stripe_account_id,
            amount=request.amount,
            reason=request.reason,
            idempotency_key=request.idempotency_key,
            metadata={REQUEST_METADATA: str(request.public_id)},
        )
    except gateway.GatewayError as exc:
        if not exc.needs_new_request and isinstance(exc, gateway.PaymentsUnavailable):
            raise  # no answer yet: the same key is sent again on the next try
        return _answer_was_a_failure(request, exc)
    with transaction.atomic():
        request = RefundRequest.unscoped.select_for_update().get(pk=request.pk)
        _set_request_state(request, refund)
    sync_refunds(payment.pk)
    request.refresh_from_db()
    return request


def _answer_was_a_failure(request: RefundRequest, exc: gateway.GatewayError) -> RefundRequest:
    """Stripe refused, or its stored failure is all this key will ever get. If a refund was
    made all the same (a 5xx after Stripe executed it), it carries our request's id: keep it."""
    payment = request.payment
    listed = gateway.list_refunds(charge_id=payment.charge_id, account_id=payment.stripe_account_id)
    made = [
        r
        for r in listed
        if (r.get("metadata") or {}).get(REQUEST_METADATA) == str(request.public_id)
    ]
    with transaction.atomic():
        request = RefundRequest.unscoped.select_for_update().get(pk=request.pk)
        if made:
            _set_request_state(request, made[0])
        else:
            request.state = RefundRequestState.FAILED
            request.error = exc.message
            request.save(update_fields=["state", "error", "updated_at"])
    if made:
        sync_refunds(payment.pk)
    elif isinstance(exc, gateway.PaymentsUnavailable):
        raise exc
    else:
        raise invoicing.InvoiceError(exc.message) from exc
    return request


# The automatic refund of a double payment --------------------------------------------------


def refund_duplicate(payment_id: int) -> str:
    """Give back, in full, a second payment of an invoice that was already paid, or the excess
    of a part paid beyond the balance (two parts racing).

    Safe to try again after any failure: Stripe's refunds of the charge are read first, so a
    refund that Stripe made although its answer was lost (or was a 500) is not made twice; each
    try has its own idempotency key, because Stripe replays a stored 500 under the old one.
    """
    payment = Payment.unscoped.get(pk=payment_id)
    give_back = payment.to_give_back
    if not give_back or payment.refunded_amount >= give_back:
        return "nothing to refund"
    made = gateway.list_refunds(charge_id=payment.charge_id, account_id=payment.stripe_account_id)
    if sum(int(r["amount"]) for r in made if r.get("status") in COUNTED_REFUNDS) >= give_back:
        return "refund already requested"
    gateway.create_refund(
        charge_id=payment.charge_id,
        account_id=payment.stripe_account_id,
        amount=None if payment.duplicate else give_back,
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
