"""The ``data.object`` of each event type (payload version ``API_VERSION``): the same names and
units as the REST API (public ids, integer minor units plus currency, ISO 8601 dates)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from secportal.invoicing.models import CreditNote, Invoice
from secportal.payments.models import Dispute, Payment


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def invoice_object(invoice: Invoice) -> dict[str, Any]:
    return {
        "object": "invoice",
        "id": str(invoice.public_id),
        "number": invoice.number,
        "status": invoice.status,
        "client": str(invoice.client.public_id),
        "engagement": str(invoice.engagement.public_id) if invoice.engagement else None,
        "currency": invoice.currency,
        "amount": invoice.amount,
        "net_amount": invoice.net_amount,
        "vat_amount": invoice.vat_amount,
        "amount_paid": invoice.paid_amount,
        "credited_amount": invoice.credited_amount,
        "refunded_amount": invoice.refunded_amount,
        "balance_due": invoice.balance_due,
        "issue_date": _iso(invoice.issue_date),
        "due_date": _iso(invoice.due_date),
        "paid_at": _iso(invoice.paid_at),
    }


def invoice_data(invoice_id: int) -> tuple[int, dict[str, Any]]:
    [found] = invoices_data([invoice_id])
    return found


def invoices_data(
    invoice_ids: list[int], workspaces: QuerySet[Any] | None = None
) -> list[tuple[int, dict[str, Any]]]:
    """The invoices' payloads; with ``workspaces`` (a query of workspace ids), only those of
    the invoices in these workspaces."""
    invoices = Invoice.unscoped.select_related("client", "engagement").filter(pk__in=invoice_ids)
    if workspaces is not None:
        invoices = invoices.filter(workspace_id__in=workspaces)
    return [(invoice.workspace_id, invoice_object(invoice)) for invoice in invoices.order_by("pk")]


def credit_note_data(credit_note_id: int) -> tuple[int, dict[str, Any]]:
    note = CreditNote.unscoped.select_related("invoice").get(pk=credit_note_id)
    return note.workspace_id, {
        "object": "credit_note",
        "id": str(note.public_id),
        "number": note.number,
        "invoice": str(note.invoice.public_id),
        "currency": note.invoice.currency,
        "amount": note.amount,
        "net_amount": note.net_amount,
        "vat_amount": note.vat_amount,
        "reason": note.reason,
        "issue_date": _iso(note.issue_date),
    }


def refund_data(payment_id: int, amount: int) -> tuple[int, dict[str, Any]]:
    payment = Payment.unscoped.select_related("invoice").get(pk=payment_id)
    return payment.workspace_id, {
        "object": "payment",
        "id": payment.payment_intent_id or payment.checkout_session_id,
        "invoice": str(payment.invoice.public_id),
        "currency": payment.currency,
        "amount": payment.amount,
        "amount_refunded": payment.refunded_amount,
        "refund_amount": amount,
        "paid_at": _iso(payment.paid_at),
    }


def dispute_data(dispute_id: int) -> tuple[int, dict[str, Any]]:
    dispute = Dispute.unscoped.select_related("payment__invoice").get(pk=dispute_id)
    return dispute.workspace_id, {
        "object": "dispute",
        "id": dispute.stripe_dispute_id,
        "invoice": str(dispute.payment.invoice.public_id),
        "currency": dispute.currency,
        "amount": dispute.amount,
        "reason": dispute.reason,
        "status": dispute.status,
        "opened_at": _iso(dispute.opened_at),
    }
