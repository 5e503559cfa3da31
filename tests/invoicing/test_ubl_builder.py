"""Issue 19: the UBL invoice built with lxml directly (``invoicing.ubl``) is exactly what the
``factur-x`` library writes from the same EN 16931 data (canonical XML), for every shape of our
data, and valid against the UBL 2.1 XSD."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest
from facturx import generate_xml, xml_check_xsd
from lxml import etree

from secportal.invoicing import einvoices
from secportal.invoicing.ubl import CBC, ubl_invoice

from .test_lines import THREE_LINES, quick, with_lines
from .test_vat_invoice_pdf import create_and_send, vat_workspace  # noqa: F401 - a fixture


def _full() -> dict[str, Any]:
    return {
        "BT-1": "INV-0007",
        "BT-2": datetime.date(2026, 11, 2),
        "BT-3": "380",
        "BT-5": "GBP",
        "BT-9": datetime.date(2026, 12, 2),
        "BT-10": "PO-9",
        "BT-13": "PO-9",
        "BT-23": einvoices.PEPPOL_PROCESS,
        "BT-24": einvoices.PEPPOL_BIS,
        "BT-72": datetime.date(2026, 10, 30),
        "BG-4": {
            "name": "Acme Security Ltd",
            "country_code": "GB",
            "addr_l1": "1 Test Street",
            "addr_l2": "Floor 2, Shoreditch",
            "city": "London",
            "vat_identifier": "GB123456789",
            "legal_identifier": "01234567",
            "einvoicing_addr": "billing@acme.test",
            "einvoicing_addr_schemeid": "EM",
        },
        "BG-7": {
            "name": "Client & Sons GmbH",
            "country_code": "DE",
            "addr_l1": "Hauptstraße 1",
            "city": "Berlin",
            "vat_identifier": "DE123456789",
            "einvoicing_addr": "ap@client.test",
            "einvoicing_addr_schemeid": "EM",
        },
        "BT-106": "6070.00",
        "BT-109": "6070.00",
        "BT-110": "1190.00",
        "BT-112": "7260.00",
        "BT-115": "7000.00",
        "BG-23": [
            {"BT-116": "5950.00", "BT-117": "1190.00", "BT-118": "S", "BT-119": "20.00"},
            {
                "BT-116": "120.00",
                "BT-117": "0.00",
                "BT-118": "AE",
                "BT-119": "0.00",
                "BT-120": "Reverse charge",
            },
        ],
        "BG-25": [
            {
                "BT-126": "1",
                "BT-129": "5",
                "BT-130": "C62",
                "BT-131": "4750.00",
                "BT-146": "950.00",
                "BT-151": "S",
                "BT-152": "20.00",
                "BT-153": "Testing <days> & more",
            },
            {
                "BT-126": "2",
                "BT-129": "1.5",
                "BT-130": "C62",
                "BT-131": "120.00",
                "BT-146": "80.0000",
                "BT-151": "AE",
                "BT-152": "0.00",
                "BT-153": "Travel",
            },
        ],
    }


def _minimal() -> dict[str, Any]:
    """No due date, PO, delivery date, identifiers or emails; one-line addresses; outside scope."""
    data = _full()
    for key in ("BT-9", "BT-13", "BT-72", "BT-23"):
        data.pop(key)
    data["BT-24"] = einvoices.EN16931
    data["BT-10"] = "INV-0007"
    data["BG-4"] = {"name": "Solo", "country_code": "GB", "addr_l1": "Only line"}
    data["BG-7"] = {"name": "Buyer", "country_code": "GB"}
    data["BG-23"] = [
        {
            "BT-116": "100.00",
            "BT-117": "0.00",
            "BT-118": "O",
            "BT-119": "0.00",
            "BT-120": "Outside scope",
        }
    ]
    data["BG-25"] = [
        {
            "BT-126": "1",
            "BT-129": "1",
            "BT-130": "C62",
            "BT-131": "100.00",
            "BT-146": "100.00",
            "BT-151": "O",
            "BT-153": "Services",
        }
    ]
    return data


def _library(data: dict[str, Any]) -> bytes:
    """What ``factur-x`` writes (it puts the plain EN 16931 identifier: ours is kept)."""
    xml = generate_xml(
        copy.deepcopy(data),
        flavor="ubl-2.1",
        level="en16931",
        check_xsd=False,
        check_schematron=False,
    )
    root = etree.fromstring(bytes(xml))
    customization = root.find(f"{{{CBC}}}CustomizationID")
    assert customization is not None
    customization.text = data["BT-24"]
    return _canonical(etree.tostring(root))


def _canonical(xml: bytes) -> bytes:
    """Canonical XML without the indentation (the library pretty-prints)."""
    parser = etree.XMLParser(remove_blank_text=True)
    return bytes(etree.tostring(etree.fromstring(xml, parser), method="c14n"))


@pytest.mark.parametrize("shape", [_full, _minimal])
def test_the_lxml_builder_writes_what_factur_x_writes(shape):
    data = shape()
    ours = ubl_invoice(copy.deepcopy(data))
    assert _canonical(etree.tostring(ours)) == _library(data)
    assert xml_check_xsd(etree.tostring(ours), flavor="ubl-2.1-invoice")


@pytest.mark.django_db
def test_a_sent_invoice_s_ubl_is_the_library_s_document(vat_workspace):  # noqa: F811
    """Real invoices' downloads: a UK VAT invoice with a PO, and an EU reverse-charge one."""
    uk = create_and_send(vat_workspace, with_lines(vat_workspace, THREE_LINES, po_number="PO-9"))
    client = vat_workspace.client
    client.legal_name, client.country, client.vat_number = "Acme GmbH", "DE", "DE136695976"
    client.address = "Hauptstraße 1\n10115 Berlin"
    client.save()
    eu = create_and_send(
        vat_workspace,
        quick(vat_workspace, currency="EUR", amount="5,000.00", vat_rate="reverse_charge"),
    )
    for invoice in (uk, eu):
        invoice.refresh_from_db()
        data = einvoices.data_dict(invoice, peppol=True)
        assert _canonical(einvoices.ubl_xml(invoice)) == _library(data)


def test_a_wrong_builder_would_be_caught():
    """The comparison is strict: one changed amount makes the documents differ."""
    data = _full()
    ours = _canonical(etree.tostring(ubl_invoice(copy.deepcopy(data))))
    data["BT-115"] = "7000.01"
    assert ours != _library(data)
