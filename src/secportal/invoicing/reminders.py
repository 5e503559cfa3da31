"""Payment reminders on each workspace's schedule, by hand, and paused (issue 17, 1).

A workspace's schedule is a set of points counted in days from the due date (7 before, on the
day, 3 after, …; ``workspaces.selectors.reminder_schedule``). The scheduler, run often, sends for
each invoice still owed (stored Sent or Overdue: ``PAYABLE``; not Processing, not paused) the
reminder of the **latest** point reached in the workspace's own calendar (``Workspace.today``):

* at most once per point per invoice, whatever the number of runs, concurrent or late (one
  ``InvoiceReminder`` row per invoice and point, under a unique constraint);
* a run that was missed is caught up once, with the latest point only (never a burst of the
  points in between), and only within ``CATCH_UP_DAYS`` of that point;
* a point that fell before the invoice's issue date is not sent (an invoice sent five days
  before its due date does not get the "7 days before due" reminder), nor a point on or before
  the due date that falls on the issue date itself (the invoice email has just said it).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from secportal.core.locales import use_locale
from secportal.core.money import format_money
from secportal.workspaces.models import Workspace
from secportal.workspaces.reminders import describe_offset, fill_wording
from secportal.workspaces.selectors import reminder_schedule, reminder_wording

from . import emails, interest
from .history import record_event
from .models import (
    PAYABLE,
    ActorType,
    Invoice,
    InvoiceEventKind,
    InvoiceReminder,
    InvoiceStatus,
)
from .overdue import timezones_by_local_date

logger = logging.getLogger(__name__)

#: How many days late a missed reminder is still sent (then it is skipped for good).
CATCH_UP_DAYS = 7
#: A second "Send reminder" within this many seconds is the same click: nothing more is sent.
MANUAL_REPEAT_SECONDS = 60


class ReminderError(Exception):
    """A reminder that cannot be sent now; the message is for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _long_date(value: datetime.date) -> str:
    from babel.dates import format_date

    from secportal.core.locales import current_locale

    return format_date(value, "long", locale=current_locale() or "en_GB")


def status_words(due: datetime.date, today: datetime.date) -> str:
    """'is due on 3 March 2026', 'is due today', or 'was due on … and is now 3 days overdue'."""
    late = (today - due).days
    if late < 0:
        return f"is due on {_long_date(due)}"
    if late == 0:
        return "is due today"
    return f"was due on {_long_date(due)} and is now {late} day{'s' if late != 1 else ''} overdue"


def subject_words(due: datetime.date, today: datetime.date) -> str:
    late = (today - due).days
    if late < 0:
        return f"is due on {_long_date(due)}"
    return "is due today" if late == 0 else "is overdue"


def reminder_context(invoice: Invoice, today: datetime.date) -> dict[str, Any]:
    """The reminder email's words: the workspace's wording with its placeholders filled in."""
    workspace = invoice.workspace
    assert invoice.due_date is not None
    amount_due = format_money(invoice.balance_due, invoice.currency)
    with use_locale(workspace.locale):
        values = {
            "client": invoice.client.billing_name,
            "invoice_number": invoice.label,
            "amount_due": amount_due,
            "due_date": _long_date(invoice.due_date),
            "status": status_words(invoice.due_date, today),
            "company": workspace.company_name,
        }
        subject_status = subject_words(invoice.due_date, today)
    figures = interest.for_invoice(invoice, today)
    return {
        **emails.invoice_context(invoice),
        "interest": {"text": figures.text(invoice.currency)} if figures else None,
        "amount_due": amount_due,
        "wording": fill_wording(reminder_wording(workspace), values),
        "subject_status": subject_status,
    }


def _send(
    invoice: Invoice, today: datetime.date, *, offset: int | None, user: Any = None
) -> InvoiceReminder | None:
    """Record the reminder (unique per invoice and point) and queue its emails, inside the
    caller's transaction with the invoice locked; None when this point was sent already."""
    try:
        with transaction.atomic():
            reminder = InvoiceReminder.objects.create(
                workspace_id=invoice.workspace_id,
                invoice=invoice,
                offset_days=offset,
                sent_at=timezone.now(),
                sent_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:
        return None
    key = f"reminder:{invoice.pk}:{offset}" if offset is not None else f"reminder:{reminder.pk}"
    recipients = emails.queue_to_client(
        invoice,
        kind="reminder",
        template="emails/invoice_reminder",
        context=reminder_context(invoice, today),
        key=key,
        attachment_builder={"path": emails.INVOICE_PDF_BUILDER, "args": [invoice.pk]},
    )
    reminder.recipients = recipients
    reminder.save(update_fields=["recipients"])
    Invoice.unscoped.filter(pk=invoice.pk).update(reminder_sent_at=reminder.sent_at)
    record_event(
        invoice,
        InvoiceEventKind.REMINDER_SENT,
        user=user,
        actor_type=None if user else ActorType.SYSTEM,
        recipients=recipients,
        reason=describe_offset(offset) if offset is not None else "sent by hand",
    )
    return reminder


def point_due(
    offsets: list[int], due: datetime.date, issued: datetime.date | None, today: datetime.date
) -> int | None:
    """The schedule's latest point reached on ``today`` that may still be sent, or None."""
    reached = [
        offset
        for offset in offsets
        if (on := due + datetime.timedelta(days=offset)) <= today
        and (issued is None or on > issued or (on == issued and offset > 0))
        and (today - on).days <= CATCH_UP_DAYS
    ]
    return max(reached) if reached else None


def _candidates(workspace: Workspace, offsets: list[int], today: datetime.date) -> list[int]:
    """Invoices of the workspace that some point of the schedule may concern today."""
    earliest = today - datetime.timedelta(days=max(offsets) + CATCH_UP_DAYS)
    latest = today - datetime.timedelta(days=min(offsets))
    return list(
        Invoice.unscoped.filter(
            workspace=workspace,
            status__in=PAYABLE,
            reminders_paused=False,
            due_date__gte=earliest,
            due_date__lte=latest,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def send_due_reminders(now: datetime.datetime | None = None, limit: int = 5000) -> int:
    """Send every reminder the schedules ask for at ``now``; returns how many invoices were
    reminded. Safe to run twice, at the same time, or late (see the module's docstring)."""
    now = now or timezone.now()
    sent = 0
    for today, timezones in timezones_by_local_date(now).items():
        workspaces = Workspace.objects.filter(
            timezone__in=timezones, overdue_reminders=True, mode="consulting"
        ).order_by("pk")
        for workspace in workspaces:
            offsets = [offset for offset, enabled in reminder_schedule(workspace) if enabled]
            if not offsets:
                continue
            for invoice_id in _candidates(workspace, offsets, today):
                if sent >= limit:
                    return sent
                sent += _remind_on_schedule(invoice_id, offsets, today)
    return sent


def _remind_on_schedule(invoice_id: int, offsets: list[int], today: datetime.date) -> int:
    with transaction.atomic():
        invoice = (
            Invoice.unscoped.select_for_update(of=("self",), skip_locked=True)
            .select_related("workspace", "client", "engagement")
            .filter(pk=invoice_id)
            .first()
        )
        if invoice is None or invoice.status not in PAYABLE or invoice.reminders_paused:
            return 0  # locked by a concurrent run, paid or paused meanwhile
        assert invoice.due_date is not None
        offset = point_due(offsets, invoice.due_date, invoice.issue_date, today)
        if offset is None:
            return 0
        if invoice.reminders.filter(offset_days__gte=offset).exists():
            return 0  # this point (or a later one of an older schedule) went already
        return 1 if _send(invoice, today, offset=offset) else 0


def send_reminder_now(invoice_id: int, user: Any) -> InvoiceReminder | None:
    """ "Send reminder" on the invoice's page: one reminder now, whatever the schedule says.

    A second click within a minute sends nothing more (returns None)."""
    with transaction.atomic():
        invoice = _lock(invoice_id)
        if invoice.status not in PAYABLE:
            raise ReminderError(_not_owed(invoice))
        if invoice.due_date is None:
            raise ReminderError("This invoice has no due date yet.")
        recent = timezone.now() - datetime.timedelta(seconds=MANUAL_REPEAT_SECONDS)
        if invoice.reminders.filter(offset_days__isnull=True, sent_at__gte=recent).exists():
            return None
        return _send(invoice, invoice.workspace.today(), offset=None, user=user)


def _lock(invoice_id: int) -> Invoice:
    """The invoice, its row locked (as ``services.lock_invoice``, which imports this module)."""
    return (
        Invoice.unscoped.select_for_update(of=("self",))
        .select_related("workspace", "client", "engagement")
        .get(pk=invoice_id)
    )


def _not_owed(invoice: Invoice) -> str:
    if invoice.status == InvoiceStatus.PROCESSING:
        return "The client's bank payment is on its way: no reminder while it clears."
    return f"A {invoice.get_status_display().lower()} invoice is not reminded."


def set_paused(invoice_id: int, user: Any, *, paused: bool) -> Invoice:
    """ "Pause reminders" / "Resume reminders"; the same again changes nothing."""
    with transaction.atomic():
        invoice = _lock(invoice_id)
        if invoice.reminders_paused == paused:
            return invoice
        invoice.reminders_paused = paused
        invoice.save(update_fields=["reminders_paused", "updated_at"])
        record_event(
            invoice,
            InvoiceEventKind.REMINDERS_PAUSED if paused else InvoiceEventKind.REMINDERS_RESUMED,
            user=user,
        )
        return invoice
