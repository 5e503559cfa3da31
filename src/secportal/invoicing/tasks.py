from crontask import cron
from django.tasks import task

from . import overdue


@cron("*/10 * * * *")
@task
def mark_overdue_invoices() -> int:
    """Every ten minutes: sent invoices past due become Overdue; then their reminders go out."""
    moved = overdue.mark_overdue()
    send_overdue_reminders.enqueue()
    return moved


@task
def send_overdue_reminders() -> int:
    return overdue.queue_overdue_reminders()
