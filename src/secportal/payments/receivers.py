"""How payments answers what invoicing tells it and asks it (connected in ``apps.ready``)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from secportal.invoicing import signals as invoicing_signals

from . import selectors, signals, tasks
from .models import AttemptStatus, CheckoutAttempt


@receiver(invoicing_signals.send_check)
def stripe_must_be_ready(invoice: Any, **kwargs: Any) -> list[invoicing_signals.SendProblem]:
    """An invoice is sent only when the client can pay it online."""
    if selectors.can_take_payments(invoice.workspace):
        return []
    return [
        invoicing_signals.SendProblem(
            "Connect your Stripe account in Settings before sending invoices, so that the "
            "client can pay online.",
            fixed_in_settings=True,
        )
    ]


@receiver(invoicing_signals.invoice_voided)
@receiver(invoicing_signals.invoice_paid)
@receiver(invoicing_signals.invoice_partially_paid)
def expire_open_checkouts(invoice_id: int, **kwargs: Any) -> None:
    """A voided or paid invoice must not take (another) payment: close its open sessions; one
    still owed closes those for more than its balance now (a part was paid)."""
    if CheckoutAttempt.unscoped.filter(invoice_id=invoice_id, status=AttemptStatus.OPEN).exists():
        tasks.expire_invoice_checkouts.enqueue(invoice_id)


@receiver(invoicing_signals.credit_note_issued)
def expire_checkouts_over_the_credited_balance(credit_note_id: int, **kwargs: Any) -> None:
    """A credit note lowered the balance: no open session may charge more than it."""
    from secportal.invoicing.models import CreditNote

    invoice_id = CreditNote.unscoped.values_list("invoice_id", flat=True).get(pk=credit_note_id)
    expire_open_checkouts(invoice_id)


@receiver(invoicing_signals.payment_recorded)
def email_recorded_payment_receipt(payment: Any, invoice: Any, **kwargs: Any) -> None:
    """A payment recorded by hand: the client's receipt email, queued in the same transaction."""
    from .emails import queue_recorded_payment_email

    queue_recorded_payment_email(payment, invoice)


@receiver(signals.checkout_abandoned)
def expire_abandoned_checkout(attempt: Any, **kwargs: Any) -> None:
    tasks.expire_abandoned_checkout.enqueue(attempt.pk)


@receiver(signals.duplicate_payment_recorded)
def refund_duplicate(payment: Any, **kwargs: Any) -> None:
    tasks.refund_duplicate_payment.enqueue(payment.pk)
