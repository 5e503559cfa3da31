"""Bank debits (Bacs, SEPA, ACH): Checkout completes unpaid, the invoice is Processing until
Stripe says the money cleared (``async_payment_succeeded``, then Paid) or not
(``async_payment_failed``: payable again, the client and the owners told)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from secportal.invoicing import services as invoicing
from secportal.invoicing.models import ActorType, InvoiceEventKind

from . import emails, transfers
from .models import AttemptStatus, CheckoutAttempt, PaymentMethod

#: Working days a debit usually takes to clear, as Stripe states them.
CLEARING_DAYS: dict[str, int] = {
    PaymentMethod.BACS_DEBIT.value: 3,
    PaymentMethod.SEPA_DEBIT.value: 5,
    PaymentMethod.US_BANK_ACCOUNT.value: 4,
}


def working_days_after(day: datetime.date, days: int) -> datetime.date:
    while days:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def debit_method(attempt: CheckoutAttempt) -> str:
    """The debit the client chose: the one debit method the session offered for its currency."""
    offered = (attempt.request or {}).get("payment_methods") or []
    return next((m for m in offered if m in CLEARING_DAYS), "")


def apply_session_processing(session: dict[str, Any]) -> str:
    """``checkout.session.completed`` with ``payment_status=unpaid``: a debit on its way."""
    if session.get("status") != "complete" or session.get("payment_status") != "unpaid":
        return "not processing"
    attempt = CheckoutAttempt.unscoped.filter(session_id=session.get("id")).first()
    if attempt is None:
        return "unknown session"
    method = debit_method(attempt)
    if not method:
        return transfers.awaiting_transfer(session, attempt)
    with transaction.atomic():
        invoice = invoicing.lock_invoice(attempt.invoice_id)
        attempt = CheckoutAttempt.unscoped.select_for_update().get(pk=attempt.pk)
        if attempt.status not in (AttemptStatus.CREATING, AttemptStatus.OPEN):
            return "no change"
        attempt.status = AttemptStatus.PROCESSING
        attempt.save(update_fields=["status"])
        expected = working_days_after(invoice.workspace.today(), CLEARING_DAYS[method])
        invoicing.mark_processing(
            invoice.pk,
            method=PaymentMethod(method).label,
            expected_on=expected,
            session=attempt.session_id,
        )
    return "processing"


def apply_debit_failed(session: dict[str, Any]) -> str:
    """``checkout.session.async_payment_failed``: the invoice is payable again; people told."""
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
        was_processing = attempt.status == AttemptStatus.PROCESSING
        method = PaymentMethod(debit_method(attempt) or PaymentMethod.CARD).label
        attempt.status = AttemptStatus.EXPIRED
        attempt.save(update_fields=["status"])
        if not was_processing:
            invoicing.record_event(
                invoicing.lock_invoice(attempt.invoice_id),
                InvoiceEventKind.PAYMENT_FAILED,
                actor_type=ActorType.STRIPE,
                session=attempt.session_id,
            )
            return "payment_failed"
        invoice = invoicing.end_processing(
            attempt.invoice_id,
            reason="the bank debit failed",
            session=attempt.session_id,
        )
        emails.queue_debit_failed(invoice, attempt, method)
    return "debit failed"
