"""The emails an invoice sends: the invoice itself, its credit notes (DESIGN.md 8); reminders
are ``reminders``."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any

from secportal.core.money import format_money
from secportal.notifications.services import Attachment, queue_email

from . import links
from .documents import company_footer
from .models import Invoice

logger = logging.getLogger(__name__)
PDF = "application/pdf"


def sender_name(workspace: Any) -> str:
    """The From display name of emails about an invoice: the consultancy, through the platform."""
    return f"{workspace.name} via SecPortal"


def recipients_of(invoice: Invoice) -> list[str]:
    """Everyone the invoice's emails go to: "Send to" (the billing email first), then "CC"."""
    from .recipients import of

    return of(invoice).everyone


def invoice_context(invoice: Invoice) -> dict[str, Any]:
    return {
        "invoice": invoice,
        "workspace": invoice.workspace,
        "company_footer": company_footer(invoice.workspace),
        "amount": format_money(invoice.amount, invoice.currency),
        "pay_url": links.pay_link(invoice),
        "portal_url": links.portal_link(),
    }


def queue_to_client(
    invoice: Invoice,
    *,
    kind: str,
    template: str,
    context: dict[str, Any],
    key: str,
    also: str = "",
    attachments: Callable[[], Sequence[Attachment]] | None = None,
    attachment_builder: dict[str, Any] | None = None,
) -> list[str]:
    """Queue one email to each of the invoice's recipients (and ``also``), once each.

    ``attachments`` is built at most once, and only if some email is new (not a dedupe hit).
    """
    from .recipients import of

    build = functools.cache(attachments) if attachments else None
    chosen = of(invoice)
    recipients = chosen.everyone
    if also and also.lower() not in (r.lower() for r in recipients):
        recipients.append(also)
    several = len(recipients) > 1
    for to in recipients:
        queue_email(
            kind=kind,
            to=to,
            template=template,
            context=context,
            workspace=invoice.workspace,
            invoice=invoice,
            reply_to=invoice.workspace.billing_reply_to,
            from_name=sender_name(invoice.workspace),
            attachments=build or (),
            dedupe_key=f"{key}:{to.lower()}",
            to_header=", ".join(chosen.to) if several and chosen.cc else "",
            cc_header=", ".join(chosen.cc) if several else "",
            is_cc=to in chosen.cc,
            attachment_builder=attachment_builder,
        )
    return recipients


def invoice_attachments(invoice: Invoice) -> list[Attachment]:
    """The invoice's PDF, and the workspace's e-invoice when it asks for one (issue 15, 7-8)."""
    from .documents import invoice_pdf_bytes, pdf_filename

    pdf = invoice_pdf_bytes(invoice, invoice.workspace.today(), links.pay_link(invoice))
    files: list[Attachment] = [(pdf_filename(invoice), pdf, PDF)]
    choice = invoice.workspace.attach_einvoice
    if choice:
        from .einvoices import EInvoiceError, facturx_pdf, ubl_xml

        try:
            if choice == "facturx":
                name = f"invoice-{invoice.number}-facturx.pdf"
                files.append((name, facturx_pdf(invoice, pdf), PDF))
            elif choice == "ubl":
                files.append((f"invoice-{invoice.number}.xml", ubl_xml(invoice), "application/xml"))
        except EInvoiceError as exc:  # the PDF still goes; the page offers the download's reason
            logger.warning("invoice %s: no e-invoice attached: %s", invoice.pk, exc)
    return files


#: Draws the invoice's PDF when an email is delivered (``invoice_pdf_attachment``).
INVOICE_PDF_BUILDER = "secportal.invoicing.emails.invoice_pdf_attachment"


def invoice_pdf_attachment(invoice_id: int) -> list[Attachment]:
    """The invoice's PDF as it stands when the email goes (a reminder's: today's balance due),
    drawn at delivery, outside the transaction that queued the email."""
    from .documents import invoice_pdf_bytes, pdf_filename

    invoice = Invoice.unscoped.select_related("workspace", "client", "engagement").get(
        pk=invoice_id
    )
    pdf = invoice_pdf_bytes(invoice, invoice.workspace.today(), links.pay_link(invoice))
    return [(pdf_filename(invoice), pdf, PDF)]


def queue_invoice_email(invoice: Invoice) -> list[str]:
    return queue_to_client(
        invoice,
        kind="invoice",
        template="emails/invoice_sent",
        context=invoice_context(invoice),
        key=f"invoice:{invoice.pk}",
        attachments=lambda: invoice_attachments(invoice),
    )


def queue_credit_note_email(note: Any) -> list[str]:
    """The credit note, to the invoice's recipients, once (issue 15, 6)."""
    invoice = note.invoice
    return queue_to_client(
        invoice,
        kind="credit_note",
        template="emails/credit_note",
        context={
            "note": note,
            "invoice": invoice,
            "workspace": invoice.workspace,
            "company_footer": company_footer(invoice.workspace),
            "amount": format_money(note.amount, invoice.currency),
            "balance": format_money(invoice.balance_due, invoice.currency),
            "total_after": format_money(invoice.total_after_credits, invoice.currency),
            "portal_url": links.portal_link(),
        },
        key=f"credit_note:{note.pk}",
        attachments=lambda: credit_note_attachments(note),
    )


def credit_note_attachments(note: Any) -> list[Attachment]:
    from .documents import credit_note_pdf_bytes

    return [(f"credit-note-{note.number}.pdf", credit_note_pdf_bytes(note), PDF)]
