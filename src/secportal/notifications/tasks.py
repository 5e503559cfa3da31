from datetime import datetime, timedelta

from crontask import cron
from django.conf import settings
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from . import delivery
from .models import EmailMessage, EmailStatus


@task(queue_name="email")
def send_email(message_id: int) -> str:
    """Deliver one email; after a failure that leaves it queued, queue the next try."""
    message = delivery.deliver(message_id)
    if message.status == EmailStatus.QUEUED and message.next_attempt_at is not None:
        enqueue_send(message_id, message.next_attempt_at)
    return message.status


@task(queue_name="email")
def send_emails(message_ids: list[int]) -> dict[str, int]:
    """Deliver emails queued together (one change told several people), one after another on
    the worker's open connection; each keeps its own claim, result and next try."""
    statuses: dict[str, int] = {}
    for message in delivery.deliver_all(message_ids).values():
        if message.status == EmailStatus.QUEUED and message.next_attempt_at is not None:
            enqueue_send(message.pk, message.next_attempt_at)
        statuses[message.status] = statuses.get(message.status, 0) + 1
    return statuses


def enqueue_send_all(message_ids: list[int]) -> None:
    """Enqueue the delivery of emails queued together: one task for all of them."""
    if len(message_ids) == 1:
        send_email.enqueue(message_ids[0])
    elif message_ids:
        send_emails.enqueue(list(message_ids))


def enqueue_send(message_id: int, run_after: datetime | None = None) -> None:
    """Enqueue a delivery, deferred where the task backend can defer."""
    if run_after is not None and send_email.get_backend().supports_defer:
        send_email.using(run_after=run_after).enqueue(message_id)
    else:
        send_email.enqueue(message_id)


@cron("* * * * *")
@task
def sweep_outbox() -> int:
    """Safety net: deliver queued emails whose delivery task never ran (a crash at enqueue),
    and emails whose delivery was claimed by a worker that died mid-send (a stale claim)."""
    now = timezone.now()
    lease = timedelta(seconds=settings.EMAIL_SEND_LEASE)
    late = now - timedelta(minutes=2)
    stale = EmailMessage.objects.filter(
        Q(status=EmailStatus.QUEUED, next_attempt_at__lt=late)
        | Q(status=EmailStatus.QUEUED, attempts=0, created_at__lt=late)
        | Q(status=EmailStatus.SENDING, claimed_at__lt=now - lease)
    )
    ids = list(stale.order_by("pk").values_list("pk", flat=True)[:500])
    for message_id in ids:
        send_email.enqueue(message_id)
    return len(ids)
