"""The API's money after an invoice is sent: credit notes (list, retrieve, issue), payments taken
through Stripe (list, retrieve) and refund requests (ask Stripe to refund a paid invoice)."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from secportal.invoicing.credits import issue_credit_note
from secportal.invoicing.models import CreditNote
from secportal.payments.models import Payment, RefundRequest
from secportal.payments.refunds import refund_invoice
from secportal.workspaces.models import Role

from . import schemas
from .access import allow
from .access import invoicing as invoicing_workspace
from .common import Paging, as_json, find_invoice, page
from .idempotency import idempotent

router = Router()


def credit_note_out(note: CreditNote) -> dict[str, Any]:
    return {
        "id": note.public_id,
        "number": note.number,
        "invoice": note.invoice.public_id,
        "currency": note.invoice.currency,
        "amount": note.amount,
        "net_amount": note.net_amount,
        "vat_amount": note.vat_amount,
        "reason": note.reason,
        "issue_date": note.issue_date,
    }


def payment_out(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.checkout_session_id,
        "payment_intent": payment.payment_intent_id or None,
        "invoice": payment.invoice.public_id,
        "currency": payment.currency,
        "amount": payment.amount,
        "fee": payment.application_fee,
        "net": payment.net,
        "amount_refunded": payment.refunded_amount,
        "paid_at": payment.paid_at,
        "duplicate": payment.duplicate,
    }


class InvoiceFilter(Paging):
    invoice: UUID | None = None


class PaymentFilter(Schema):
    limit: int = 25
    starting_after: str | None = Field(default=None, max_length=255)
    invoice: UUID | None = None


@router.get("/credit_notes", response=schemas.CreditNotePage, tags=["credit notes"])
def list_credit_notes(request: HttpRequest, filters: Query[InvoiceFilter]) -> dict[str, Any]:
    invoicing_workspace(request)
    notes = CreditNote.objects.select_related("invoice")
    if filters.invoice:
        notes = notes.filter(invoice__public_id=filters.invoice)
    return page(notes, filters, credit_note_out, request)


@router.get("/credit_notes/{credit_note_id}", response=schemas.CreditNoteOut, tags=["credit notes"])
def get_credit_note(request: HttpRequest, credit_note_id: UUID) -> dict[str, Any]:
    invoicing_workspace(request)
    note = CreditNote.objects.select_related("invoice").filter(public_id=credit_note_id).first()
    if note is None:
        raise Http404
    return credit_note_out(note)


@router.post(
    "/invoices/{invoice_id}/credit_notes",
    response={201: schemas.CreditNoteOut},
    tags=["credit notes"],
)
def post_credit_note(
    request: HttpRequest, invoice_id: UUID, payload: schemas.CreditNoteIn
) -> HttpResponse:
    """Issue credit note: ``amount`` (all that is left when left out) with a reason; a credit
    of the whole balance of an unpaid invoice settles it."""
    invoicing_workspace(request)
    allow(request, Role.ADMIN)  # as on the web: owners and admins issue credit notes
    invoice = find_invoice(invoice_id)
    given_key = request.headers.get("Idempotency-Key", "")
    api_key_id = request.api_key.pk  # type: ignore[attr-defined]
    scoped = f"api:{api_key_id}:{given_key}".encode()
    request_key = hashlib.sha256(scoped).hexdigest() if given_key else ""

    def answer() -> tuple[int, Any]:
        note = issue_credit_note(
            invoice.pk, None, reason=payload.reason, amount=payload.amount, request_key=request_key
        )
        note = CreditNote.objects.select_related("invoice").get(pk=note.pk)
        return 201, as_json(credit_note_out(note), schemas.CreditNoteOut)

    return idempotent(request, answer)


@router.get("/payments", response=schemas.PaymentPage, tags=["payments"])
def list_payments(request: HttpRequest, filters: Query[PaymentFilter]) -> dict[str, Any]:
    """Payments taken through Stripe (newest first); a payment's id is its Checkout Session's."""
    invoicing_workspace(request)
    payments = Payment.objects.select_related("invoice")
    if filters.invoice:
        payments = payments.filter(invoice__public_id=filters.invoice)
    return page(payments, filters, payment_out, request, id_field="checkout_session_id")


@router.get("/payments/{payment_id}", response=schemas.PaymentOut, tags=["payments"])
def get_payment(request: HttpRequest, payment_id: str) -> dict[str, Any]:
    invoicing_workspace(request)
    payment = (
        Payment.objects.select_related("invoice").filter(checkout_session_id=payment_id).first()
    )
    if payment is None:
        raise Http404
    return payment_out(payment)


@router.post("/invoices/{invoice_id}/refunds", response={202: schemas.RefundOut}, tags=["payments"])
def post_refund(request: HttpRequest, invoice_id: UUID, payload: schemas.RefundIn) -> HttpResponse:
    """Ask Stripe to refund a paid invoice, in full (no ``amount``) or in part; Stripe's answer
    comes later (``state``), and the invoice shows it then."""
    invoicing_workspace(request)
    allow(request, Role.ADMIN)
    invoice = find_invoice(invoice_id)

    def answer() -> tuple[int, Any]:
        asked = refund_invoice(invoice.pk, None, payload.amount)
        asked = RefundRequest.objects.select_related("payment__invoice").get(pk=asked.pk)
        body = {
            "id": asked.public_id,
            "invoice": asked.payment.invoice.public_id,
            "amount": asked.amount,
            "currency": asked.payment.currency,
            "state": asked.state,
            "error": asked.error,
        }
        return 202, as_json(body, schemas.RefundOut)

    return idempotent(request, answer)
