"""What the client owes: payments (through Stripe or recorded by hand) and the status they give.

An invoice's balance due is its total less credit notes and payments (``Invoice.balance_due``).
Every payment goes through ``apply_payment`` with the invoice row locked: it counts at most the
balance (the rest is the excess the caller gives back), and the invoice becomes Paid when
nothing is left, or Partially paid (Overdue past its due date: overdue applies to the balance).
A payment recorded by hand (``record_payment``) carries no platform fee and can be deleted by an
owner with a reason until the invoice is closed (void or refunded); its row stays, marked
deleted, so the audit trail keeps it (issue 16, 5).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from secportal.core.money import format_money

from . import signals
from .history import record_event
from .locks import InvoiceError, lock_invoice
from .models import (
    PAYABLE,
    ActorType,
    Invoice,
    InvoiceEventKind,
    InvoiceStatus,
    RecordedPayment,
    RecordedPaymentMethod,
)

#: Invoices whose recorded payments may no longer be deleted.
CLOSED = (InvoiceStatus.VOID, InvoiceStatus.REFUNDED)


def due_status(invoice: Invoice, today: datetime.date) -> str:
    """The status of an invoice that still owes something: Overdue past its due date, else
    Partially paid when something was paid, else Sent."""
    if invoice.due_date is not None and invoice.due_date < today:
        return InvoiceStatus.OVERDUE
    return InvoiceStatus.PARTIALLY_PAID if invoice.paid_amount else InvoiceStatus.SENT


def _set_due_status(invoice: Invoice) -> list[str]:
    """Move a locked invoice that still owes money to its due status; the fields changed."""
    invoice.status = due_status(invoice, invoice.workspace.today())
    invoice.paid_at = None
    changed = ["status", "paid_at"]
    if invoice.status == InvoiceStatus.OVERDUE and invoice.overdue_at is None:
        invoice.overdue_at = timezone.now()
        changed.append("overdue_at")
    if invoice.processing_method or invoice.processing_expected_on:
        invoice.processing_method, invoice.processing_expected_on = "", None
        changed += ["processing_method", "processing_expected_on"]
    return changed


def settle(invoice: Invoice, *, paid_at: datetime.datetime | None = None) -> bool:
    """After the paid or credited amount of a locked, payable (or processing) invoice changed:
    Paid when nothing is owed (True), else its due status. Saves; records no event."""
    if invoice.balance_due == 0:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = paid_at or timezone.now()
        invoice.processing_method, invoice.processing_expected_on = "", None
        changed = ["status", "paid_at", "processing_method", "processing_expected_on"]
    else:
        changed = _set_due_status(invoice)
    invoice.save(update_fields=[*changed, "paid_amount", "credited_amount", "updated_at"])
    if invoice.status == InvoiceStatus.PAID:
        invoice_id = invoice.pk
        transaction.on_commit(
            lambda: signals.invoice_paid.send(sender=Invoice, invoice_id=invoice_id)
        )
        return True
    return False


@transaction.atomic(savepoint=False)
def apply_payment(
    invoice_id: int,
    *,
    amount: int,
    paid_at: datetime.datetime,
    actor_type: str = ActorType.STRIPE,
    user: Any = None,
    locked: Invoice | None = None,
    **details: Any,
) -> tuple[Invoice, int]:
    """Count a payment of ``amount`` towards the invoice's balance: (invoice, excess).

    At most the balance counts; ``excess`` is what was paid beyond it (two parts racing), which
    the caller gives back. The invoice becomes Paid when the balance reaches zero (an event
    "Paid", then ``invoice_paid`` on commit), else Partially paid (or Overdue past its due date;
    an event "Part payment received"). A Paid invoice takes nothing: the whole amount is excess.
    ``locked``: the invoice as the caller locked it (``lock_invoice``) in this transaction and
    left it, so that it is not read again. No savepoint: a refusal (``InvoiceError``) ends the
    caller's transaction too, and no caller carries on after one.
    """
    invoice = locked if locked is not None and locked.pk == invoice_id else lock_invoice(invoice_id)
    if invoice.status == InvoiceStatus.PAID:
        return invoice, amount
    if not invoice.is_payable and invoice.status != InvoiceStatus.PROCESSING:
        raise InvoiceError(f"A {invoice.get_status_display().lower()} invoice cannot be paid.")
    applied = min(amount, invoice.balance_due)
    invoice.paid_amount += applied
    paid = settle(invoice, paid_at=paid_at)
    record_event(
        invoice,
        InvoiceEventKind.PAID if paid else InvoiceEventKind.PARTIALLY_PAID,
        user=user,
        actor_type=actor_type,
        amount=applied,
        balance=invoice.balance_due,
        **details,
    )
    if not paid:
        invoice_id = invoice.pk
        transaction.on_commit(
            lambda: signals.invoice_partially_paid.send(sender=Invoice, invoice_id=invoice_id)
        )
    return invoice, amount - applied


def _check_recorded(invoice: Invoice, amount: int, currency: str, received_on: Any) -> None:
    if invoice.status == InvoiceStatus.PROCESSING:
        raise ValidationError(
            {
                "amount": "A bank debit for this invoice is on its way: record a payment once "
                "it has cleared or failed."
            }
        )
    if invoice.status not in PAYABLE:
        raise ValidationError(
            {"amount": f"A {invoice.get_status_display().lower()} invoice takes no payment."}
        )
    if currency and currency != invoice.currency:
        raise ValidationError(
            {"amount": f"Record the payment in the invoice's currency, {invoice.currency}."}
        )
    if amount <= 0:
        raise ValidationError({"amount": "Enter an amount more than zero."})
    if amount > invoice.balance_due:
        raise ValidationError(
            {
                "amount": f"At most {format_money(invoice.balance_due, invoice.currency)} is "
                "left to pay: a recorded payment cannot overpay the invoice."
            }
        )
    if received_on > invoice.workspace.today():
        raise ValidationError({"received_on": "The date cannot be in the future."})


@transaction.atomic
def record_payment(
    invoice_id: int,
    user: Any,
    *,
    amount: int,
    received_on: datetime.date,
    method: str,
    reference: str = "",
    currency: str = "",
    request_key: str,
) -> RecordedPayment:
    """Record payment: money received outside Stripe (bank transfer, cheque), no platform fee.

    The same ``request_key`` again (a double submit) returns the payment already recorded.
    """
    invoice = lock_invoice(invoice_id)
    done = RecordedPayment.unscoped.filter(
        workspace_id=invoice.workspace_id, request_key=request_key
    ).first()
    if done is not None:
        return done
    if method not in RecordedPaymentMethod.values:
        raise ValidationError({"method": "Choose how the payment was made."})
    _check_recorded(invoice, amount, currency, received_on)
    payment = RecordedPayment.unscoped.create(
        workspace_id=invoice.workspace_id,
        invoice=invoice,
        amount=amount,
        currency=invoice.currency,
        received_on=received_on,
        method=method,
        reference=reference,
        request_key=request_key,
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    invoice.paid_amount += amount
    paid_at = timezone.now()
    paid = settle(invoice, paid_at=paid_at)
    record_event(
        invoice,
        InvoiceEventKind.PAYMENT_RECORDED,
        user=user,
        amount=amount,
        method=RecordedPaymentMethod(method).label,
        reference=reference,
        received_on=received_on.isoformat(),
        balance=invoice.balance_due,
        payment=str(payment.public_id),
    )
    if paid:
        record_event(invoice, InvoiceEventKind.PAID, user=user, recorded=True, amount=amount)
    signals.payment_recorded.send(sender=RecordedPayment, payment=payment, invoice=invoice)
    if not paid:
        invoice_pk = invoice.pk
        transaction.on_commit(
            lambda: signals.invoice_partially_paid.send(sender=Invoice, invoice_id=invoice_pk)
        )
    return payment


@transaction.atomic
def delete_recorded_payment(payment_id: int, user: Any, *, reason: str) -> RecordedPayment:
    """An owner takes back a payment recorded by mistake, with a reason (kept, audited).

    The balance grows by its amount; a Paid invoice owes again (Partially paid, Sent or Overdue).
    Refused once the invoice is closed (void or refunded). Deleting it again changes nothing.
    """
    invoice_id = RecordedPayment.unscoped.values_list("invoice_id", flat=True).get(pk=payment_id)
    invoice = lock_invoice(invoice_id)
    payment = RecordedPayment.unscoped.select_for_update().get(pk=payment_id)
    if payment.deleted_at is not None:
        return payment
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the payment is deleted."})
    if invoice.status in CLOSED:
        raise InvoiceError(
            f"This invoice is {invoice.get_status_display().lower()}: its payments can no longer "
            "be deleted."
        )
    payment.deleted_at = timezone.now()
    payment.deleted_by = user if getattr(user, "pk", None) else None
    payment.delete_reason = reason[:500]
    payment.save(update_fields=["deleted_at", "deleted_by", "delete_reason"])
    invoice.paid_amount = max(invoice.paid_amount - payment.amount, 0)
    if invoice.status != InvoiceStatus.PROCESSING:
        changed = _set_due_status(invoice)
        invoice.save(update_fields=[*changed, "paid_amount", "updated_at"])
    else:
        invoice.save(update_fields=["paid_amount", "updated_at"])
    record_event(
        invoice,
        InvoiceEventKind.RECORDED_PAYMENT_DELETED,
        user=user,
        amount=payment.amount,
        reason=payment.delete_reason,
        balance=invoice.balance_due,
        payment=str(payment.public_id),
    )
    return payment
