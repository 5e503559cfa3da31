"""The portal's "Receipt" button: the signed-in contact's invoice's receipt PDF."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect

from secportal.payments.receipts import latest_receipt, receipt_response

from . import selectors
from .access import ContactRequest, contact_view


@contact_view
def receipt_pdf(request: ContactRequest, invoice_id: UUID) -> HttpResponse:
    """The receipt; an invoice with no payment yet goes back to its page."""
    invoice = selectors.invoice_for_contact(request.contact, invoice_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if latest_receipt(invoice) is None:
        messages.info(request, "There is no payment of this invoice yet, so no receipt.")
        return redirect("portal:invoice", invoice_id=invoice.public_id)
    return receipt_response(invoice)
