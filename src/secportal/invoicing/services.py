"""Every change to invoices: one transaction, the invoice row locked, an event, idempotent.

Invoicing owns the invoice's status: the other apps (payments above all) never assign it, they
call the functions here inside their own transaction (DESIGN.md 11).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from secportal.clients.models import ClientContact
from secportal.core.changes import apply_changes
from secportal.core.money import format_money
from secportal.notifications.models import EmailStatus
from secportal.notifications.services import resend
from secportal.workspaces.models import Workspace

from . import balances, credits, emails, lines, overdue, reminders, signals
from . import recipients as recipient_choice
from .balances import apply_payment, delete_recorded_payment, record_payment
from .history import record_event
from .locks import InvoiceError, lock_invoice
from .models import ActorType, Invoice, InvoiceEventKind, InvoiceStatus

__all__ = [
    "InvoiceError",
    "SendResult",
    "apply_payment",
    "create_invoice",
    "delete_draft",
    "delete_recorded_payment",
    "end_processing",
    "flag_attention",
    "lock_invoice",
    "mark_overdue",
    "mark_paid",
    "mark_processing",
    "mark_refunded",
    "record_event",
    "record_issued_invoice",
    "record_payment",
    "record_viewed",
    "resend_invoice_email",
    "send_invoice",
    "send_overdue_reminders",
    "send_problems",
    "update_draft",
    "void_invoice",
]

EDITABLE_FIELDS = (
    "client",
    "engagement",
    "currency",
    "description",
    "due_date",
    "po_number",
    "supply_date",
    "gbp_rate",
)


def _line_inputs(workspace: Workspace, values: dict[str, Any]) -> list[lines.LineInput]:
    """The lines given, or the seed's quick form (Amount, Description) as one line."""
    given = values.get("lines")
    if given:
        return list(given)
    if values.get("amount") is None:
        raise ValidationError({"amount": "Enter an amount, or add a line."})
    return [lines.quick_line(values, workspace.vat_registered)]


def _check_client_and_engagement(workspace_id: int, values: dict[str, Any]) -> None:
    client, engagement = values.get("client"), values.get("engagement")
    if client is not None and client.workspace_id != workspace_id:
        raise ValidationError({"client": "Choose one of this workspace's clients."})
    if engagement is not None and (
        engagement.workspace_id != workspace_id or engagement.client_id != client.pk  # type: ignore[union-attr]
    ):
        raise ValidationError({"engagement": "This engagement belongs to another client."})


@transaction.atomic
def create_invoice(workspace: Workspace, user: Any, values: dict[str, Any]) -> Invoice:
    _check_client_and_engagement(workspace.pk, values)
    inputs = _line_inputs(workspace, values)
    gross = workspace.vat_registered and workspace.amounts_entered == "gross"
    totals = lines.check_lines(
        inputs, values["currency"], vat_registered=workspace.vat_registered, gross=gross
    )
    fields = {field: values.get(field) for field in EDITABLE_FIELDS}
    fields["po_number"] = fields["po_number"] or ""
    invoice = Invoice.objects.create(
        workspace=workspace,
        created_by=user,
        amount=totals.total,
        prices_include_vat=gross,
        **fields,
    )
    lines.write(invoice, inputs)
    invoice.save(update_fields=["net_amount", "vat_amount", "amount"])
    record_event(
        invoice,
        InvoiceEventKind.CREATED,
        user=user,
        amount=invoice.amount,
        currency=invoice.currency,
    )
    return invoice


@transaction.atomic
def update_draft(invoice_id: int, user: Any, values: dict[str, Any]) -> Invoice:
    invoice = lock_invoice(invoice_id)
    if not invoice.is_draft:
        raise InvoiceError("Only drafts can be edited. Void this invoice and issue a new one.")
    _check_client_and_engagement(invoice.workspace_id, values)
    values = {**values, "po_number": values.get("po_number") or invoice.po_number}
    before = lines.inputs_of(invoice)
    if "lines" in values or "amount" in values:
        quick = {"description": invoice.description, "vat_rate": before[0].vat_rate} | values
        inputs = _line_inputs(invoice.workspace, quick)
    else:
        inputs = before
    lines.check_lines(
        inputs,
        values.get("currency") or invoice.currency,
        vat_registered=invoice.workspace.vat_registered,
        gross=invoice.prices_include_vat,
    )
    changes = apply_changes(invoice, [f for f in EDITABLE_FIELDS if f in values], values)
    if inputs != before:
        amount = invoice.amount
        lines.write(invoice, inputs)
        changes["lines"] = {"from": len(before), "to": len(inputs)}
        if invoice.amount != amount:
            changes["amount"] = {"from": amount, "to": invoice.amount}
    if changes:
        invoice.save()
        record_event(invoice, InvoiceEventKind.EDITED, user=user, changes=changes)
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


def _send_problems(invoice: Invoice) -> list[signals.SendProblem]:
    problems: list[signals.SendProblem] = [
        problem
        for _receiver, answer in signals.send_check.send(sender=Invoice, invoice=invoice)
        for problem in cast("list[signals.SendProblem]", answer or [])
    ]
    if not invoice.client.billing_email:
        problems.append(
            signals.SendProblem(
                f"Add a billing email to {invoice.client.name} first.", fix="client"
            )
        )
    if invoice.client.po_required and not invoice.po_number:
        problems.append(
            signals.SendProblem(
                f"Add a PO number: {invoice.client.name} requires one on every invoice.",
                fix="edit",
            )
        )
    if invoice.workspace.vat_registered and not (
        invoice.workspace.legal_name and invoice.workspace.registered_address
    ):
        problems.append(
            signals.SendProblem(
                "A VAT invoice names your company and its address: add the Legal name and "
                "Registered address in Settings → Company details.",
                fixed_in_settings=True,
            )
        )
    if invoice.due_date and invoice.due_date < invoice.workspace.today():
        problems.append(
            signals.SendProblem(
                "The due date is in the past: edit the draft and change it, or clear it to use "
                "the payment terms.",
                fix="edit",
            )
        )
    return problems


def send_problems(invoice: Invoice) -> list[signals.SendProblem]:
    """What stops this draft from being sent (empty when it can be sent); each renders as its
    message and says where it is fixed (``fixed_in``)."""
    return _send_problems(invoice)


def _next_number(workspace: Workspace, today: datetime.date) -> str:
    """The next number of the workspace's series (its row locked): ``INV-0007``, or with the
    yearly reset ``INV-2026-0001`` (the counter restarts on the first invoice of a year)."""
    prefix = workspace.number_prefix
    if workspace.number_yearly_reset:
        if workspace.number_year != today.year:
            workspace.number_year, workspace.next_invoice_number = today.year, 1
        prefix = f"{prefix}{today.year}-"
    while True:
        number = f"{prefix}{workspace.next_invoice_number:04d}"
        workspace.next_invoice_number += 1
        # A number issued before the series' format changed (reset switched on and off) is
        # never issued twice.
        if not Invoice.unscoped.filter(workspace_id=workspace.pk, number=number).exists():
            return number


@transaction.atomic
def send_invoice(
    invoice_id: int, user: Any, recipients: recipient_choice.Recipients | None = None
) -> SendResult:
    """Number the draft (gapless), mark it Sent and queue its email; a repeat is a no-op.

    ``recipients`` ("Send to" and "CC" of the send page, checked) are kept on the invoice and
    remembered for the client; without them, the billing email and receiving contacts."""
    invoice = lock_invoice(invoice_id)
    if not invoice.is_draft:
        return SendResult(invoice, sent_now=False)
    problems = _send_problems(invoice)
    if problems:
        raise InvoiceError(
            " ".join(p.message for p in problems),
            settings_link=any(p.fixed_in_settings for p in problems),
        )
    workspace = Workspace.objects.select_for_update().get(pk=invoice.workspace_id)
    today = workspace.today()
    invoice.number = _next_number(workspace, today)
    workspace.save(update_fields=["next_invoice_number", "number_year"])
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
    if recipients is not None:
        recipient_choice.apply(invoice, recipients, user)
    sent_to = emails.queue_invoice_email(invoice)
    record_event(
        invoice,
        InvoiceEventKind.SENT,
        user=user,
        number=invoice.number,
        recipients=sent_to,
        due_date=invoice.due_date.isoformat(),
    )
    signals.invoice_sent.send(sender=Invoice, invoice_id=invoice.pk)
    return SendResult(invoice, sent_now=True)


@transaction.atomic
def record_issued_invoice(
    invoice_id: int, user: Any, *, sent_at: datetime.datetime, due_date: datetime.date
) -> Invoice:
    """A draft that was issued before the workspace used SecPortal (the demo's history, an
    import): numbered from the workspace's counter (gapless) and Sent as of its own dates, with
    no email and no payment check. A repeat is a no-op."""
    invoice = lock_invoice(invoice_id)
    if not invoice.is_draft:
        return invoice
    workspace = Workspace.objects.select_for_update().get(pk=invoice.workspace_id)
    issued_on = sent_at.astimezone(workspace.tz).date()
    invoice.number = _next_number(workspace, issued_on)
    workspace.save(update_fields=["next_invoice_number", "number_year"])
    invoice.issue_date, invoice.due_date, invoice.sent_at = issued_on, due_date, sent_at
    invoice.status = InvoiceStatus.SENT
    invoice.save(
        update_fields=["number", "issue_date", "due_date", "status", "sent_at", "updated_at"]
    )
    event = record_event(
        invoice, InvoiceEventKind.SENT, user=user, number=invoice.number, recorded=True
    )
    event.at = sent_at
    event.save(update_fields=["at"])
    return invoice


@transaction.atomic
def void_invoice(invoice_id: int, user: Any, reason: str = "") -> Invoice:
    invoice = lock_invoice(invoice_id)
    if invoice.status == InvoiceStatus.VOID:
        return invoice
    if not invoice.is_payable:
        raise InvoiceError(f"A {invoice.get_status_display().lower()} invoice cannot be voided.")
    if invoice.paid_amount:
        raise InvoiceError(
            f"{format_money(invoice.paid_amount, invoice.currency)} has been paid towards this "
            "invoice, so it cannot be voided: issue a credit note for the balance instead."
        )
    if invoice.workspace.vat_registered and invoice.credited_amount < invoice.amount:
        # A VAT invoice is never withdrawn: a full credit note cancels it (its number stays).
        credits.issue_credit_note(
            invoice.pk,
            user,
            reason=reason or "Invoice voided",
            request_key=f"void:{invoice.pk}",
            voiding=True,
        )
        invoice.refresh_from_db(fields=["credited_amount"])
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = timezone.now()
    invoice.save(update_fields=["status", "voided_at", "updated_at"])
    record_event(invoice, InvoiceEventKind.VOIDED, user=user, reason=reason)
    invoice_id = invoice.pk
    transaction.on_commit(
        lambda: signals.invoice_voided.send(sender=Invoice, invoice_id=invoice_id)
    )
    return invoice


@transaction.atomic
def resend_invoice_email(invoice_id: int, user: Any) -> list[str]:
    """Deliver the invoice email again to each recipient whose delivery failed or who asks."""
    invoice = lock_invoice(invoice_id)
    if not invoice.is_payable:
        raise InvoiceError("Only sent or overdue invoices can be emailed again.")
    resent = []
    for message in invoice.emails.filter(kind="invoice").order_by("pk"):
        if message.status != EmailStatus.QUEUED:
            resend(message.pk)
            resent.append(message.to)
    record_event(invoice, InvoiceEventKind.EMAIL_RESENT, user=user, recipients=resent)
    return resent


def record_viewed(invoice: Invoice, contact: ClientContact | None) -> None:
    """The client opened the invoice (once per contact, or once for the pay link).

    Most views are repeats: they are answered by one indexed read, with no transaction and no
    lock (a pay link page under load must not queue on the invoice row); only a first view takes
    the lock and checks again before writing."""
    viewed = invoice.events.filter(kind=InvoiceEventKind.VIEWED, actor_contact=contact)
    if viewed.exists():
        return
    with transaction.atomic():
        locked = lock_invoice(invoice.pk)
        if not viewed.exists():
            record_event(
                locked,
                InvoiceEventKind.VIEWED,
                contact=contact,
                actor_type=ActorType.CONTACT if contact else ActorType.SYSTEM,
                via="portal" if contact else "pay link",
            )


# What Stripe's word and the calendar do to an invoice ----------------------------------------
# Payments calls these inside its own transaction (with its own rows), so that the invoice and
# the payment change together or not at all.


def mark_paid(
    invoice_id: int,
    *,
    paid_at: datetime.datetime,
    actor_type: str = ActorType.STRIPE,
    **details: Any,
) -> Invoice:
    """Sent/Overdue/Processing → Paid: the whole balance paid at once; a repeat is a no-op."""
    with transaction.atomic():
        balance = lock_invoice(invoice_id).balance_due
        invoice, _ = apply_payment(
            invoice_id, amount=balance, paid_at=paid_at, actor_type=actor_type, **details
        )
    return invoice


@transaction.atomic
def mark_processing(
    invoice_id: int,
    *,
    method: str,
    expected_on: datetime.date,
    actor_type: str = ActorType.STRIPE,
    **details: Any,
) -> Invoice:
    """Sent/Overdue → Processing: the client paid by bank debit, which clears in a few days.

    While Processing the invoice is neither payable, overdue nor reminded; a repeat is a no-op.
    """
    invoice = lock_invoice(invoice_id)
    if invoice.status == InvoiceStatus.PROCESSING or not invoice.is_payable:
        return invoice
    invoice.status = InvoiceStatus.PROCESSING
    invoice.processing_method = method
    invoice.processing_expected_on = expected_on
    invoice.save(
        update_fields=["status", "processing_method", "processing_expected_on", "updated_at"]
    )
    record_event(
        invoice,
        InvoiceEventKind.PAYMENT_PROCESSING,
        actor_type=actor_type,
        method=method,
        expected_on=expected_on.isoformat(),
        **details,
    )
    return invoice


@transaction.atomic
def end_processing(
    invoice_id: int, *, reason: str, actor_type: str = ActorType.STRIPE, **details: Any
) -> Invoice:
    """Processing → Sent, Partially paid or Overdue (past its due date): the bank debit failed;
    the balance is payable again. Anything else is left as it is."""
    invoice = lock_invoice(invoice_id)
    if invoice.status != InvoiceStatus.PROCESSING:
        return invoice
    invoice.status = balances.due_status(invoice, invoice.workspace.today())
    if invoice.status == InvoiceStatus.OVERDUE and invoice.overdue_at is None:
        invoice.overdue_at = timezone.now()
    method = invoice.processing_method
    invoice.processing_method, invoice.processing_expected_on = "", None
    invoice.save(
        update_fields=[
            "status",
            "overdue_at",
            "processing_method",
            "processing_expected_on",
            "updated_at",
        ]
    )
    record_event(
        invoice,
        InvoiceEventKind.PAYMENT_FAILED,
        actor_type=actor_type,
        method=method,
        reason=reason,
        **details,
    )
    return invoice


@transaction.atomic
def mark_refunded(
    invoice_id: int, *, total_refunded: int, paid_amount: int, actor_type: str = ActorType.STRIPE
) -> Invoice:
    """Record Stripe's refunded total for the invoice's payment (order-independent, idempotent).

    The invoice becomes Refunded when the whole payment is refunded, and stays Paid (partly
    refunded) otherwise. A lower total than recorded means a refund failed after it seemed to
    succeed: the money is the client's no more, and a Refunded invoice is Paid again. The same
    total again changes nothing.
    """
    invoice = lock_invoice(invoice_id)
    before = invoice.refunded_amount
    if total_refunded == before:
        return invoice
    full = paid_amount > 0 and total_refunded >= paid_amount
    invoice.refunded_amount = total_refunded
    if full:
        kind = InvoiceEventKind.REFUNDED
        invoice.status = InvoiceStatus.REFUNDED
    elif total_refunded > before:
        kind = InvoiceEventKind.PARTIALLY_REFUNDED
    else:
        kind = InvoiceEventKind.REFUND_FAILED
        if invoice.status == InvoiceStatus.REFUNDED:
            invoice.status = InvoiceStatus.PAID
    invoice.save(update_fields=["refunded_amount", "status", "updated_at"])
    record_event(
        invoice,
        kind,
        actor_type=actor_type,
        amount=abs(total_refunded - before),
        total_refunded=total_refunded,
    )
    return invoice


@transaction.atomic
def flag_attention(
    invoice_id: int, message: str, *, actor_type: str = ActorType.STRIPE, **details: Any
) -> Invoice:
    """Something a person must look at (a payment that did not match, a second payment).

    The same message again (a webhook and the reconciliation both seeing it) records nothing.
    """
    invoice = lock_invoice(invoice_id)
    if invoice.attention == message:
        return invoice
    invoice.attention = message
    invoice.save(update_fields=["attention", "updated_at"])
    record_event(invoice, InvoiceEventKind.PAYMENT_FLAGGED, actor_type=actor_type, **details)
    return invoice


def mark_overdue(now: datetime.datetime | None = None) -> int:
    """Every workspace's sent invoices past their due date become Overdue (set-based)."""
    return overdue.sweep(now or timezone.now())


def send_overdue_reminders(limit: int = 5000, now: datetime.datetime | None = None) -> int:
    """The reminders each workspace's schedule asks for now (issue 17: ``reminders``)."""
    return reminders.send_due_reminders(now, limit)
