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

from django.db import transaction
from django.utils import timezone

from secportal.workspaces.models import Workspace

from . import signals
from .history import record_events
from .models import Invoice, InvoiceEventKind, InvoiceStatus, past_due


def workspaces_by_local_date(now: datetime.datetime) -> dict[datetime.date, list[int]]:
    timezones = Workspace.objects.values_list("timezone", flat=True).distinct()
    by_date: dict[datetime.date, list[str]] = defaultdict(list)
    for name in timezones:
        by_date[now.astimezone(zoneinfo.ZoneInfo(name)).date()].append(name)
    return {
        day: list(Workspace.objects.filter(timezone__in=names).values_list("pk", flat=True))
        for day, names in by_date.items()
    }


def sweep(now: datetime.datetime | None = None) -> int:
    """Move every sent invoice past its due date to Overdue; returns how many moved."""
    now = now or timezone.now()
    moved = 0
    for today, workspace_ids in workspaces_by_local_date(now).items():
        with transaction.atomic():
            # The UPDATE's WHERE is re-checked under each row's lock, so a concurrent run or a
            # payment that got there first leaves the row alone; `overdue_at = now` marks the
            # rows this run moved, for the events below.
            count = Invoice.unscoped.filter(past_due(today), workspace_id__in=workspace_ids).update(
                status=InvoiceStatus.OVERDUE, overdue_at=now, updated_at=now
            )
            if count:
                record_events(
                    Invoice.unscoped.filter(
                        status=InvoiceStatus.OVERDUE,
                        overdue_at=now,
                        workspace_id__in=workspace_ids,
                    ),
                    InvoiceEventKind.BECAME_OVERDUE,
                    at=now,
                    reason="past due date",
                )
                moved_ids = Invoice.unscoped.filter(
                    status=InvoiceStatus.OVERDUE, overdue_at=now, workspace_id__in=workspace_ids
                ).values_list("pk", flat=True)
                signals.invoice_overdue.send(sender=Invoice, invoice_ids=list(moved_ids))
            moved += count
    return moved
