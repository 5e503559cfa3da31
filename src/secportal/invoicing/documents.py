"""The invoice as a PDF document, for the consultant, the portal and the email link."""

from __future__ import annotations

from secportal.core.locales import use_locale

from .models import Invoice, draft_reference


def invoice_pdf_bytes(invoice: Invoice, today: object, pay_url: str = "") -> bytes:

    workspace = invoice.workspace
    with use_locale(workspace.locale):  # the workspace's formats (issue 13, item 8)
        return _pdf_bytes(invoice, today, pay_url)


def _pdf_bytes(invoice: Invoice, today: object, pay_url: str) -> bytes:
    from .pdf import InvoicePdf, render_invoice_pdf

    workspace = invoice.workspace
    paid_on = invoice.paid_at.astimezone(workspace.tz).date() if invoice.paid_at else None
    return render_invoice_pdf(
        InvoicePdf(
            workspace_name=workspace.name,
            workspace_email=workspace.billing_reply_to,
            client_name=invoice.client.name,
            client_address=invoice.client.address,
            client_email=invoice.client.billing_email,
            number=invoice.label,
            status=invoice.shown_status_label(today),  # type: ignore[arg-type]
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            description=invoice.description,
            amount_minor=invoice.amount,
            currency=invoice.currency,
            engagement=str(invoice.engagement) if invoice.engagement else "",
            paid_on=paid_on,
            refunded_minor=invoice.refunded_amount,
            pay_url=pay_url if invoice.is_payable else "",
        )
    )


def pdf_filename(invoice: Invoice) -> str:
    stamp = invoice.number or f"draft-{draft_reference(invoice.public_id)}"
    return f"invoice-{stamp}.pdf"
