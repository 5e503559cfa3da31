"""Stripe's word that a Checkout Session was paid, or closed: applied once, whoever brings it.

A webhook, the success page and the reconciliation task all call ``apply_paid_session``; the
payment row is unique per session and the invoice row is locked, so the money is counted once
(DESIGN.md 7). The invoice's status is changed only through ``invoicing.services``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from secportal.core.money import format_money
from secportal.invoicing import services as invoicing
from secportal.invoicing.models import ActorType, Invoice, InvoiceEventKind, InvoiceStatus

from . import emails, gateway, prefetch, signals
from .models import AttemptStatus, CheckoutAttempt, Payment


def apply_paid_session(session: dict[str, Any], account_id: str, *, source: str) -> str:
    """Record a paid Checkout Session (webhook, success page or reconciliation); idempotent."""
    if session.get("payment_status") != "paid":
        return "not paid yet"
    session_id = session["id"]
    recorded = Exists(Payment.unscoped.filter(checkout_session_id=OuterRef("session_id")))
    attempt = (
        CheckoutAttempt.unscoped.filter(session_id=session_id).annotate(recorded=recorded).first()
    )
    if attempt is None:
        return "unknown session"
    if attempt.recorded:
        return "already recorded"
    # Stripe is asked outside this transaction (and outside the webhook event's: prefetch)
    intent = _payment_intent(session, attempt)
    # No savepoint: nothing below is caught and carried on from inside a caller's transaction.
    with transaction.atomic(savepoint=False):
        invoice = invoicing.lock_invoice(attempt.invoice_id)
        # The attempt after the invoice (the lock order), and the check that counts: the
        # payment row is unique per session, the invoice row is locked.
        attempt = (
            CheckoutAttempt.unscoped.select_for_update(of=("self",))
            .annotate(recorded=recorded)
            .get(pk=attempt.pk)
        )
        if attempt.recorded:
            return "already recorded"
        problems = _mismatches(session, account_id, attempt, invoice)
        if problems:
            invoicing.flag_attention(
                invoice.pk,
                "A payment did not match this invoice: " + "; ".join(problems),
                session=session_id,
                problems=problems,
                source=source,
            )
            return "mismatch: " + "; ".join(problems)
        # A debit clearing for this very session is the payment awaited, not a second one.
        clearing = (
            invoice.status == InvoiceStatus.PROCESSING
            and attempt.status == AttemptStatus.PROCESSING
        )
        # Parts of a bank transfer already counted: the rest is what this payment adds.
        counted = attempt.transfer_counted
        duplicate = not invoice.is_payable and not clearing and not counted
        payment = _record_payment(session, intent, attempt, invoice, duplicate=duplicate)
        if duplicate:
            invoicing.flag_attention(
                invoice.pk,
                f"A second payment ({session_id}) arrived for this "
                f"{invoice.get_status_display().lower()} invoice; it is being refunded.",
                session=session_id,
                duplicate=True,
                source=source,
            )
            transaction.on_commit(
                lambda: signals.duplicate_payment_recorded.send(sender=Payment, payment=payment)
            )
            return "duplicate payment: refund queued"
        if invoice.is_payable or clearing or invoice.status == InvoiceStatus.PAID:
            invoice, excess = invoicing.apply_payment(
                invoice.pk,
                locked=invoice,
                amount=payment.amount - counted,
                paid_at=payment.paid_at,
                session=session_id,
                fee=payment.application_fee,
                source=source,
            )
        else:  # closed meanwhile (refunded) after parts counted: the rest goes back
            excess = payment.amount - counted
        if excess:
            # Two parts paid at once went past the balance: the excess goes back, like a double
            # payment (the part that counted stays).
            payment.excess = excess
            payment.save(update_fields=["excess"])
            invoicing.flag_attention(
                invoice.pk,
                f"A payment ({session_id}) was {format_money(excess, payment.currency)} more than "
                "the balance due; the excess is being refunded.",
                session=session_id,
                excess=excess,
                source=source,
            )
            transaction.on_commit(
                lambda: signals.duplicate_payment_recorded.send(sender=Payment, payment=payment)
            )
        emails.queue_paid_emails(invoice, payment)
        if excess:
            return "paid: excess refund queued"
    return "paid" if invoice.status == InvoiceStatus.PAID else "partially paid"


def _payment_intent(session: dict[str, Any], attempt: CheckoutAttempt) -> dict[str, Any]:
    intent_id = session.get("payment_intent")
    if not intent_id:
        return {}
    if isinstance(intent_id, dict):
        intent_id = intent_id["id"]
    return payment_intent(str(intent_id), attempt.stripe_account_id)


def payment_intent(intent_id: str, account_id: str) -> dict[str, Any]:
    """The intent from Stripe, read before any lock when a webhook event is applied."""
    return prefetch.read(
        ("payment_intent", intent_id),
        lambda: gateway.retrieve_payment_intent(intent_id, account_id),
    )


def _record_payment(
    session: dict[str, Any],
    intent: dict[str, Any],
    attempt: CheckoutAttempt,
    invoice: Invoice,
    *,
    duplicate: bool,
) -> Payment:
    charge = intent.get("latest_charge")
    fee = int(intent.get("application_fee_amount") or attempt.application_fee)
    balance = charge.get("balance_transaction") if isinstance(charge, dict) else None
    stripe_fee = balance.get("fee") if isinstance(balance, dict) else None
    paid_at = timezone.now()
    payment = Payment.unscoped.create(
        workspace_id=invoice.workspace_id,
        invoice=invoice,
        attempt=attempt,
        stripe_account_id=attempt.stripe_account_id,
        checkout_session_id=session["id"],
        payment_intent_id=intent.get("id", ""),
        charge_id=charge["id"] if isinstance(charge, dict) else (charge or ""),
        amount=attempt.amount,
        currency=attempt.currency,
        application_fee=fee,
        net=attempt.amount - fee,
        stripe_fee=int(stripe_fee) if stripe_fee is not None else None,
        paid_at=paid_at,
        duplicate=duplicate,
        payer_email=(session.get("customer_details") or {}).get("email")
        or session.get("customer_email")
        or "",
    )
    attempt.status = AttemptStatus.COMPLETE
    attempt.completed_at = paid_at
    attempt.save(update_fields=["status", "completed_at"])
    return payment


def _mismatches(
    session: dict[str, Any], account_id: str, attempt: CheckoutAttempt, invoice: Invoice
) -> list[str]:
    problems = []
    if account_id != attempt.stripe_account_id:
        problems.append(f"account {account_id} is not the invoice's {attempt.stripe_account_id}")
    reference = session.get("client_reference_id") or (session.get("metadata") or {}).get("invoice")
    if reference != str(invoice.public_id):
        problems.append("the session names another invoice")
    if session.get("amount_total") != attempt.amount:
        problems.append(f"amount {session.get('amount_total')} is not {attempt.amount}")
    if (session.get("currency") or "").upper() != attempt.currency:
        problems.append(f"currency {session.get('currency')} is not {attempt.currency}")
    return problems


def apply_session_closed(session: dict[str, Any], status: str) -> str:
    """expired or async_payment_failed: the attempt can no longer take this payment."""
    with transaction.atomic():
        attempt = (
            CheckoutAttempt.unscoped.select_for_update()
            .filter(session_id=session.get("id"))
            .first()
        )
        if attempt is None:
            return "unknown session"
        if attempt.status in (AttemptStatus.COMPLETE, AttemptStatus.EXPIRED):
            return "no change"
        attempt.status = AttemptStatus.EXPIRED
        attempt.save(update_fields=["status"])
        if status == "payment_failed":
            invoicing.record_event(
                invoicing.lock_invoice(attempt.invoice_id),
                InvoiceEventKind.PAYMENT_FAILED,
                actor_type=ActorType.STRIPE,
                session=attempt.session_id,
            )
        return status
