"""Issue 15 (4, 7): the PDF of a UK VAT invoice and of an EU reverse-charge invoice carries every
legal item (VAT Regulations 1995 reg. 14; Directive 2006/112/EC art. 226): read back as text."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.urls import reverse

from secportal.invoicing import services
from secportal.invoicing.documents import invoice_pdf_bytes
from secportal.invoicing.models import Invoice

from ..conftest import signed_in
from .conftest import connect_stripe
from .test_lines import THREE_LINES, quick, with_lines

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def vat_workspace(tenant):
    workspace = tenant.workspace
    workspace.legal_name = "Redline Security Ltd"
    workspace.registered_address = "1 Fleet Street\nLondon EC4Y 1AA"
    workspace.company_number = "12345678"
    workspace.registered_in = "England and Wales"
    workspace.vat_number = "GB980780684"
    workspace.bank_details = "Sort code 12-34-56, account 12345678"
    workspace.payment_terms_text = "Interest on late payment at 8% over base."
    workspace.invoice_notes = "Thank you for your business."
    workspace.save()
    client = tenant.client
    client.legal_name = "Client Holdings Ltd"
    client.address = "2 Market Street\nLeeds LS1 1AA"
    client.country = "GB"
    client.save()
    connect_stripe(tenant)
    return tenant


def create_and_send(tenant, data) -> Invoice:
    browser = signed_in(tenant.admin)
    assert browser.post(reverse("invoicing:create"), data).status_code == 302
    invoice = Invoice.objects.order_by("-pk").first()
    assert invoice is not None
    services.send_invoice(invoice.pk, tenant.admin)
    invoice.refresh_from_db()
    return invoice


def test_a_uk_vat_invoice_shows_every_legal_item(vat_workspace):
    invoice = create_and_send(
        vat_workspace,
        with_lines(vat_workspace, THREE_LINES, po_number="PO-42", supply_date="2026-10-30"),
    )
    today = vat_workspace.workspace.today()
    data = invoice_pdf_bytes(invoice, today, pay_url="https://portal.example/pay/abc")
    text = pdf_text(data)
    for item in (
        "VAT INVOICE",
        invoice.number,  # sequential number
        "Issue date",
        "Tax point 30 October 2026",
        "Redline Security Ltd",  # supplier's name, address, registration and VAT number
        "1 Fleet Street",
        "London EC4Y 1AA",
        "Company number 12345678, registered in England and Wales",
        "VAT number GB980780684",
        "Client Holdings Ltd",  # customer's name and address
        "2 Market Street",
        "Web application test (days)",  # per line: description, quantity, unit price, rate, net
        "4.5",
        "£1,200.00",
        "Standard 20%",
        "£5,400.00",
        "Zero-rated 0%",
        "£80.00",
        "Net £5,630.25",
        "VAT Standard 20% on £5,550.25 £1,110.05",  # VAT per rate
        "Total £6,740.30",
        "PO number PO-42",
        "Sort code 12-34-56",
        "Interest on late payment at 8% over base.",
        "Thank you for your business.",
    ):
        assert item in text, item
    assert b"/Subtype /Image" in data  # the pay link's QR code


def test_an_eu_reverse_charge_invoice_names_the_customers_vat_number(vat_workspace):
    client = vat_workspace.client
    client.legal_name, client.country, client.vat_number = "Acme GmbH", "DE", "DE136695976"
    client.address = "Hauptstraße 1\n10115 Berlin"
    client.save()
    invoice = create_and_send(
        vat_workspace,
        quick(vat_workspace, currency="EUR", amount="5,000.00", vat_rate="reverse_charge"),
    )
    assert (invoice.amount, invoice.vat_amount) == (500000, 0)
    text = pdf_text(invoice_pdf_bytes(invoice, vat_workspace.workspace.today()))
    for item in (
        "Acme GmbH",
        "Hauptstraße 1",
        "Germany",
        "VAT number DE136695976",
        "VAT number GB980780684",
        "Reverse charge",
        "the customer accounts for the VAT",
        "Total €5,000.00",  # the workspace's formats (en_GB in London)
    ):
        assert item in text, item


def test_a_non_sterling_invoice_with_uk_vat_shows_the_vat_in_sterling(vat_workspace):
    invoice = create_and_send(
        vat_workspace,
        quick(
            vat_workspace, currency="EUR", amount="1,000.00", vat_rate="standard", gbp_rate="0.85"
        ),
    )
    text = pdf_text(invoice_pdf_bytes(invoice, vat_workspace.workspace.today()))
    assert "VAT in sterling: £170.00 (1 EUR = 0.850000 GBP)" in text


def test_a_draft_carries_a_watermark_and_long_invoices_repeat_the_headings(vat_workspace):
    rows = [(f"Finding {n} retest", "1", "100.00", "standard") for n in range(80)]
    browser = signed_in(vat_workspace.member)
    browser.post(reverse("invoicing:create"), with_lines(vat_workspace, rows))
    invoice = Invoice.objects.order_by("-pk").first()
    data = browser.get(reverse("invoicing:pdf", args=[invoice.public_id])).content
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        text = page.extract_text()
        assert "DRAFT" in text
        if "retest" in text:
            assert "Unit price" in text  # the table's headings on every page of lines
    assert "Finding 79 retest" in pdf_text(data)
