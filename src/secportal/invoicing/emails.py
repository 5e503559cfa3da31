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


def queue_to_client(
    invoice: Invoice,
    *,
    kind: str,
    template: str,
    context: dict[str, Any],
    key: str,
    also: str = "",
) -> list[str]:
    """Queue one email to each of the invoice's recipients (and ``also``), once each."""
    recipients = recipients_of(invoice)
    if also and also.lower() not in (r.lower() for r in recipients):
        recipients.append(also)
    for to in recipients:
        queue_email(
            kind=kind,
            to=to,
            template=template,
            context=context,
            workspace=invoice.workspace,
            invoice=invoice,
            reply_to=invoice.workspace.billing_reply_to,
            dedupe_key=f"{key}:{to.lower()}",
        )
    return recipients


def queue_invoice_email(invoice: Invoice) -> list[str]:
    return queue_to_client(
        invoice,
        kind="invoice",
        template="emails/invoice_sent",
        context=invoice_context(invoice),
        key=f"invoice:{invoice.pk}",
    )


def queue_overdue_reminder(invoice: Invoice) -> list[str]:
    return queue_to_client(
        invoice,
        kind="overdue_reminder",
        template="emails/invoice_overdue",
        context=invoice_context(invoice),
        key=f"overdue:{invoice.pk}",
    )


def queue_credit_note_email(note: Any) -> list[str]:
    """The credit note, to the invoice's recipients, once (issue 15, 6)."""
    invoice = note.invoice
    return queue_to_client(
        invoice,
        kind="credit_note",
        template="emails/credit_note",
        context={
            "note": note,
            "invoice": invoice,
            "workspace": invoice.workspace,
            "amount": format_money(note.amount, invoice.currency),
            "balance": format_money(invoice.balance_due, invoice.currency),
            "portal_url": links.portal_link(),
        },
        key=f"credit_note:{note.pk}",
    )
