from crontask import cron
from django.tasks import task

from . import services


@cron("*/10 * * * *")
@task
def mark_overdue_invoices() -> int:
    """Every ten minutes: sent invoices past due become Overdue; then their reminders go out."""
    moved = services.mark_overdue()
    send_overdue_reminders.enqueue()
    return moved


@task
def send_overdue_reminders() -> int:
    return services.send_overdue_reminders()
