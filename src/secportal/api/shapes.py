"""The API's answers as plain data (the schemas in ``schemas`` check and document them): money
in minor units with its currency, public ids, never database pks."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from secportal.clients.models import Client, ClientContact
from secportal.engagements.models import Engagement
from secportal.invoicing.models import Invoice, InvoiceLine, RecordedPayment


def client_out(client: Client) -> dict[str, Any]:
    return {
        "id": client.public_id,
        "name": client.name,
        "billing_email": client.billing_email,
        "address": client.address,
    }


def engagement_out(engagement: Engagement) -> dict[str, Any]:
    return {
        "id": engagement.public_id,
        "client": engagement.client.public_id,
        "name": engagement.name,
        "reference": engagement.reference,
        "status": engagement.status,
        "start_date": engagement.start_date,
        "end_date": engagement.end_date,
    }


def invoice_out(
    invoice: Invoice,
    today: datetime.date | None = None,
    lines: Iterable[InvoiceLine] | None = None,
) -> dict[str, Any]:
    """An invoice; a list passes the workspace's ``today``, the page's lines (one query for all)
    and the client's and engagement's public ids as ``client_public_id`` and
    ``engagement_public_id`` annotations (no client or engagement rows fetched)."""
    if today is None:
        today = invoice.workspace.today()
    if lines is None:
        lines = invoice.lines.all()
    if hasattr(invoice, "client_public_id"):
        client_id = invoice.client_public_id
        engagement_id = invoice.engagement_public_id  # type: ignore[attr-defined]
    else:
        client_id = invoice.client.public_id
        engagement_id = invoice.engagement.public_id if invoice.engagement else None
    return {
        "id": invoice.public_id,
        "number": invoice.number,
        "status": invoice.shown_status(today),
        "client": client_id,
        "engagement": engagement_id,
        "amount": invoice.amount,
        "net_amount": invoice.net,
        "vat_amount": invoice.vat_amount,
        "amount_paid": invoice.paid_amount,
        "credited_amount": invoice.credited_amount,
        "balance_due": invoice.balance_due,
        "currency": invoice.currency,
        "description": invoice.description,
        "po_number": invoice.po_number,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "paid_at": invoice.paid_at,
        "refunded_amount": invoice.refunded_amount,
        "lines": [
            {
                "position": line.position,
                "description": line.description,
                "quantity": f"{line.quantity.normalize():f}",
                "unit_price": line.unit_price,
                "vat_rate": line.vat_rate,
                "net": line.net,
                "vat": line.vat,
                "total": line.net + line.vat,
            }
            for line in lines
        ],
    }


def invoices_out(invoices: list[Invoice], today: datetime.date) -> list[dict[str, Any]]:
    """A page of invoices: their lines in one query, whatever the page's size."""
    found: dict[int, list[InvoiceLine]] = {invoice.pk: [] for invoice in invoices}
    for line in InvoiceLine.objects.filter(invoice_id__in=list(found)).order_by(
        "invoice_id", "position", "pk"
    ):
        found[line.invoice_id].append(line)
    return [invoice_out(invoice, today, found[invoice.pk]) for invoice in invoices]


def contact_out(contact: ClientContact) -> dict[str, Any]:
    return {
        "id": contact.public_id,
        "client": contact.client.public_id,
        "name": contact.name,
        "email": contact.email,
        "receives_invoices": contact.receives_invoices,
    }


def recorded_payment_out(payment: RecordedPayment) -> dict[str, Any]:
    return {
        "id": payment.public_id,
        "invoice": payment.invoice.public_id,
        "amount": payment.amount,
        "currency": payment.currency,
        "received_on": payment.received_on,
        "method": payment.method,
        "reference": payment.reference,
        "recorded_at": payment.created_at,
        "deleted_at": payment.deleted_at,
        "delete_reason": payment.delete_reason,
    }
