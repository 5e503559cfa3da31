"""Background work of payments: each task calls one function of the modules by concern."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from crontask import cron
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from . import checkout, events, gateway, reconciliation, refunds
from .models import StripeEvent

logger = logging.getLogger(__name__)


@task
def process_stripe_event(event_pk: int) -> str:
    """Apply one stored webhook event (once, however often it is queued).

    Any failure (Stripe unreachable, an event that does not have the shape we expect) is
    recorded on the event and counted; the reconciliation task tries it again after a backoff,
    and after the last try it waits on the dead-letter list (Django admin) for an operator.
    """
    try:
        return events.process_event(event_pk)
    except Exception as exc:  # recorded, retried, then dead-lettered: never silent
        logger.exception("stripe event %s failed", event_pk)
        event = events.record_failure(event_pk, f"{type(exc).__name__}: {exc}")
        return f"failed ({event.attempts} of {events.max_attempts()} tries)"


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
    """Refund a double payment; after a failure try again later, then alert the owners."""
    try:
        return refunds.refund_duplicate(payment_id)
    except gateway.GatewayError as exc:
        payment = refunds.record_auto_refund_failure(payment_id, exc.message)
    if payment.auto_refund_failed_at is not None:
        return "gave up: owners alerted"
    run_after = timezone.now() + datetime.timedelta(seconds=refunds.auto_refund_delay(payment))
    task = refund_duplicate_payment
    if task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(payment_id)
    return f"failed ({payment.auto_refund_attempts}): tried again later"


@task
def expire_invoice_checkouts(invoice_id: int) -> int:
    return checkout.expire_open_checkouts(invoice_id)


@task
def expire_abandoned_checkout(attempt_id: int) -> bool:
    return checkout.expire_abandoned(attempt_id)


def requeue_unprocessed_events(
    older_than: datetime.timedelta = reconciliation.RECONCILE_AFTER,
) -> int:
    """Queue again the stored events whose processing failed (e.g. Stripe was unreachable)."""
    ids = reconciliation.unprocessed_event_ids(older_than)
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
