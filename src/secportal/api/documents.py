"""An invoice's documents through the API: its PDF, and the e-invoices of a sent invoice (UBL 2.1
Peppol BIS Billing 3.0, and Factur-X: the PDF with its EN 16931 XML embedded). The same builders
as the invoice page's buttons."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError

from secportal.invoicing.documents import invoice_pdf_bytes, pdf_filename
from secportal.invoicing.einvoices import EInvoiceError, facturx_pdf, ubl_xml

from .common import find_invoice

router = Router(tags=["invoices"])


def _binary(content_type: str, what: str) -> dict[str, Any]:
    """The OpenAPI answer of a download: bytes of ``content_type``."""
    return {
        "responses": {
            200: {
                "description": what,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/invoices/{invoice_id}/pdf", openapi_extra=_binary("application/pdf", "The PDF"))
def invoice_pdf(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """The invoice as a PDF (a draft's carries the DRAFT watermark), as on the invoice page."""
    invoice = find_invoice(request, invoice_id)
    body = invoice_pdf_bytes(invoice, invoice.workspace.today())
    return _download(body, "application/pdf", pdf_filename(invoice))


@router.get(
    "/invoices/{invoice_id}/ubl",
    openapi_extra=_binary("application/xml", "UBL 2.1 (Peppol BIS Billing 3.0)"),
)
def invoice_ubl(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """The sent invoice as UBL 2.1 (Peppol BIS Billing 3.0), checked against the UBL XSD; a
    draft has none (409)."""
    invoice = find_invoice(request, invoice_id)
    try:
        body = ubl_xml(invoice)
    except EInvoiceError as exc:
        raise HttpError(409, str(exc)) from exc
    return _download(body, "application/xml", f"invoice-{invoice.number}.xml")


@router.get(
    "/invoices/{invoice_id}/facturx",
    openapi_extra=_binary("application/pdf", "Factur-X (PDF/A-3 with its CII XML)"),
)
def invoice_facturx(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """The sent invoice as Factur-X EN 16931: its PDF with the CII XML embedded; a draft has
    none (409)."""
    invoice = find_invoice(request, invoice_id)
    try:
        body = facturx_pdf(invoice, invoice_pdf_bytes(invoice, invoice.workspace.today()))
    except EInvoiceError as exc:
        raise HttpError(409, str(exc)) from exc
    return _download(body, "application/pdf", f"invoice-{invoice.number}-facturx.pdf")
