"""The receipt of a payment (issue 17, 3): ``invoicing.receipts`` draws it from these facts."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from secportal.invoicing.models import Invoice
from secportal.invoicing.receipts import Receipt

from .models import Payment, PaymentMethod


def method_of(payment: Payment, invoice: Invoice) -> str:
    """How the client paid, in words: the bank debit that went through Processing, else card."""
    return invoice.processing_method or PaymentMethod.CARD.label


def receipt_of(payment: Payment, invoice: Invoice | None = None) -> Receipt:
    """The payment's receipt; numbered by its place among the invoice's payments (R1, R2…).

    ``invoice``: the invoice as it is now, when the caller holds it (just marked paid)."""
    earlier = (
        Payment.unscoped.filter(invoice_id=payment.invoice_id, duplicate=False)
        .filter(paid_at__lte=payment.paid_at)
        .exclude(pk=payment.pk)
        .count()
    )
    invoice = invoice or payment.invoice
    return Receipt(
        invoice=invoice,
        number=f"{invoice.label}-R{earlier + 1}",
        amount=payment.amount,
        paid_at=payment.paid_at,
        method=method_of(payment, invoice),
        reference=payment.payment_intent_id or payment.charge_id,
    )


#: The outbox draws the receipt attachment of a payment email with this (``attachment_builder``).
RECEIPT_BUILDER = "secportal.payments.receipts.receipt_attachments"


def receipt_attachments(payment_id: int) -> list[tuple[str, bytes, str]]:
    """The receipt PDF of one payment, as an email attachment."""
    from secportal.invoicing.receipts import receipt_attachment

    payment = Payment.unscoped.select_related("invoice__workspace", "invoice__client").get(
        pk=payment_id
    )
    return [receipt_attachment(receipt_of(payment))]


def latest_receipt(invoice: Invoice) -> Receipt | None:
    """The receipt of the invoice's latest payment (not a refunded second one), or None."""
    payment = (
        Payment.unscoped.filter(invoice=invoice, duplicate=False)
        .select_related("invoice__workspace", "invoice__client", "attempt")
        .order_by("-paid_at", "-pk")
        .first()
    )
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
