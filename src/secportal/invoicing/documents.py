"""The invoice as a PDF document, for the consultant, the portal and the email link."""

from __future__ import annotations

from typing import Any

from secportal.core.locales import use_locale
from secportal.core.money import format_money

from . import lines as invoice_lines
from .models import CreditNote, Invoice, draft_reference


def supplier_lines(workspace: object) -> tuple[str, ...]:
    """The consultancy's legal details, one printed line each (empty when not given)."""
    from secportal.workspaces.models import Workspace

    assert isinstance(workspace, Workspace)
    found: list[str] = []
    if workspace.legal_name and workspace.legal_name != workspace.name:
        found.append(workspace.legal_name)
    if workspace.trading_name and workspace.trading_name != workspace.company_name:
        found.append(f"Trading as {workspace.trading_name}")
    if workspace.registered_address:
        found.extend(line.strip() for line in workspace.registered_address.splitlines())
    if workspace.company_number:
        where = f", registered in {workspace.registered_in}" if workspace.registered_in else ""
        found.append(f"Company number {workspace.company_number}{where}")
    if workspace.vat_number:
        found.append(f"VAT number {workspace.vat_number}")
    return tuple(line for line in found if line)


def company_footer(workspace: Any) -> str:
    """The consultancy's legal details in one line, for emails (never the bank details)."""
    parts = [workspace.company_name]
    if workspace.trading_name and workspace.trading_name != workspace.company_name:
        parts[0] += f", trading as {workspace.trading_name}"
    if workspace.company_number:
        where = f"registered in {workspace.registered_in}, " if workspace.registered_in else ""
        parts.append(f"{where}company number {workspace.company_number}")
    if workspace.registered_address:
        parts.append(
            ", ".join(s.strip() for s in workspace.registered_address.splitlines() if s.strip())
        )
    if workspace.vat_number:
        parts.append(f"VAT number {workspace.vat_number}")
    return " · ".join(parts) if len(parts) > 1 or workspace.trading_name else ""


def footer_notes(workspace: Any) -> tuple[str, str]:
    """The workspace's payment terms text and notes (either may be "")."""
    return (workspace.payment_terms_text, workspace.invoice_notes)


def invoice_pdf_bytes(
    invoice: Invoice, today: object, pay_url: str = "", transfer_instructions: str = ""
) -> bytes:
    """The invoice's PDF; ``transfer_instructions`` are Stripe's for the bank transfer the
    client chose (the portal passes them: invoicing does not know payments)."""
    with use_locale(invoice.workspace.locale):  # the workspace's formats (issue 13, item 8)
        return _pdf_bytes(invoice, today, pay_url, transfer_instructions)


def _pdf_bytes(invoice: Invoice, today: object, pay_url: str, transfer: str = "") -> bytes:
    from .pdf import InvoicePdf, PdfLine, PdfRate, render_invoice_pdf

    workspace = invoice.workspace
    client = invoice.client
    paid_on = invoice.paid_at.astimezone(workspace.tz).date() if invoice.paid_at else None
    itemised = invoice.net_amount is not None  # written by the services since issue 15
    lines = invoice_lines.lines_of(invoice) if itemised else []
    totals = invoice_lines.totals_of(lines) if itemised else None
    facts: list[tuple[str, str]] = []
    if invoice.tax_point and workspace.vat_registered:
        from .pdf import long_date

        facts.append(("Tax point", long_date(invoice.tax_point)))
    if invoice.po_number:
        facts.append(("PO number", invoice.po_number))
    client_lines = []
    if client.country:
        from secportal.core.vatnumbers import COUNTRY_CHOICES

        client_lines.append(dict(COUNTRY_CHOICES).get(client.country, client.country))
    if client.vat_number:
        client_lines.append(f"VAT number {client.vat_number}")
    notes = [
        rate.rate.note for rate in (totals.by_rate if totals else ()) if rate.rate.note and rate.net
    ]
    vat_gbp = ""
    if invoice.gbp_rate and invoice.currency != "GBP" and invoice.vat_amount:
        sterling = round(invoice.vat_amount * invoice.gbp_rate)
        vat_gbp = (
            f"VAT in sterling: {format_money(int(sterling), 'GBP')} "
            f"(1 {invoice.currency} = {invoice.gbp_rate} GBP)"
        )
    return render_invoice_pdf(
        InvoicePdf(
            workspace_name=workspace.company_name if itemised else workspace.name,
            workspace_email=workspace.billing_reply_to,
            client_name=client.billing_name if itemised else client.name,
            client_address=client.address,
            client_email=client.billing_email,
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
            title="VAT INVOICE" if itemised and workspace.vat_registered else "INVOICE",
            supplier_lines=supplier_lines(workspace) if itemised else (),
            client_lines=tuple(client_lines) if itemised else (),
            extra_facts=tuple(facts),
            lines=tuple(
                PdfLine(
                    line.description,
                    line.quantity_text,
                    line.unit_price,
                    line.rate.label,
                    line.net,
                )
                for line in lines
            ),
            rates=tuple(
                PdfRate(rate.rate.label, rate.net, rate.vat)
                for rate in (totals.by_rate if totals else ())
                if rate.rate.bps
            ),
            net_minor=invoice.net_amount,
            vat_minor=invoice.vat_amount,
            vat_gbp=vat_gbp,
            notes=tuple(dict.fromkeys(notes)),
            bank_details=workspace.bank_details,
            transfer_instructions=transfer,
            credited_minor=invoice.credited_amount,
            paid_minor=invoice.paid_amount,
            balance_minor=invoice.balance_due if invoice.is_payable else None,
            footer_notes=footer_notes(workspace) if itemised else (),
            logo_png=bytes(workspace.logo_png) if itemised and workspace.logo_png else None,
        )
    )


def credit_note_pdf_bytes(note: CreditNote) -> bytes:
    """The credit note: the same document as the invoice, titled CREDIT NOTE, with its figures."""
    from .pdf import InvoicePdf, PdfLine, PdfRate, long_date, render_invoice_pdf
    from .vat import VAT_RATES

    invoice = note.invoice
    workspace, client = invoice.workspace, invoice.client
    client_lines = [f"VAT number {client.vat_number}"] if client.vat_number else []
    rates = [(VAT_RATES.get(p["rate"]), p["net"], p["vat"]) for p in note.vat_by_rate]
    return render_invoice_pdf(
        InvoicePdf(
            workspace_name=workspace.company_name,
            workspace_email=workspace.billing_reply_to,
            client_name=client.billing_name,
            client_address=client.address,
            client_email=client.billing_email,
            number=note.number,
            status="Credit note",
            issue_date=note.issue_date,
            due_date=None,
            description=note.reason,
            amount_minor=note.amount,
            currency=invoice.currency,
            title="CREDIT NOTE",
            supplier_lines=supplier_lines(workspace),
            client_lines=tuple(client_lines),
            logo_png=bytes(workspace.logo_png) if workspace.logo_png else None,
            extra_facts=(
                ("Credits invoice", invoice.label),
                ("Invoice date", long_date(invoice.issue_date) if invoice.issue_date else ""),
                ("Reason", note.reason),
            ),
            lines=tuple(
                PdfLine(
                    f"Credit against invoice {invoice.label}: {note.reason}",
                    "1",
                    net,
                    rate.label if rate else "",
                    net,
                )
                for rate, net, _ in rates
            ),
            rates=tuple(
                PdfRate(rate.label, net, tax) for rate, net, tax in rates if rate and rate.bps
            ),
            footer_notes=footer_notes(workspace)[1:],
            net_minor=note.net_amount,
            vat_minor=note.vat_amount,
            notes=tuple(
                dict.fromkeys(rate.note for rate, net, _ in rates if rate and rate.note and net)
            ),
        )
    )


def pdf_filename(invoice: Invoice) -> str:
    stamp = invoice.number or f"draft-{draft_reference(invoice.public_id)}"
    return f"invoice-{stamp}.pdf"
