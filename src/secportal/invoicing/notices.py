"""Emails to the client that say what happened to an invoice (issue 17, 3): voided here;
refunds through ``queue_refund_email`` (payments calls it in its refund's transaction).

The void email is queued when ``signals.invoice_voided`` arrives (after the void committed),
once per invoice (its dedupe key). A VAT invoice is cancelled by a full credit note: the void
email carries the credit note's PDF, and the credit note's own email is not sent as well.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from secportal.core.money import format_money

from . import emails, links, signals
from .documents import company_footer
from .models import CreditNote, Invoice


@receiver(signals.invoice_voided)
def email_invoice_voided(invoice_id: int, **_: Any) -> None:
    queue_void_email(invoice_id)


def queue_void_email(invoice_id: int) -> list[str]:
    invoice = Invoice.unscoped.select_related("workspace", "client").get(pk=invoice_id)
    notes = list(CreditNote.unscoped.filter(invoice=invoice).order_by("pk"))
    cancelling = notes[-1] if notes and invoice.workspace.vat_registered else None
    context = {
        "invoice": invoice,
        "workspace": invoice.workspace,
        "company_footer": company_footer(invoice.workspace),
        "amount": format_money(invoice.amount, invoice.currency),
        "note": cancelling,
        "portal_url": links.portal_link(),
    }

    def attachments() -> list[tuple[str, bytes, str]]:
        if cancelling is not None:
            return emails.credit_note_attachments(cancelling)
        from .documents import invoice_pdf_bytes, pdf_filename

        pdf = invoice_pdf_bytes(invoice, invoice.workspace.today())
        return [(pdf_filename(invoice), pdf, emails.PDF)]

    return emails.queue_to_client(
        invoice,
        kind="invoice_voided",
        template="emails/invoice_voided",
        context=context,
        key=f"voided:{invoice.pk}",
        attachments=attachments,
    )


def queue_refund_email(
    invoice: Invoice, *, amount: int, total_refunded: int, paid: int, key: str
) -> list[str]:
    """A refund went through: ``amount`` now, ``total_refunded`` of ``paid`` in all. Called in
    the refund's transaction; ``key`` makes it once per refund."""
    return emails.queue_to_client(
        invoice,
        kind="refund_issued",
        template="emails/refund_issued",
        context={
            "invoice": invoice,
            "workspace": invoice.workspace,
            "company_footer": company_footer(invoice.workspace),
            "amount": format_money(amount, invoice.currency),
            "total_refunded": format_money(total_refunded, invoice.currency),
            "paid": format_money(paid, invoice.currency),
            "full": total_refunded >= paid,
            "portal_url": links.portal_link(),
        },
        key=key,
    )
