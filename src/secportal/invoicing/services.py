"""Every change to invoices: one transaction, the invoice row locked, an event, idempotent."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from secportal.clients.models import ClientContact
from secportal.notifications.models import EmailMessage, EmailStatus
from secportal.notifications.services import resend
from secportal.payments.selectors import can_take_payments
from secportal.workspaces.models import Workspace

from . import emails
from .models import PAYABLE, ActorType, Invoice, InvoiceEvent, InvoiceStatus

EDITABLE_FIELDS = ("client", "engagement", "amount", "currency", "description", "due_date")


class InvoiceError(Exception):
    """A change that cannot be made now; the message is for the person who asked."""

    def __init__(self, message: str, *, settings_link: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.settings_link = settings_link


def today_in(workspace: Workspace) -> datetime.date:
    return timezone.now().astimezone(workspace.tz).date()


def record_event(
    invoice: Invoice,
    kind: str,
    *,
    user: Any = None,
    contact: ClientContact | None = None,
    actor_type: str | None = None,
    **details: Any,
) -> InvoiceEvent:
    if actor_type is None:
        actor_type = (
            ActorType.USER
            if user is not None
            else ActorType.CONTACT
            if contact
            else ActorType.SYSTEM
        )
    return InvoiceEvent.objects.create(
        workspace_id=invoice.workspace_id,
        invoice=invoice,
        kind=kind,
        actor_type=actor_type,
        actor_user=user if getattr(user, "pk", None) else None,
        actor_contact=contact,
        at=timezone.now(),
        details=details,
    )


def _check_client_and_engagement(workspace_id: int, values: dict[str, Any]) -> None:
    client, engagement = values.get("client"), values.get("engagement")
    if client is not None and client.workspace_id != workspace_id:
        raise ValidationError({"client": "Choose one of this workspace's clients."})
    if engagement is not None and (
        engagement.workspace_id != workspace_id or engagement.client_id != client.pk  # type: ignore[union-attr]
    ):
        raise ValidationError({"engagement": "This engagement belongs to another client."})


def _lock(invoice_id: int) -> Invoice:
    return (
        Invoice.unscoped.select_for_update(of=("self",))
        .select_related("workspace", "client", "engagement")
        .get(pk=invoice_id)
    )


@transaction.atomic
def create_invoice(workspace: Workspace, user: Any, values: dict[str, Any]) -> Invoice:
    _check_client_and_engagement(workspace.pk, values)
    invoice = Invoice.objects.create(
        workspace=workspace,
        created_by=user,
        **{field: values.get(field) for field in EDITABLE_FIELDS},
    )
    record_event(invoice, "created", user=user, amount=invoice.amount, currency=invoice.currency)
    return invoice


@transaction.atomic
def update_draft(invoice_id: int, user: Any, values: dict[str, Any]) -> Invoice:
    invoice = _lock(invoice_id)
    if not invoice.is_draft:
        raise InvoiceError("Only drafts can be edited. Void this invoice and issue a new one.")
    _check_client_and_engagement(invoice.workspace_id, values)
    changes = {}
    for field in EDITABLE_FIELDS:
        if field in values and getattr(invoice, field) != values[field]:
            old = getattr(invoice, field)
            changes[field] = {
                "from": str(old) if old is not None else None,
                "to": str(values[field]) if values[field] is not None else None,
            }
            setattr(invoice, field, values[field])
    if changes:
        invoice.save()
        record_event(invoice, "edited", user=user, changes=changes)
    return invoice


@transaction.atomic
def delete_draft(invoice_id: int, user: Any) -> None:
    invoice = Invoice.unscoped.select_for_update().filter(pk=invoice_id).first()
    if invoice is None:
        return  # already deleted: nothing to do
    if not invoice.is_draft:
        raise InvoiceError("Only drafts can be deleted. Void a sent invoice instead.")
    invoice.delete()


@dataclass(frozen=True)
class SendResult:
    invoice: Invoice
    sent_now: bool


def send_problems(invoice: Invoice) -> list[str]:
    """What stops this draft from being sent, in words (empty when it can be sent)."""
    problems = []
    if not can_take_payments(invoice.workspace):
        problems.append(
            "Connect your Stripe account in Settings before sending invoices, so that the "
            "client can pay online."
        )
    if not invoice.client.billing_email:
        problems.append(f"Add a billing email to {invoice.client.name} first.")
    today = today_in(invoice.workspace)
    if invoice.due_date and invoice.due_date < today:
        problems.append("The due date is in the past: change it, or clear it to use the terms.")
    return problems


@transaction.atomic
def send_invoice(invoice_id: int, user: Any) -> SendResult:
    """Number the draft (gapless), mark it Sent and queue its email; a repeat is a no-op."""
    invoice = _lock(invoice_id)
    if not invoice.is_draft:
        return SendResult(invoice, sent_now=False)
    problems = send_problems(invoice)
    if problems:
        raise InvoiceError(
            " ".join(problems), settings_link=not can_take_payments(invoice.workspace)
        )
    workspace = Workspace.objects.select_for_update().get(pk=invoice.workspace_id)
    invoice.number = f"{workspace.number_prefix}{workspace.next_invoice_number:04d}"
    workspace.next_invoice_number += 1
    workspace.save(update_fields=["next_invoice_number"])
    today = today_in(workspace)
    invoice.issue_date = today
    invoice.due_date = invoice.due_date or today + datetime.timedelta(
        days=workspace.payment_terms_days
    )
    invoice.status = InvoiceStatus.SENT
    invoice.sent_at = timezone.now()
    invoice.workspace = workspace
    invoice.save(
        update_fields=["number", "issue_date", "due_date", "status", "sent_at", "updated_at"]
    )
    recipients = emails.queue_invoice_email(invoice)
    record_event(
        invoice,
        "sent",
        user=user,
        number=invoice.number,
        recipients=recipients,
        due_date=invoice.due_date.isoformat(),
    )
    return SendResult(invoice, sent_now=True)


@transaction.atomic
def void_invoice(invoice_id: int, user: Any, reason: str = "") -> Invoice:
    invoice = _lock(invoice_id)
    if invoice.status == InvoiceStatus.VOID:
        return invoice
    if invoice.status not in PAYABLE:
        raise InvoiceError(f"A {invoice.get_status_display().lower()} invoice cannot be voided.")
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = timezone.now()
    invoice.save(update_fields=["status", "voided_at", "updated_at"])
    record_event(invoice, "voided", user=user, reason=reason)
    transaction.on_commit(lambda: _after_void(invoice.pk))
    return invoice


def _after_void(invoice_id: int) -> None:
    """Hook for the payments app: expire any open checkout of a voided invoice."""
    from django.apps import apps

    if apps.is_installed("secportal.payments"):
        from secportal.payments import hooks

        hooks.invoice_voided(invoice_id)


@transaction.atomic
def resend_invoice_email(invoice_id: int, user: Any) -> list[str]:
    """Deliver the invoice email again to each recipient whose delivery failed or who asks."""
    invoice = _lock(invoice_id)
    if invoice.status not in PAYABLE:
        raise InvoiceError("Only sent or overdue invoices can be emailed again.")
    resent = []
    for message in EmailMessage.objects.filter(subject_ref=str(invoice.public_id), kind="invoice"):
        if message.status != EmailStatus.QUEUED:
            resend(message.pk)
            resent.append(message.to)
    record_event(invoice, "email_resent", user=user, recipients=resent)
    return resent


def record_viewed(invoice: Invoice, contact: ClientContact | None) -> None:
    """The client opened the invoice (once per contact, or once for the pay link)."""
    with transaction.atomic():
        locked = _lock(invoice.pk)
        already = locked.events.filter(kind="viewed", actor_contact=contact).exists()
        if not already:
            record_event(
                locked,
                "viewed",
                contact=contact,
                actor_type=ActorType.CONTACT if contact else ActorType.SYSTEM,
                via="portal" if contact else "pay link",
            )
