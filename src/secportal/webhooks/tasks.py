"""Background work of webhooks: one task per delivery, and a sweep for the ones that are due."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from . import delivery
from .models import DeliveryStatus


@task
def deliver_webhook(delivery_id: int) -> str:
    """POST one delivery (once, however often it is queued); after a failure, queue the next try
    where the task backend can defer (else the sweep picks it up when it is due)."""
    done = delivery.deliver(delivery_id)
    if done is None:
        return "nothing to do"
    if done.status == DeliveryStatus.PENDING and done.next_attempt_at is not None:
        if deliver_webhook.get_backend().supports_defer:
            deliver_webhook.using(run_after=done.next_attempt_at).enqueue(delivery_id)
        return f"failed ({done.attempts}): tried again later"
    return done.status


@cron("* * * * *")
@task
def deliver_due_webhooks() -> int:
    """Safety net and retries: queue every pending delivery that is due and not held."""
    ids = delivery.due_ids()
    for delivery_id in ids:
        deliver_webhook.enqueue(delivery_id)
    return len(ids)
