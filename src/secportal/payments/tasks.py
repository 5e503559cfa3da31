from crontask import cron
from django.tasks import task

from . import gateway, services
from .models import StripeEvent


@task
def process_stripe_event(event_pk: int) -> str:
    """Apply one stored webhook event (once, however often it is queued)."""
    try:
        return services.process_event(event_pk)
    except gateway.GatewayError as exc:
        StripeEvent.objects.filter(pk=event_pk).update(error=exc.message)
        raise


@task
def refund_duplicate_payment(payment_id: int) -> str:
    return services.refund_duplicate(payment_id)


@task
def expire_invoice_checkouts(invoice_id: int) -> int:
    return services.expire_open_checkouts(invoice_id)


@cron("*/5 * * * *")
@task
def reconcile_checkouts() -> dict[str, int]:
    """Every five minutes: re-read open Checkout Sessions, so a lost webhook costs nothing,
    and queue again any stored event whose processing failed."""
    outcomes = services.reconcile_open_sessions()
    outcomes["events requeued"] = services.requeue_unprocessed_events()
    return outcomes
