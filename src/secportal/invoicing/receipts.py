"""A receipt for one payment of an invoice, as a PDF (issue 17, 3): what was paid, when, how,
for which invoice, and the balance left.

Invoicing draws it; the apps that know about payments (payments: Stripe, recorded payments) fill
a ``Receipt`` and ask for the bytes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from secportal.core.locales import use_locale
from secportal.core.money import format_money

from .models import Invoice, InvoiceStatus

PDF = "application/pdf"


@dataclass(frozen=True)
class Receipt:
    invoice: Invoice
    number: str  # "INV-0007-R1": the invoice's number and the payment's place among its payments
    amount: int  # minor units, the invoice's currency
    paid_at: datetime.datetime
    method: str  # "Card", "Bacs Direct Debit", "Bank transfer"
    reference: str = ""  # the payment's reference at Stripe (or the bank's), may be ""

    @property
    def balance_left(self) -> int:
        """What the client still owes after this payment (nothing once the invoice is paid)."""
        if self.invoice.status in (InvoiceStatus.PAID, InvoiceStatus.REFUNDED):
            return 0
        return self.invoice.balance_due

    @property
    def filename(self) -> str:
        return f"receipt-{self.number}.pdf"


def receipt_pdf_bytes(receipt: Receipt) -> bytes:
    """The receipt: who paid whom, how much, when, how, for which invoice, the balance left."""
    from .documents import supplier_lines
    from .pdf import long_date
    from .receipt_pdf import ReceiptPdf, render_receipt_pdf

    invoice = receipt.invoice
    workspace, client = invoice.workspace, invoice.client
    paid_on = receipt.paid_at.astimezone(workspace.tz).date()
    with use_locale(workspace.locale):
        amount = format_money(receipt.amount, invoice.currency)
        balance = format_money(receipt.balance_left, invoice.currency)
        total = format_money(invoice.amount, invoice.currency)
    facts: list[tuple[str, str]] = [
        ("Paid on", long_date(paid_on)),
        ("Paid by", receipt.method),
        ("For invoice", invoice.label),
        ("Invoice total", total),
        ("Balance left", balance),
    ]
    if receipt.reference:
        facts.append(("Reference", receipt.reference))
    return render_receipt_pdf(
        ReceiptPdf(
            workspace_name=workspace.company_name,
            supplier_lines=supplier_lines(workspace),
            client_name=client.billing_name,
            client_address=client.address,
            number=receipt.number,
            paid_on=paid_on,
            amount=amount,
            facts=tuple(facts),
            note=f"Payment received for invoice {invoice.label}. Thank you.",
        )
    )


def receipt_attachment(receipt: Receipt) -> tuple[str, bytes, str]:
    return (receipt.filename, receipt_pdf_bytes(receipt), PDF)
