"""The emails an invoice sends: the invoice itself and the overdue reminder (DESIGN.md 8)."""

from __future__ import annotations

from typing import Any

from secportal.clients.models import ClientContact
from secportal.core.money import format_money
from secportal.notifications.services import queue_email

from . import links
from .models import Invoice


def recipients_of(invoice: Invoice) -> list[str]:
    """The client's billing email, then contacts who asked to receive invoices; no repeats."""
    found: list[str] = []
    contacts = (
        ClientContact.unscoped.filter(client_id=invoice.client_id, receives_invoices=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )
    candidates = [invoice.client.billing_email, *contacts]
    for email in candidates:
        if email and email.lower() not in (f.lower() for f in found):
            found.append(email)
    return found


def invoice_context(invoice: Invoice) -> dict[str, Any]:
    return {
        "invoice": invoice,
        "workspace": invoice.workspace,
        "amount": format_money(invoice.amount, invoice.currency),
        "pay_url": links.pay_link(invoice),
        "portal_url": links.portal_link(),
    }


def queue_invoice_email(invoice: Invoice) -> list[str]:
    recipients = recipients_of(invoice)
    context = invoice_context(invoice)
    for to in recipients:
        queue_email(
            kind="invoice",
            to=to,
            template="emails/invoice_sent",
            context=context,
            workspace=invoice.workspace,
            subject_ref=str(invoice.public_id),
            reply_to=invoice.workspace.billing_reply_to,
            dedupe_key=f"invoice:{invoice.pk}:{to.lower()}",
        )
    return recipients


def queue_overdue_reminder(invoice: Invoice) -> list[str]:
    recipients = recipients_of(invoice)
    context = invoice_context(invoice)
    for to in recipients:
        queue_email(
            kind="overdue_reminder",
            to=to,
            template="emails/invoice_overdue",
            context=context,
            workspace=invoice.workspace,
            subject_ref=str(invoice.public_id),
            reply_to=invoice.workspace.billing_reply_to,
            dedupe_key=f"overdue:{invoice.pk}:{to.lower()}",
        )
    return recipients
