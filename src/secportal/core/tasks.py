"""Housekeeping of the task queue itself."""

from __future__ import annotations

import datetime
import logging

from crontask import cron
from django.conf import settings
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)

INTERRUPTED = "secportal.core.tasks.WorkerStopped"


def release_stale_tasks(now: datetime.datetime | None = None) -> int:
    """Mark failed the tasks still Running long after they started (TASK_RUNNING_LIMIT): their
    worker was killed mid-task, and the database backend would show them Running for ever.

    The work itself is not lost: each kind of work is picked up again by its own sweep (the
    outbox's ``sweep_outbox`` for emails, the Stripe event sweep for events).
    """
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    limit = now - datetime.timedelta(seconds=settings.TASK_RUNNING_LIMIT)
    count = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=limit
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=INTERRUPTED,
        traceback="The worker stopped while running this task (no result after "
        f"{settings.TASK_RUNNING_LIMIT} seconds).",
    )
    if count:
        logger.warning("%s task(s) left running by a stopped worker marked failed", count)
    return count


@cron("*/5 * * * *")
@task
def release_stale_tasks_task() -> int:
    """Every five minutes: tasks left Running by a killed worker are marked failed."""
    return release_stale_tasks()


def prune_task_results(now: datetime.datetime | None = None) -> int:
    """Delete the task queue's finished results: successful ones older than
    ``TASK_RESULTS_KEEP_DAYS``, failed ones older than ``TASK_FAILURES_KEEP_DAYS`` (kept longer:
    they explain what went wrong). Every email, Stripe event and webhook delivery leaves a row;
    kept for ever they would grow the database with the platform's traffic (what
    django-tasks-db's ``prune_db_task_results`` command does, for every queue, by the
    scheduler).
    Queued and running tasks are never touched."""
    from django.db.models import Q
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    kept = now - datetime.timedelta(days=settings.TASK_RESULTS_KEEP_DAYS)
    failures_kept = now - datetime.timedelta(days=settings.TASK_FAILURES_KEEP_DAYS)
    deleted, _ = (
        DBTaskResult.objects.finished()
        .filter(
            Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lte=kept)
            | Q(status=TaskResultStatus.FAILED, finished_at__lte=failures_kept)
        )
        .delete()
    )
    if deleted:
        logger.info("%s finished task result(s) pruned", deleted)
    return deleted


@cron("40 3 * * *")
@task
def prune_task_results_task() -> int:
    """Every night: the task queue's old finished results are deleted."""
    return prune_task_results()
