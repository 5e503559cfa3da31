"""Delivering one email of the outbox through the configured mailer, counting failures."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.db import transaction
from django.utils import timezone

from .models import EmailMessage, EmailStatus

logger = logging.getLogger(__name__)


def sender(display_name: str) -> str:
    """The From header: the platform's address, under ``display_name`` when one is given."""
    if not display_name:
        return settings.DEFAULT_FROM_EMAIL
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((display_name, address))


def deliver(message_id: int) -> EmailMessage:
    """Send one queued email once; on failure count the attempt and set when to try again.

    The caller (the ``send_email`` task) queues the next try at ``next_attempt_at`` while the
    message is still queued.
    """
    with transaction.atomic():
        message = EmailMessage.objects.select_for_update().get(pk=message_id)
        if message.status != EmailStatus.QUEUED:
            return message
        message.attempts += 1
        msgid = message.provider_message_id or make_msgid(domain="secportal.test")
        email = EmailMultiAlternatives(
            subject=message.subject,
            from_email=sender(message.from_name),
            body=message.body_text,
            to=[message.to],
            reply_to=[message.reply_to] if message.reply_to else None,
            headers={"Message-ID": msgid, "X-SecPortal-Kind": message.kind},
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        for attachment in message.attachments.all():
            email.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
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
