"""The daily digest of undelivered emails, to each workspace's owners (issue 17, 6).

Its periodic task lives here (not in ``tasks``, which ``services`` imports) and is registered by
``apps.ready``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from crontask import cron
from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from secportal.workspaces.models import Role, Workspace
from secportal.workspaces.selectors import members_of

from .models import UNDELIVERED, EmailMessage
from .services import queue_email

KIND = "delivery_digest"
WINDOW = datetime.timedelta(days=1)


def undelivered_since(since: datetime.datetime, until: datetime.datetime) -> list[EmailMessage]:
    """Emails (other than digests) whose delivery ended failed or bounced in the window."""
    return list(
        EmailMessage.objects.filter(
            status__in=UNDELIVERED,
            failed_at__gte=since,
            failed_at__lt=until,
            workspace__isnull=False,
        )
        .exclude(kind=KIND)
        .select_related("invoice")
        .order_by("workspace_id", "failed_at", "pk")
    )


def queue_digests(now: datetime.datetime) -> int:
    """One digest per owner of each workspace with undelivered emails in the last day; a second
    run on the same day queues nothing more. Returns how many digests were queued."""
    by_workspace: dict[int, list[EmailMessage]] = defaultdict(list)
    for message in undelivered_since(now - WINDOW, now):
        assert message.workspace_id is not None
        by_workspace[message.workspace_id].append(message)
    queued = 0
    for workspace in Workspace.objects.filter(pk__in=by_workspace).order_by("pk"):
        messages = by_workspace[workspace.pk]
        context = {
            "workspace": workspace,
            "messages": messages,
            "count": len(messages),
            "invoices_url": settings.SITE_URL + reverse("invoicing:list"),
        }
        for membership in members_of(workspace.pk).filter(role=Role.OWNER):
            to = membership.user.email
            queue_email(
                kind=KIND,
                to=to,
                template="emails/delivery_digest",
                context=context,
                workspace=workspace,
                dedupe_key=f"{KIND}:{workspace.pk}:{now:%Y-%m-%d}:{to.lower()}",
            )
            queued += 1
    return queued


@cron("0 7 * * *")
@task
def send_delivery_digests() -> int:
    """Every morning: each workspace's owners hear of the emails that could not be delivered in
    the last day (failed or bounced), once a day."""
    return queue_digests(timezone.now())
