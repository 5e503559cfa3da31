"""Background work of payments: each task calls one function of the modules by concern."""

from __future__ import annotations

from typing import Any

from crontask import cron
from django.db import transaction
from django.tasks import task

from . import checkout, events, gateway, reconciliation, refunds
from .models import StripeEvent


@task
def process_stripe_event(event_pk: int) -> str:
    """Apply one stored webhook event (once, however often it is queued)."""
    try:
        return events.process_event(event_pk)
    except gateway.GatewayError as exc:
        StripeEvent.objects.filter(pk=event_pk).update(error=exc.message)
        raise


def accept_event(payload: dict[str, Any]) -> StripeEvent:
    """Store a verified event and queue its processing, in one transaction, then answer.

    The task row commits with the event, so an accepted event is never lost; a repeat
    delivery of an event not yet processed queues it again, which costs one no-op.
    """
    with transaction.atomic():
        event, _created = events.store_event(payload)
        if event.processed_at is None:
            process_stripe_event.enqueue(event.pk)
    return event


@task
def refund_duplicate_payment(payment_id: int) -> str:
    return refunds.refund_duplicate(payment_id)


@task
def expire_invoice_checkouts(invoice_id: int) -> int:
    return checkout.expire_open_checkouts(invoice_id)


def requeue_unprocessed_events() -> int:
    """Queue again the stored events whose processing failed (e.g. Stripe was unreachable)."""
    ids = reconciliation.unprocessed_event_ids()
    for pk in ids:
        process_stripe_event.enqueue(pk)
    return len(ids)


@cron("*/5 * * * *")
@task
def reconcile_checkouts() -> dict[str, int]:
    """Every five minutes: re-read open Checkout Sessions, so a lost webhook costs nothing,
    and queue again any stored event whose processing failed."""
    outcomes = reconciliation.reconcile_open_sessions()
    outcomes["events requeued"] = requeue_unprocessed_events()
    return outcomes
