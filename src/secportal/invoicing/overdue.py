"""Overdue: set-based, safe to run twice or at the same time (DESIGN.md 4).

A sent invoice is overdue when its due date is before today *in its workspace's timezone*.
At any moment the world's timezones span at most three calendar dates, so the workspaces are
grouped by their local date and each group is moved with one UPDATE and one INSERT … SELECT
for the events, whatever the number of invoices.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from secportal.workspaces.models import Workspace

from . import emails
from .models import ActorType, Invoice, InvoiceEvent, InvoiceStatus

REMINDER_BATCH = 200


def workspaces_by_local_date(now: datetime.datetime) -> dict[datetime.date, list[int]]:
    timezones = Workspace.objects.values_list("timezone", flat=True).distinct()
    by_date: dict[datetime.date, list[str]] = defaultdict(list)
    for name in timezones:
        by_date[now.astimezone(zoneinfo.ZoneInfo(name)).date()].append(name)
    return {
        day: list(Workspace.objects.filter(timezone__in=names).values_list("pk", flat=True))
        for day, names in by_date.items()
    }


def mark_overdue(now: datetime.datetime | None = None) -> int:
    """Move every sent invoice past its due date to Overdue; returns how many moved."""
    now = now or timezone.now()
    moved = 0
    for today, workspace_ids in workspaces_by_local_date(now).items():
        with transaction.atomic():
            # The UPDATE's WHERE is re-checked under each row's lock, so a concurrent run or a
            # payment that got there first leaves the row alone; `overdue_at = now` marks the
            # rows this run moved, for the events below.
            count = Invoice.unscoped.filter(
                status=InvoiceStatus.SENT, due_date__lt=today, workspace_id__in=workspace_ids
            ).update(status=InvoiceStatus.OVERDUE, overdue_at=now, updated_at=now)
            if count:
                _insert_events(now, workspace_ids)
            moved += count
    return moved


def _insert_events(now: datetime.datetime, workspace_ids: list[int]) -> None:
    events = InvoiceEvent._meta.db_table
    invoices = Invoice._meta.db_table
    details = '{"reason": "past due date"}'
    placeholders = ", ".join(["%s"] * len(workspace_ids))
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {events} (workspace_id, invoice_id, kind, actor_type, at, details) "  # noqa: S608
            f"SELECT workspace_id, id, %s, %s, %s, %s FROM {invoices} "
            f"WHERE status = %s AND overdue_at = %s AND workspace_id IN ({placeholders})",
            [
                "became_overdue",
                ActorType.SYSTEM,
                stamp,
                details,
                InvoiceStatus.OVERDUE,
                stamp,
                *workspace_ids,
            ],
        )


def queue_overdue_reminders(limit: int = 5000) -> int:
    """Send the one reminder of each newly overdue invoice, where the workspace wants them."""
    sent = 0
    while sent < limit:
        with transaction.atomic():
            batch = list(
                Invoice.unscoped.select_for_update(skip_locked=True, of=("self",))
                .select_related("workspace", "client", "engagement")
                .filter(
                    status=InvoiceStatus.OVERDUE,
                    reminder_sent_at__isnull=True,
                    workspace__overdue_reminders=True,
                )
                .order_by("pk")[:REMINDER_BATCH]
            )
            if not batch:
                break
            now = timezone.now()
            for invoice in batch:
                recipients = emails.queue_overdue_reminder(invoice)
                InvoiceEvent.objects.create(
                    workspace_id=invoice.workspace_id,
                    invoice=invoice,
                    kind="reminder_sent",
                    actor_type=ActorType.SYSTEM,
                    at=now,
                    details={"recipients": recipients},
                )
            Invoice.unscoped.filter(pk__in=[i.pk for i in batch]).update(reminder_sent_at=now)
            sent += len(batch)
    return sent
