"""How invoicing answers what the apps below it ask (connected in ``apps.ready``)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from secportal.workspaces.models import Mode
from secportal.workspaces.signals import mode_change_check

from .models import Invoice, shown_status_of

#: Invoices still waiting for money: Internal mode would close their pay links and portal.
OPEN_STATUSES = ("sent", "overdue", "processing", "partially_paid")
NAMED = 10


@receiver(mode_change_check)
def open_invoices_block_internal_mode(workspace: Any, mode: str, **kwargs: Any) -> list[str]:
    if mode != Mode.INTERNAL:
        return []
    rows = list(
        Invoice.unscoped.filter(workspace=workspace, status__in=OPEN_STATUSES)
        .order_by("number")
        .values_list("number", "status", "due_date")[: NAMED + 1]
    )
    if not rows:
        return []
    total = Invoice.unscoped.filter(workspace=workspace, status__in=OPEN_STATUSES).count()
    today = workspace.today()
    names = [
        f"{number} ({shown_status_of(status, due, today).replace('_', ' ')})"
        for number, status, due in rows[:NAMED]
    ]
    more = f" and {total - NAMED} more" if total > NAMED else ""
    return [
        f"Internal mode closes online payment and hides invoices from clients, so it cannot be "
        f"turned on while invoices are open: {', '.join(names)}{more}. Wait until they are paid, "
        f"or void them (or record their payment), then switch to Internal."
    ]
