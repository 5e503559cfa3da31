"""Documents: the invoice PDF and the e-invoice XML against the libraries doing the bare job.

Run with ``bash bench/run documents``. One sent, itemised invoice of three lines (workspace
``bench-docs``: VAT registered, company details, a client with an address; its lines read
once beforehand) is rendered:

- ``pdf_vs_bare_fpdf2``: ``invoicing.documents.invoice_pdf_bytes`` (its lines read, the layout,
  DejaVu Sans embedded) against a bare fpdf2 page with the same text in the same font (the two
  TTF files loaded, one cell per line of text, ``output()``); PDFs per second of ours ÷ bare's.
- ``einvoice_vs_lxml``: ``invoicing.einvoices.ubl_xml`` (EN 16931 data, UBL 2.1, checked against
  the XSD) against building the same XML tree with lxml directly (the elements, attributes and
  texts of our own output, read once beforehand, then ``SubElement`` by ``SubElement`` and
  ``tostring``); documents per second of ours ÷ lxml's.

Medians of interleaved rounds (ABBA).
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from typing import Any

from bench.common import Results, detail, interleaved, note, setup_django

ROUNDS = int(os.environ.get("BENCH_DOC_ROUNDS", "30"))
LIMIT = 0.5
SLUG = "bench-docs"


def main() -> int:
    setup_django()
    invoice = _invoice()
    results = Results()
    from secportal.invoicing.documents import invoice_pdf_bytes
    from secportal.invoicing.einvoices import ubl_xml

    today = invoice.issue_date

    def ours_pdf() -> bytes:
        return invoice_pdf_bytes(invoice, today)

    bare_pdf = _bare_pdf(invoice, today)
    note(f"pdf_vs_bare_fpdf2: {ROUNDS} rounds")
    bare_s, ours_s = interleaved(bare_pdf, ours_pdf, ROUNDS, warmup=3)
    detail(f"PDF: ours {ours_s * 1000:.1f} ms, bare fpdf2 {bare_s * 1000:.1f} ms")
    results.ratio("pdf_vs_bare_fpdf2", bare_s / ours_s, ">=", LIMIT)

    def ours_xml() -> bytes:
        return ubl_xml(invoice)

    bare_xml = _bare_xml(ours_xml())
    assert _canonical(bare_xml()) == _canonical(ours_xml()), "the lxml side builds other XML"
    note(f"einvoice_vs_lxml: {ROUNDS} rounds")
    bare_s, ours_s = interleaved(bare_xml, ours_xml, ROUNDS, warmup=3)
    detail(f"UBL: ours {ours_s * 1000:.2f} ms, lxml {bare_s * 1000:.2f} ms")
    results.ratio("einvoice_vs_lxml", bare_s / ours_s, ">=", LIMIT)
    return results.exit_code


def _invoice() -> Any:
    """The bench-docs workspace's one sent invoice of three lines (created once)."""
    from secportal.clients.models import Client
    from secportal.core.tenancy import use_workspace
    from secportal.invoicing import lines
    from secportal.invoicing.models import Invoice, InvoiceStatus
    from secportal.workspaces.models import Workspace

    # Its lines read once (prefetched): both sides start from the invoice in memory.
    read = Invoice.objects.select_related("workspace", "client", "engagement").prefetch_related(
        "lines"
    )
    workspace, _ = Workspace.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "Bench Docs",
            "legal_name": "Bench Docs Security Ltd",
            "registered_address": "1 Test Street\nLondon\nEC1A 1AA",
            "company_number": "01234567",
            "vat_number": "GB123456789",
            "bank_details": "Sort code 00-00-00, account 12345678",
            "billing_reply_to": "billing@bench-docs.test",
        },
    )
    with use_workspace(workspace.pk):
        invoice = Invoice.objects.filter(number="DOC-0001").first()
        if invoice is not None:
            return read.get(pk=invoice.pk)
        client = Client.objects.create(
            workspace=workspace,
            name="Client Docs Ltd",
            billing_email="ap@client-docs.test",
            address="2 Client Road\nManchester\nM1 1AA",
            country="GB",
        )
        invoice = Invoice.objects.create(
            workspace=workspace,
            client=client,
            amount=1,  # set by lines.write below
            currency="GBP",
            description="Web application penetration test",
            number="DOC-0001",
            status=InvoiceStatus.SENT,
            issue_date=datetime.date(2026, 11, 2),
            due_date=datetime.date(2026, 12, 2),
            sent_at=datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC),
        )
        lines.write(
            invoice,
            [
                lines.LineInput("Testing, days", Decimal(5), 95000, "standard"),
                lines.LineInput("Report and retest", Decimal(1), 120000, "standard"),
                lines.LineInput("Travel", Decimal("1.5"), 8000, "zero"),
            ],
        )
        invoice.save()
        return read.get(pk=invoice.pk)


def _bare_pdf(invoice: Any, today: Any) -> Any:
    """A bare fpdf2 A4 page with the invoice's text in the same font (no layout of ours)."""
    from fpdf import FPDF

    from secportal.core.money import format_money
    from secportal.invoicing.documents import supplier_lines
    from secportal.invoicing.lines import lines_of, totals_of
    from secportal.invoicing.pdf import FONT, FONT_FILES

    rows = lines_of(invoice)
    totals = totals_of(rows)
    workspace, client = invoice.workspace, invoice.client
    text = [
        "VAT INVOICE",
        workspace.company_name,
        workspace.billing_reply_to,
        *supplier_lines(workspace),
        f"Invoice {invoice.label}",
        invoice.shown_status_label(today),
        f"Issued {invoice.issue_date}",
        f"Due {invoice.due_date}",
        client.billing_name,
        *client.address.splitlines(),
        client.billing_email,
        invoice.description,
        *(
            f"{r.description}  {r.quantity}  {format_money(r.unit_price, invoice.currency)}  "
            f"{r.rate.label}  {format_money(r.net, invoice.currency)}"
            for r in rows
        ),
        f"Net {format_money(totals.net, invoice.currency)}",
        f"VAT {format_money(totals.vat, invoice.currency)}",
        f"Total {format_money(invoice.amount, invoice.currency)}",
        workspace.bank_details,
    ]

    def render() -> bytes:
        pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        for style, path in FONT_FILES.items():
            pdf.add_font(FONT, style, str(path))
        pdf.add_page()
        for n, line in enumerate(text):
            pdf.set_font(FONT, "B" if n in (0, 4) else "", 10)
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())

    return render


def _bare_xml(xml: bytes) -> Any:
    """Build ``xml``'s tree again with lxml, element by element, from its parts read once."""
    from lxml import etree

    def parts(element: Any) -> tuple[Any, ...]:
        return (
            element.tag,
            dict(element.attrib),
            element.text,
            element.tail,
            [parts(child) for child in element],
        )

    root_parts = parts(etree.fromstring(xml))
    nsmap = etree.fromstring(xml).nsmap

    def build(parent: Any, spec: tuple[Any, ...]) -> None:
        tag, attrib, text, tail, children = spec
        element = etree.SubElement(parent, tag, attrib)
        element.text, element.tail = text, tail
        for child in children:
            build(element, child)

    def render() -> bytes:
        tag, attrib, text, _tail, children = root_parts
        root = etree.Element(tag, attrib, nsmap=nsmap)
        root.text = text
        for child in children:
            build(root, child)
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    return render


def _canonical(xml: bytes) -> bytes:
    from lxml import etree

    return bytes(etree.tostring(etree.fromstring(xml), method="c14n"))


if __name__ == "__main__":
    raise SystemExit(main())
