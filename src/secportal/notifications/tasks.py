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
