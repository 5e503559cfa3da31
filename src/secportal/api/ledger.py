"""The API's money after an invoice is sent: credit notes (list, retrieve, issue), payments taken
through Stripe (list, retrieve), refund requests (ask Stripe to refund a paid invoice) and
payments recorded by hand (list, retrieve, record)."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from secportal.invoicing.balances import record_payment
from secportal.invoicing.credits import issue_credit_note
from secportal.invoicing.models import CreditNote, RecordedPayment
from secportal.payments.models import Payment, RefundRequest
from secportal.payments.refunds import refund_invoice
from secportal.workspaces.models import Role

from . import schemas
from .access import allow
from .access import invoicing as invoicing_workspace
from .common import Paging, as_json, find_invoice, page
from .idempotency import idempotent
from .shapes import recorded_payment_out

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


def _request_key(request: HttpRequest, given_key: str) -> str:
    """A service's once-only key for this API key's ``Idempotency-Key`` (64 hex characters)."""
    api_key_id = request.api_key.pk  # type: ignore[attr-defined]
    return hashlib.sha256(f"api:{api_key_id}:{given_key}".encode()).hexdigest()


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
    invoice = find_invoice(request, invoice_id)
    given_key = request.headers.get("Idempotency-Key", "")
    request_key = _request_key(request, given_key) if given_key else ""

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
    invoice = find_invoice(request, invoice_id)

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


# Payments recorded by hand ------------------------------------------------------------------

RECORD_HEADER = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": "required: a retry with the same key records the payment once",
        }
    ]
}


@router.get(
    "/invoices/{invoice_id}/recorded_payments",
    response=schemas.RecordedPaymentPage,
    tags=["payments"],
)
def list_recorded_payments(
    request: HttpRequest, invoice_id: UUID, paging: Query[Paging]
) -> dict[str, Any]:
    """Payments recorded by hand on the invoice (received outside Stripe: bank transfer, cheque),
    newest first; a deleted one stays listed with ``deleted_at`` and its reason."""
    invoice = find_invoice(request, invoice_id)
    payments = RecordedPayment.objects.select_related("invoice").filter(invoice=invoice)
    return page(payments, paging, recorded_payment_out, request)


@router.get(
    "/recorded_payments/{recorded_payment_id}",
    response=schemas.RecordedPaymentOut,
    tags=["payments"],
)
def get_recorded_payment(request: HttpRequest, recorded_payment_id: UUID) -> dict[str, Any]:
    invoicing_workspace(request)
    payment = (
        RecordedPayment.objects.select_related("invoice")
        .filter(public_id=recorded_payment_id)
        .first()
    )
    if payment is None:
        raise Http404
    return recorded_payment_out(payment)


@router.post(
    "/invoices/{invoice_id}/recorded_payments",
    response={201: schemas.RecordedPaymentOut},
    tags=["payments"],
    openapi_extra=RECORD_HEADER,
)
def post_recorded_payment(
    request: HttpRequest, invoice_id: UUID, payload: schemas.RecordedPaymentIn
) -> HttpResponse:
    """Record payment: money received outside Stripe, no platform fee; it counts towards the
    balance due (the invoice becomes Partially paid or Paid). Refused beside its field when it
    would overpay, is dated in the future, is in another currency or a bank debit is on its way.
    Owners and admins; an ``Idempotency-Key`` is required."""
    invoice = find_invoice(request, invoice_id)
    allow(request, Role.ADMIN)  # as on the web: owners and admins record payments
    given_key = request.headers.get("Idempotency-Key", "").strip()
    if not given_key:
        raise HttpError(
            400,
            "Recording a payment needs an Idempotency-Key header: a retry with the same key "
            "then records it once.",
        )

    def answer() -> tuple[int, Any]:
        recorded = record_payment(
            invoice.pk,
            None,
            amount=payload.amount,
            received_on=payload.received_on or invoice.workspace.today(),
            method=payload.method,
            reference=payload.reference,
            currency=payload.currency or "",
            request_key=_request_key(request, given_key),
        )
        recorded = RecordedPayment.objects.select_related("invoice").get(pk=recorded.pk)
        return 201, as_json(recorded_payment_out(recorded), schemas.RecordedPaymentOut)

    return idempotent(request, answer)
