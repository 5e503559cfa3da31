"""Delivering one email of the outbox through the configured mailer, counting failures.

Three steps, so that no database lock or transaction is held while the mail server is talked to
(a hanging SMTP server must not stall other writes, on SQLite every write):

1. **claim** (a short transaction): the queued email becomes Sending, with ``claimed_at``;
2. **send** (no transaction): the message goes to the mail server;
3. **record** (a short transaction): Sent, Bounced (the server refused the recipient), Failed
   (attempts used up), or Queued again with the time of the next try.

A worker killed between 1 and 3 leaves the email Sending; once its claim is older than
``EMAIL_SEND_LEASE`` the outbox sweep claims it again. Delivery is therefore *at least once*:
a worker killed after the server accepted the email and before step 3 committed sends it twice.
Both copies carry the same Message-ID (kept from the first claim), so that mail clients and
providers can recognise the repeat.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.db import transaction
from django.utils import timezone

from secportal.core.validators import SINGLE_LINE

from . import mailer
from .models import EmailAttachment, EmailMessage, EmailStatus

logger = logging.getLogger(__name__)

INTERRUPTED = "The delivery was interrupted (the worker stopped while sending)."


def header_text(value: str) -> str:
    """``value`` safe for one header line: control characters (a lone carriage return, a line
    break, a tab, bidirectional overrides) become spaces, runs of spaces one."""
    return " ".join(SINGLE_LINE.sub(" ", value).split())


def sender(display_name: str) -> str:
    """The From header: the platform's address, under ``display_name`` when one is given."""
    display_name = header_text(display_name)
    if not display_name:
        return settings.DEFAULT_FROM_EMAIL
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((display_name, address))


@dataclass(frozen=True)
class Outcome:
    """What the mail server said: accepted (``error`` empty), refused the recipient
    (``bounced``), or something went wrong that a later try may not meet (``error``)."""

    error: str = ""
    bounced: bool = False


def _claim(message_id: int, now: datetime.datetime) -> EmailMessage | None:
    """Take the email for one delivery (a short transaction); None when it is not ours to send."""
    lease = timedelta(seconds=settings.EMAIL_SEND_LEASE)
    with transaction.atomic():
        message = EmailMessage.objects.select_for_update().get(pk=message_id)
        stale = (
            message.status == EmailStatus.SENDING
            and message.claimed_at is not None
            and message.claimed_at < now - lease
        )
        if message.status != EmailStatus.QUEUED and not stale:
            return None
        if stale and message.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            _end(message, EmailStatus.FAILED, INTERRUPTED, now)
            return None
        if stale:
            logger.warning("email %s: claim of %s went stale, sending again", message.pk, now)
        message.status = EmailStatus.SENDING
        message.claimed_at = now
        message.attempts += 1
        # One Message-ID for every attempt: a repeat after an interrupted send is recognisable.
        message.provider_message_id = message.provider_message_id or make_msgid(
            domain="secportal.test"
        )
        message.save(update_fields=["status", "claimed_at", "attempts", "provider_message_id"])
        return message


def _mime(message: EmailMessage) -> EmailMultiAlternatives:
    headers = {"Message-ID": message.provider_message_id, "X-SecPortal-Kind": message.kind}
    # The envelope goes to this one person; the headers show everyone the email went to.
    if message.to_header:
        headers["To"] = header_text(message.to_header)
    if message.cc_header:
        headers["Cc"] = header_text(message.cc_header)
    email = EmailMultiAlternatives(
        subject=header_text(message.subject),
        from_email=sender(message.from_name),
        body=message.body_text,
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments.all():
        email.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    return email


def _send(message: EmailMessage) -> Outcome:
    """Talk to the mail server (no transaction is open here), over the worker's open connection."""
    try:
        mailer.send(_mime(message))
    except smtplib.SMTPRecipientsRefused as exc:
        answers = [
            f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for code, reply in exc.recipients.values()
        ]
        permanent = all(code >= 500 for code, _ in exc.recipients.values())
        return Outcome(error="Refused by the mail server: " + "; ".join(answers), bounced=permanent)
    except Exception as exc:  # any transport failure is recorded and retried
        if type(exc).__name__ == "AnymailRecipientsRefused":  # a provider's API said no
            return Outcome(error=f"Refused by the mail provider: {exc}", bounced=True)
        return Outcome(error=f"{type(exc).__name__}: {exc}")
    return Outcome()


def _end(message: EmailMessage, status: str, error: str, now: datetime.datetime) -> None:
    message.status = status
    message.last_error = error[:2000]
    message.failed_at = now
    message.next_attempt_at = None
    message.save(update_fields=["status", "last_error", "failed_at", "next_attempt_at"])


def _record(
    message_id: int, claimed_at: datetime.datetime | None, outcome: Outcome
) -> EmailMessage:
    """Write what the mail server said (a short transaction)."""
    now = timezone.now()
    with transaction.atomic():
        message = EmailMessage.objects.select_for_update().get(pk=message_id)
        if not outcome.error:
            # Accepted: whoever holds the claim now, the email went.
            if message.status != EmailStatus.SENT:
                message.status = EmailStatus.SENT
                message.sent_at = now
                message.last_error = ""
                message.next_attempt_at = None
                message.save(update_fields=["status", "sent_at", "last_error", "next_attempt_at"])
            return message
        if message.status != EmailStatus.SENDING or message.claimed_at != claimed_at:
            # A later claim (ours went stale) owns the email now: its result stands.
            return message
        if outcome.bounced:
            logger.warning("email %s to %s bounced: %s", message.pk, message.to, outcome.error)
            _end(message, EmailStatus.BOUNCED, outcome.error, now)
        elif message.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            logger.warning(
                "email %s to %s failed for good: %s", message.pk, message.to, outcome.error
            )
            _end(message, EmailStatus.FAILED, outcome.error, now)
        else:
            delays = settings.EMAIL_RETRY_DELAYS
            delay = delays[min(message.attempts - 1, len(delays) - 1)]
            logger.info(
                "email %s to %s failed, retry in %ss: %s",
                message.pk,
                message.to,
                delay,
                outcome.error,
            )
            message.status = EmailStatus.QUEUED
            message.last_error = outcome.error[:2000]
            message.next_attempt_at = now + timedelta(seconds=delay)
            message.save(update_fields=["status", "last_error", "next_attempt_at"])
        return message


def _draw_attachments(message: EmailMessage) -> None:
    """Draw and store the attachments of an ``attachment_builder`` (no transaction open while
    drawing); a concurrent delivery that stored them first wins."""
    from django.utils.module_loading import import_string

    builder = message.attachment_builder or {}
    files = import_string(builder["path"])(*builder.get("args", []))
    with transaction.atomic():
        locked = EmailMessage.objects.select_for_update().get(pk=message.pk)
        if locked.attachment_builder:
            EmailAttachment.objects.bulk_create(
                EmailAttachment(message=locked, filename=n, content=c, content_type=t)
                for n, c, t in files
            )
            locked.attachment_builder = None
            locked.save(update_fields=["attachment_builder"])
    message.attachment_builder = None


def deliver(message_id: int) -> EmailMessage:
    """Send one queued email once; on failure count the attempt and set when to try again.

    The caller (the ``send_email`` task) queues the next try at ``next_attempt_at`` while the
    message is still queued. Call it outside any transaction: the mail server is talked to
    between two short ones.
    """
    message = _claim(message_id, timezone.now())
    if message is None:
        return EmailMessage.objects.get(pk=message_id)
    if message.attachment_builder:
        try:
            _draw_attachments(message)
        except Exception as exc:  # recorded like a transport failure, and retried
            logger.exception("email %s: attachments could not be drawn", message.pk)
            return _record(message_id, message.claimed_at, Outcome(error=f"Attachment: {exc}"))
    return _record(message_id, message.claimed_at, _send(message))
