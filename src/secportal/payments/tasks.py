from crontask import cron
from django.tasks import task

from . import services


@task
def refund_duplicate_payment(payment_id: int) -> str:
    return services.refund_duplicate(payment_id)


@task
def expire_invoice_checkouts(invoice_id: int) -> int:
    return services.expire_open_checkouts(invoice_id)


@cron("*/5 * * * *")
@task
def reconcile_checkouts() -> dict[str, int]:
    """Every five minutes: re-read open Checkout Sessions, so a lost webhook costs nothing."""
    return services.reconcile_open_sessions()
