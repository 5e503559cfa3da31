"""The overdue sweep: set-based, safe to run twice or at the same time.

Called through ``invoicing.services`` (``mark_overdue``; the reminders are ``reminders``). A sent
invoice is overdue when its due date is before today *in its workspace's timezone* (the rule is
``models.past_due``). At any moment the world's timezones span at most three calendar dates, so
the workspaces are grouped by their local date and each group is moved with one UPDATE and one
INSERT … SELECT for the events, whatever the number of invoices (DESIGN.md 4).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from secportal.workspaces.models import Workspace

from . import signals
from .history import record_events
from .models import DUE, Invoice, InvoiceEventKind, InvoiceStatus


def timezones_by_local_date(now: datetime.datetime) -> dict[datetime.date, list[str]]:
    by_date: dict[datetime.date, list[str]] = defaultdict(list)
    for name in Workspace.objects.values_list("timezone", flat=True).distinct().order_by():
        by_date[now.astimezone(zoneinfo.ZoneInfo(name)).date()].append(name)
    return by_date


#: Events are written for this many moved invoices at a time (an IN list of their ids).
EVENT_CHUNK = 5000


def _move(now: datetime.datetime, today: datetime.date, timezones: list[str]) -> list[int]:
    """One UPDATE of ``past_due(today)`` for the workspaces in ``timezones``; returns the ids
    it moved (RETURNING: finding them again by ``overdue_at`` read every overdue invoice of
    the platform, ~0.4 s a group at 5M invoices, bench/platform.py). The workspaces are a
    subquery, not a list of thousands of ids."""
    ops = connection.ops
    due = ", ".join(["%s"] * len(DUE))
    zones = ", ".join(["%s"] * len(timezones))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Invoice._meta.db_table} SET status = %s, overdue_at = %s, updated_at = %s "  # noqa: S608
            f"WHERE status IN ({due}) AND due_date < %s AND workspace_id IN "
            f"(SELECT id FROM {Workspace._meta.db_table} WHERE timezone IN ({zones})) "
            "RETURNING id",
            [
                InvoiceStatus.OVERDUE.value,
                ops.adapt_datetimefield_value(now),
                ops.adapt_datetimefield_value(now),
                *(status.value for status in DUE),
                ops.adapt_datefield_value(today),
                *timezones,
            ],
        )
        return sorted(pk for (pk,) in cursor.fetchall())


def sweep(now: datetime.datetime | None = None) -> int:
    """Move every sent invoice past its due date to Overdue; returns how many moved."""
    now = now or timezone.now()
    moved = 0
    for today, timezones in timezones_by_local_date(now).items():
        with transaction.atomic():
            # The UPDATE's WHERE is re-checked under each row's lock, so a concurrent run or a
            # payment that got there first leaves the row alone (``past_due``: the same rule).
            moved_ids = _move(now, today, timezones)
            for start in range(0, len(moved_ids), EVENT_CHUNK):
                record_events(
                    Invoice.unscoped.filter(pk__in=moved_ids[start : start + EVENT_CHUNK]),
                    InvoiceEventKind.BECAME_OVERDUE,
                    at=now,
                    reason="past due date",
                )
            if moved_ids:
                signals.invoice_overdue.send(sender=Invoice, invoice_ids=moved_ids)
            moved += len(moved_ids)
    return moved
