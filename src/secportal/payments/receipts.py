"""The receipt of a payment (issue 17, 3): ``invoicing.receipts`` draws it from these facts."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpResponse

from secportal.invoicing.models import Invoice, RecordedPayment, RecordedPaymentMethod
from secportal.invoicing.receipts import Receipt

from .models import Payment, PaymentMethod


def method_of(payment: Payment, invoice: Invoice) -> str:
    """How the client paid, in words: the bank debit that went through Processing, else card."""
    return invoice.processing_method or PaymentMethod.CARD.label


def _number(invoice: Invoice, *, payments_before: int, recorded_before: int) -> str:
    """R1, R2…: a receipt's place among the invoice's payments, through Stripe or recorded by
    hand, in the order they were counted (a recorded payment deleted later keeps its place, so
    that no number a client holds is given again)."""
    return f"{invoice.label}-R{payments_before + recorded_before + 1}"


def receipt_of(payment: Payment, invoice: Invoice | None = None) -> Receipt:
    """The payment's receipt; numbered by its place among the invoice's payments (R1, R2…).

    ``invoice``: the invoice as it is now, when the caller holds it (just marked paid)."""
    earlier = (
        Payment.unscoped.filter(invoice_id=payment.invoice_id, duplicate=False)
        .filter(paid_at__lte=payment.paid_at)
        .exclude(pk=payment.pk)
        .count()
    )
    recorded = RecordedPayment.unscoped.filter(
        invoice_id=payment.invoice_id, created_at__lt=payment.paid_at
    ).count()
    invoice = invoice or payment.invoice
    return _receipt(
        payment, invoice, _number(invoice, payments_before=earlier, recorded_before=recorded)
    )


def _receipt(payment: Payment, invoice: Invoice, number: str) -> Receipt:
    return Receipt(
        invoice=invoice,
        number=number,
        amount=payment.amount,
        paid_at=payment.paid_at,
        method=method_of(payment, invoice),
        reference=payment.payment_intent_id or payment.charge_id,
    )


def recorded_receipt_of(recorded: RecordedPayment, invoice: Invoice | None = None) -> Receipt:
    """The receipt of a payment recorded by hand ("Record payment"): paid on the day received,
    by the method recorded, with the reference given."""
    invoice = invoice or recorded.invoice
    earlier = Payment.unscoped.filter(
        invoice_id=recorded.invoice_id, duplicate=False, paid_at__lte=recorded.created_at
    ).count()
    recorded_before = (
        RecordedPayment.unscoped.filter(invoice_id=recorded.invoice_id)
        .filter(created_at__lte=recorded.created_at)
        .exclude(pk=recorded.pk)
        .count()
    )
    # The day received, at noon in the workspace's time zone: the receipt shows that day.
    received = datetime.datetime.combine(
        recorded.received_on, datetime.time(12), tzinfo=invoice.workspace.tz
    )
    return Receipt(
        invoice=invoice,
        number=_number(invoice, payments_before=earlier, recorded_before=recorded_before),
        amount=recorded.amount,
        paid_at=received,
        method=RecordedPaymentMethod(recorded.method).label,
        reference=recorded.reference,
    )


#: The outbox draws the receipt attachment of a payment email with this (``attachment_builder``).
RECEIPT_BUILDER = "secportal.payments.receipts.receipt_attachments"
#: The same for a payment recorded by hand.
RECORDED_RECEIPT_BUILDER = "secportal.payments.receipts.recorded_receipt_attachments"


def receipt_attachments(payment_id: int, number: str = "") -> list[tuple[str, bytes, str]]:
    """The receipt PDF of one payment, as an email attachment.

    ``number``: the receipt's number as the email states it (given when the email was queued,
    so that the PDF shows the same one and the payments before it are not counted again); the
    invoice is read as it stands now (the balance left)."""
    from secportal.invoicing.receipts import receipt_attachment

    payment = Payment.unscoped.select_related("invoice__workspace", "invoice__client").get(
        pk=payment_id
    )
    if not number:  # queued before the number was passed
        return [receipt_attachment(receipt_of(payment))]
    return [receipt_attachment(_receipt(payment, payment.invoice, number))]


def recorded_receipt_attachments(recorded_id: int) -> list[tuple[str, bytes, str]]:
    """The receipt PDF of one payment recorded by hand, as an email attachment."""
    from secportal.invoicing.receipts import receipt_attachment

    recorded = RecordedPayment.unscoped.select_related("invoice__workspace", "invoice__client").get(
        pk=recorded_id
    )
    return [receipt_attachment(recorded_receipt_of(recorded))]


def latest_receipt(invoice: Invoice) -> Receipt | None:
    """The receipt of the invoice's latest payment (not a refunded second one, not a recorded
    one deleted since), through Stripe or recorded by hand; None before any."""
    payment = (
        Payment.unscoped.filter(invoice=invoice, duplicate=False)
        .select_related("invoice__workspace", "invoice__client", "attempt")
        .order_by("-paid_at", "-pk")
        .first()
    )
    recorded = (
        RecordedPayment.unscoped.filter(invoice=invoice, deleted_at__isnull=True)
        .select_related("invoice__workspace", "invoice__client")
        .order_by("-created_at", "-pk")
        .first()
    )
    if recorded is not None and (payment is None or recorded.created_at > payment.paid_at):
        return recorded_receipt_of(recorded)
    return receipt_of(payment) if payment is not None else None


def receipt_response(invoice: Invoice) -> HttpResponse:
    """The "Receipt" button's answer: the receipt PDF of the invoice's latest payment."""
    from secportal.invoicing.receipts import receipt_pdf_bytes

    receipt = latest_receipt(invoice)
    if receipt is None:
        raise Http404("No payment of this invoice yet: no receipt.")
    response = HttpResponse(receipt_pdf_bytes(receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{receipt.filename}"'
    return response
