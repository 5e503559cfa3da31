"""The outbox: queue an email in the caller's transaction; a task delivers it and retries."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from .models import EmailMessage, EmailStatus

logger = logging.getLogger(__name__)


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template: nothing is HTML-escaped in plain text."""
    template = get_template(template_name).template  # type: ignore[attr-defined]
    return template.render(Context(context, autoescape=False))


def queue_email(
    *,
    kind: str,
    to: str,
    template: str,
    context: dict[str, Any],
    workspace: Any = None,
    subject_ref: str = "",
    reply_to: str = "",
    dedupe_key: str | None = None,
) -> EmailMessage:
    """Render ``{template}.txt`` (first line ``Subject: ...``) and ``.html``; queue the email.

    With a ``dedupe_key`` the same email is queued at most once, however often this is called.
    """
    from .tasks import enqueue_send

    if dedupe_key:
        existing = EmailMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    context = {"site_url": settings.SITE_URL, **context}
    text = render_text(f"{template}.txt", context).lstrip()
    first, _, body_text = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"{template}.txt must start with a 'Subject:' line")
    subject = first.removeprefix("Subject:").strip()
    body_html = render_to_string(f"{template}.html", context)
    try:
        with transaction.atomic():
            message = EmailMessage.objects.create(
                workspace=workspace,
                kind=kind,
                to=to,
                reply_to=reply_to,
                subject=subject,
                body_text=body_text.strip() + "\n",
                body_html=body_html,
                subject_ref=subject_ref,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return EmailMessage.objects.get(dedupe_key=dedupe_key)
    message_id = message.pk
    transaction.on_commit(lambda: enqueue_send(message_id))
    return message


def deliver(message_id: int) -> EmailMessage:
    """Send one queued email once; on failure count the attempt and schedule the next."""
    from .tasks import enqueue_send

    with transaction.atomic():
        message = EmailMessage.objects.select_for_update().get(pk=message_id)
        if message.status != EmailStatus.QUEUED:
            return message
        message.attempts += 1
        msgid = message.provider_message_id or make_msgid(domain="secportal.test")
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            to=[message.to],
            reply_to=[message.reply_to] if message.reply_to else None,
            headers={"Message-ID": msgid, "X-SecPortal-Kind": message.kind},
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        try:
            email.send(fail_silently=False)
        except Exception as exc:  # any transport failure is recorded and retried
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            delays = settings.EMAIL_RETRY_DELAYS
            if message.attempts >= settings.EMAIL_MAX_ATTEMPTS:
                message.status = EmailStatus.FAILED
                message.next_attempt_at = None
                logger.warning("email %s to %s failed for good: %s", message.pk, message.to, exc)
            else:
                delay = delays[min(message.attempts - 1, len(delays) - 1)]
                message.next_attempt_at = timezone.now() + timedelta(seconds=delay)
                logger.info(
                    "email %s to %s failed, retry in %ss: %s", message.pk, message.to, delay, exc
                )
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            if message.status == EmailStatus.QUEUED:
                run_after = message.next_attempt_at
                transaction.on_commit(lambda: enqueue_send(message_id, run_after))
            return message
        message.status = EmailStatus.SENT
        message.sent_at = timezone.now()
        message.provider_message_id = msgid
        message.last_error = ""
        message.next_attempt_at = None
        message.save(
            update_fields=[
                "attempts",
                "status",
                "sent_at",
                "provider_message_id",
                "last_error",
                "next_attempt_at",
            ]
        )
        return message


@transaction.atomic
def resend(message_id: int) -> EmailMessage:
    """Queue a failed (or sent) email again, as a fresh delivery of the same message."""
    from .tasks import enqueue_send

    message = EmailMessage.objects.select_for_update().get(pk=message_id)
    if message.status == EmailStatus.QUEUED:
        return message
    message.status = EmailStatus.QUEUED
    message.attempts = 0
    message.last_error = ""
    message.provider_message_id = ""
    message.save(update_fields=["status", "attempts", "last_error", "provider_message_id"])
    transaction.on_commit(lambda: enqueue_send(message_id))
    return message
