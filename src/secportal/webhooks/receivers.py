"""What invoicing and payments tell us, turned into events (the outbox).

``invoice_sent``, ``invoice_overdue``, ``payment_refunded`` and ``invoice_disputed`` are sent
inside the transaction of the change, so the event commits with it (or not at all); the older
signals (paid, partially paid, voided, credit note issued) are sent once their change has
committed, and the event is written right then.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from secportal.invoicing import signals as invoicing_signals
from secportal.payments import signals as payments_signals

from . import payloads, services
from .models import EventType


def _invoice_event(event_type: str, invoice_id: int) -> None:
    workspace_id, data = payloads.invoice_data(invoice_id)
    services.emit(workspace_id, event_type, data)


@receiver(invoicing_signals.invoice_sent)
def _sent(sender: Any, invoice_id: int, **kwargs: Any) -> None:
    _invoice_event(EventType.INVOICE_SENT, invoice_id)


@receiver(invoicing_signals.invoice_paid)
def _paid(sender: Any, invoice_id: int, **kwargs: Any) -> None:
    _invoice_event(EventType.INVOICE_PAID, invoice_id)


@receiver(invoicing_signals.invoice_partially_paid)
def _partially_paid(sender: Any, invoice_id: int, **kwargs: Any) -> None:
    _invoice_event(EventType.INVOICE_PARTIALLY_PAID, invoice_id)


@receiver(invoicing_signals.invoice_voided)
def _voided(sender: Any, invoice_id: int, **kwargs: Any) -> None:
    _invoice_event(EventType.INVOICE_VOIDED, invoice_id)


@receiver(invoicing_signals.invoice_overdue)
def _overdue(sender: Any, invoice_ids: list[int], **kwargs: Any) -> None:
    # The sweep moves every workspace's invoices at once: payloads only for the workspaces
    # that have an endpoint (most have none), read in the same query as the invoices.
    listening = services.enabled_endpoint_workspaces()
    services.emit_many(
        EventType.INVOICE_OVERDUE, payloads.invoices_data(invoice_ids, workspaces=listening)
    )


@receiver(invoicing_signals.credit_note_issued)
def _credit_note(sender: Any, credit_note_id: int, **kwargs: Any) -> None:
    workspace_id, data = payloads.credit_note_data(credit_note_id)
    services.emit(workspace_id, EventType.CREDIT_NOTE_ISSUED, data)


@receiver(payments_signals.payment_refunded)
def _refunded(sender: Any, payment_id: int, amount: int, **kwargs: Any) -> None:
    workspace_id, data = payloads.refund_data(payment_id, amount)
    services.emit(workspace_id, EventType.PAYMENT_REFUNDED, data)


@receiver(payments_signals.invoice_disputed)
def _disputed(sender: Any, dispute_id: int, **kwargs: Any) -> None:
    workspace_id, data = payloads.dispute_data(dispute_id)
    services.emit(workspace_id, EventType.INVOICE_DISPUTED, data)
