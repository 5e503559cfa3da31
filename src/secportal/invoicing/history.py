"""The invoice's history: every event is written here, one at a time or for a set of invoices."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone

from secportal.clients.models import ClientContact

from .models import ActorType, Invoice, InvoiceEvent, InvoiceEventKind


def actor_type_of(user: Any, contact: ClientContact | None) -> str:
    if user is not None:
        return ActorType.USER
    return ActorType.CONTACT if contact is not None else ActorType.SYSTEM


def record_event(
    invoice: Invoice,
    kind: InvoiceEventKind,
    *,
    user: Any = None,
    contact: ClientContact | None = None,
    actor_type: str | None = None,
    **details: Any,
) -> InvoiceEvent:
    """Append one event to an invoice's history (inside the caller's transaction)."""
    return InvoiceEvent.objects.create(
        workspace_id=invoice.workspace_id,
        invoice=invoice,
        kind=InvoiceEventKind(kind),
        actor_type=actor_type or actor_type_of(user, contact),
        actor_user=user if getattr(user, "pk", None) else None,
        actor_contact=contact,
        at=timezone.now(),
        details=details,
    )


def record_events(
    invoices: QuerySet[Invoice],
    kind: InvoiceEventKind,
    *,
    at: datetime.datetime,
    actor_type: str = ActorType.SYSTEM,
    **details: Any,
) -> int:
    """Append the same event to every invoice of ``invoices`` in one ``INSERT … SELECT``.

    For set-based changes (the overdue sweep) that must not cost a query per invoice.
    """
    chosen = invoices.order_by().values(chosen_workspace=F("workspace_id"), chosen_invoice=F("pk"))
    select, params = chosen.query.sql_with_params()
    events = InvoiceEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {events} (workspace_id, invoice_id, kind, actor_type, at, details) "  # noqa: S608
            f"SELECT chosen_workspace, chosen_invoice, %s, %s, %s, %s FROM ({select}) chosen",
            [
                InvoiceEventKind(kind).value,
                actor_type,
                connection.ops.adapt_datetimefield_value(at),
                json.dumps(details),
                *params,
            ],
        )
        return cursor.rowcount
