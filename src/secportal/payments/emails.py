"""Emails when Stripe says an invoice is paid: to the client, and to the consultancy."""

from __future__ import annotations

from typing import Any

from secportal.core.money import format_money
from secportal.invoicing.emails import invoice_context, queue_to_client
from secportal.invoicing.links import consultant_link, portal_link
from secportal.invoicing.models import Invoice
from secportal.notifications.services import delivered_together, queue_email
from secportal.workspaces.selectors import billing_contacts_of

from .models import Payment
from .receipts import RECEIPT_BUILDER, RECORDED_RECEIPT_BUILDER, receipt_of, recorded_receipt_of


def _queue_to_owners(
    invoice: Invoice, *, kind: str, template: str, context: dict[str, Any], key: str
) -> None:
    """One email to each owner and admin of the invoice's workspace, once each per ``key``."""
    for membership in billing_contacts_of(invoice.workspace_id):
        to = membership.user.email
        queue_email(
            kind=kind,
            to=to,
            template=template,
            context=context,
            workspace=invoice.workspace,
            invoice=invoice,
            dedupe_key=f"{key}:{to.lower()}",
        )


def queue_debit_failed(invoice: Invoice, attempt: Any, method: str) -> None:
    """A bank debit failed: the client is asked to pay again, the owners and admins are told."""
    context = {**invoice_context(invoice), "method": method}
    queue_to_client(
        invoice,
        kind="payment_failed",
        template="emails/payment_failed",
        context=context,
        key=f"debit-failed:{attempt.session_id}",
    )
    context = {**context, "invoice_url": consultant_link(invoice)}
    _queue_to_owners(
        invoice,
        kind="payment_failed_owner",
        template="emails/payment_failed_owner",
        context=context,
        key=f"debit-failed-owner:{attempt.session_id}",
    )


def queue_auto_refund_failed(invoice: Invoice, payment: Payment) -> None:
    """To the workspace's owners and admins: a second payment could not be refunded."""
    context = {
        "invoice": invoice,
        "workspace": invoice.workspace,
        "payment": payment,
        "amount": format_money(payment.amount, payment.currency),
        "attempts": payment.auto_refund_attempts,
        "error": payment.auto_refund_error,
        "invoice_url": consultant_link(invoice),
    }
    _queue_to_owners(
        invoice,
        kind="auto_refund_failed",
        template="emails/auto_refund_failed",
        context=context,
        key=f"auto-refund-failed:{payment.checkout_session_id}",
    )


def queue_paid_emails(invoice: Invoice, payment: Payment) -> None:
    """The receipt to the client, the news to the owners and admins: delivered together."""
    with delivered_together():
        _queue_paid_emails(invoice, payment)


def _queue_paid_emails(invoice: Invoice, payment: Payment) -> None:
    context = {
        "invoice": invoice,
        "workspace": invoice.workspace,
        "payment": payment,
        "amount": format_money(payment.amount, payment.currency),
        "fee": format_money(payment.application_fee, payment.currency),
        "net": format_money(payment.net, payment.currency),
        "stripe_fee": format_money(payment.stripe_fee, payment.currency)
        if payment.stripe_fee is not None
        else "",
        "paid_on": payment.paid_at.astimezone(invoice.workspace.tz).date(),
        "balance": format_money(invoice.balance_due, invoice.currency)
        if invoice.balance_due
        else "",
        "portal_url": portal_link(),
        "invoice_url": consultant_link(invoice),
    }
    receipt = receipt_of(payment, invoice)
    queue_to_client(
        invoice,
        kind="payment_confirmation",
        template="emails/payment_confirmation",
        context={
            **context,
            "receipt": receipt,
            "balance_left": format_money(receipt.balance_left, invoice.currency),
        },
        key=f"paid:{payment.checkout_session_id}",
        also=payment.payer_email,
        # Drawn when the email is delivered, not in the settlement's transaction.
        attachment_builder={"path": RECEIPT_BUILDER, "args": [payment.pk, receipt.number]},
    )
    _queue_to_owners(
        invoice,
        kind="payment_received",
        template="emails/payment_received",
        context=context,
        key=f"received:{payment.checkout_session_id}",
    )


def queue_recorded_payment_email(recorded: Any, invoice: Invoice) -> None:
    """The client gets the same receipt email as for a payment through Stripe
    for "Record payment" (what, when, how, which invoice, the balance left; the receipt PDF drawn
    at delivery)."""
    receipt = recorded_receipt_of(recorded, invoice)
    queue_to_client(
        invoice,
        kind="payment_confirmation",
        template="emails/payment_confirmation",
        context={
            "invoice": invoice,
            "workspace": invoice.workspace,
            "amount": format_money(recorded.amount, recorded.currency),
            "paid_on": recorded.received_on,
            "balance": format_money(invoice.balance_due, invoice.currency)
            if invoice.balance_due
            else "",
            "portal_url": portal_link(),
            "receipt": receipt,
            "balance_left": format_money(receipt.balance_left, invoice.currency),
            "recorded": True,
        },
        key=f"recorded:{recorded.public_id}",
        attachment_builder={"path": RECORDED_RECEIPT_BUILDER, "args": [recorded.pk]},
    )


def queue_account_disconnected(account: Any) -> None:
    """To the workspace's owners, once per disconnection: clients cannot pay online now."""
    from django.conf import settings
    from django.urls import reverse

    from secportal.workspaces.models import Role
    from secportal.workspaces.selectors import members_of

    workspace = account.workspace
    stamp = f"{account.disconnected_at:%Y%m%d%H%M%S}" if account.disconnected_at else ""
    context = {
        "workspace": workspace,
        "settings_url": settings.SITE_URL + reverse("workspaces:settings"),
    }
    for membership in members_of(workspace.pk).filter(role=Role.OWNER):
        to = membership.user.email
        queue_email(
            kind="stripe_disconnected",
            to=to,
            template="emails/stripe_disconnected",
            context=context,
            workspace=workspace,
            dedupe_key=f"stripe-disconnected:{account.pk}:{stamp}:{to.lower()}",
        )
