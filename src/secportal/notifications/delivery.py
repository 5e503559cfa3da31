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
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from secportal.core.validators import SINGLE_LINE

from . import mailer
from .models import EmailAttachment, EmailMessage, EmailStatus

logger = logging.getLogger(__name__)

#: (filename, content, content type)
Attachment = tuple[str, bytes, str]

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


def _claim_all(
    message_ids: list[int], now: datetime.datetime
) -> tuple[list[EmailMessage], dict[int, EmailMessage]]:
    """Take the emails for one delivery (one short transaction): (claimed, every row as it is
    now). An email not queued (sent, or claimed by a live delivery) is not ours to send."""
    lease = timedelta(seconds=settings.EMAIL_SEND_LEASE)
    claimed: list[EmailMessage] = []
    if connection.vendor == "postgresql":  # the usual case in one statement (and one commit)
        claimed = _claim_queued(message_ids, now)
    taken = {message.pk for message in claimed}
    rows: list[EmailMessage] = list(claimed)
    rest = [pk for pk in message_ids if pk not in taken]
    if not rest:
        prefetch_related_objects(claimed, "attachments")
        return claimed, {message.pk: message for message in rows}
    changed: list[EmailMessage] = []
    with transaction.atomic():
        rows += EmailMessage.objects.select_for_update().filter(pk__in=rest).order_by("pk")
        for message in rows:
            stale = (
                message.status == EmailStatus.SENDING
                and message.claimed_at is not None
                and message.claimed_at < now - lease
            )
            if message.pk in taken or (message.status != EmailStatus.QUEUED and not stale):
                continue
            if stale and message.attempts >= settings.EMAIL_MAX_ATTEMPTS:
                _end(message, EmailStatus.FAILED, INTERRUPTED, now)
                message.save(update_fields=_ENDED)
                continue
            if stale:
                logger.warning("email %s: claim of %s went stale, sending again", message.pk, now)
            message.status = EmailStatus.SENDING
            message.claimed_at = now
            message.attempts += 1
            # One Message-ID for every attempt: a repeat after an interrupted send is
            # recognisable.
            message.provider_message_id = message.provider_message_id or make_msgid(
                domain="secportal.test"
            )
            claimed.append(message)
            changed.append(message)
        if changed:
            EmailMessage.objects.bulk_update(
                changed, ["status", "claimed_at", "attempts", "provider_message_id"]
            )
    # The stored attachments of every claimed email, in one query.
    prefetch_related_objects(claimed, "attachments")
    return claimed, {message.pk: message for message in rows}


_CLAIM_SQL = (
    "WITH locked AS (SELECT id FROM {table} WHERE id = ANY(%s) AND status = %s ORDER BY id "
    "FOR UPDATE) UPDATE {table} AS m SET status = %s, claimed_at = %s, attempts = m.attempts + 1, "
    "provider_message_id = CASE WHEN m.provider_message_id = '' THEN '<' || "
    "replace(gen_random_uuid()::text, '-', '') || '@secportal.test>' "
    "ELSE m.provider_message_id END FROM locked WHERE m.id = locked.id RETURNING m.*"
)


def _claim_queued(message_ids: list[int], now: datetime.datetime) -> list[EmailMessage]:
    """PostgreSQL: claim the queued emails among ``message_ids`` in one UPDATE … RETURNING
    (the row locks of the statement make it exclusive, as SELECT … FOR UPDATE did); each
    keeps the Message-ID it has, or gets a new one."""
    if not message_ids:
        return []
    # Locked in id order (as the SELECT … FOR UPDATE did), so two claims cannot deadlock.
    sql = _CLAIM_SQL.format(table=EmailMessage._meta.db_table)
    params = [list(message_ids), EmailStatus.QUEUED, EmailStatus.SENDING, now]
    return sorted(EmailMessage.objects.raw(sql, params), key=lambda message: message.pk)


def _mime(message: EmailMessage, drawn: list[Attachment] | None = None) -> EmailMultiAlternatives:
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
    for filename, content, content_type in drawn or ():
        email.attach(filename, content, content_type)
    return email


def _send(message: EmailMessage, drawn: list[Attachment] | None = None) -> Outcome:
    """Talk to the mail server (no transaction is open here), over the worker's open connection."""
    try:
        mailer.send(_mime(message, drawn))
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


_ENDED = ["status", "last_error", "failed_at", "next_attempt_at"]


def _end(message: EmailMessage, status: str, error: str, now: datetime.datetime) -> None:
    message.status = status
    message.last_error = error[:2000]
    message.failed_at = now
    message.next_attempt_at = None


def _result(
    message: EmailMessage, claimed_at: datetime.datetime | None, outcome: Outcome
) -> list[str]:
    """Apply what the mail server said to the locked ``message``: the fields changed."""
    now = timezone.now()
    if not outcome.error:
        # Accepted: whoever holds the claim now, the email went.
        if message.status == EmailStatus.SENT:
            return []
        message.status = EmailStatus.SENT
        message.sent_at = now
        message.last_error = ""
        message.next_attempt_at = None
        return ["status", "sent_at", "last_error", "next_attempt_at"]
    if message.status != EmailStatus.SENDING or message.claimed_at != claimed_at:
        # A later claim (ours went stale) owns the email now: its result stands.
        return []
    if outcome.bounced:
        logger.warning("email %s to %s bounced: %s", message.pk, message.to, outcome.error)
        _end(message, EmailStatus.BOUNCED, outcome.error, now)
        return _ENDED
    if message.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        logger.warning("email %s to %s failed for good: %s", message.pk, message.to, outcome.error)
        _end(message, EmailStatus.FAILED, outcome.error, now)
        return _ENDED
    delays = settings.EMAIL_RETRY_DELAYS
    delay = delays[min(message.attempts - 1, len(delays) - 1)]
    logger.info(
        "email %s to %s failed, retry in %ss: %s", message.pk, message.to, delay, outcome.error
    )
    message.status = EmailStatus.QUEUED
    message.last_error = outcome.error[:2000]
    message.next_attempt_at = now + timedelta(seconds=delay)
    return ["status", "last_error", "next_attempt_at"]


@dataclass
class _Sent:
    message: EmailMessage  # as claimed
    outcome: Outcome
    drawn: list[Attachment] | None = None  # attachments drawn for this delivery


def _record_all(sent: list[_Sent]) -> dict[int, EmailMessage]:
    """Write what the mail server said about each email, and the attachments drawn for them
    (so that every later try sends the same bytes; a concurrent delivery that stored them first
    wins), in one short transaction."""
    ids = [item.message.pk for item in sent]
    with transaction.atomic():
        locked = {
            m.pk: m
            for m in EmailMessage.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        files: list[EmailAttachment] = []
        changed: list[EmailMessage] = []
        fields: set[str] = set()
        for item in sent:
            message = locked.get(item.message.pk)
            if message is None:  # deleted meanwhile (its workspace went): nothing to record
                continue
            these = _result(message, item.message.claimed_at, item.outcome)
            if item.drawn is not None and message.attachment_builder:
                files += [
                    EmailAttachment(message=message, filename=n, content=c, content_type=t)
                    for n, c, t in item.drawn
                ]
                message.attachment_builder = None
                these = [*these, "attachment_builder"]
            if these:
                changed.append(message)
                fields.update(these)
        if files:
            EmailAttachment.objects.bulk_create(files)
        if changed:
            EmailMessage.objects.bulk_update(changed, sorted(fields))
    return locked


def _draw(message: EmailMessage) -> list[Attachment]:
    """The attachments of an ``attachment_builder``, drawn with no transaction open."""
    from django.utils.module_loading import import_string

    builder = message.attachment_builder or {}
    return list(import_string(builder["path"])(*builder.get("args", [])))


#: At most this many emails are claimed at once, so that a slow mail server cannot keep the
#: last of them past their lease (EMAIL_SEND_LEASE) before they are sent.
CLAIM_BATCH = 10


def deliver_all(message_ids: list[int]) -> dict[int, EmailMessage]:
    """Send queued emails once each, one after another on the worker's open connection; on
    failure count the attempt and set when to try again. Every email as it is afterwards, by
    id (an id with no row is left out).

    Per batch: one short transaction claims them, the mail server is talked to with none open,
    one short transaction records the results. The caller (the ``send_email``/``send_emails``
    tasks) queues the next try at ``next_attempt_at`` of an email still queued.
    """
    result: dict[int, EmailMessage] = {}
    for start in range(0, len(message_ids), CLAIM_BATCH):
        chunk = message_ids[start : start + CLAIM_BATCH]
        claimed, rows = _claim_all(chunk, timezone.now())
        result.update(rows)
        sent: list[_Sent] = []
        for message in claimed:
            drawn = None
            if message.attachment_builder:
                try:
                    drawn = _draw(message)
                except Exception as exc:  # recorded like a transport failure, and retried
                    logger.exception("email %s: attachments could not be drawn", message.pk)
                    sent.append(_Sent(message, Outcome(error=f"Attachment: {exc}")))
                    continue
            sent.append(_Sent(message, _send(message, drawn), drawn))
        if sent:
            result.update(_record_all(sent))
    return result


def deliver(message_id: int) -> EmailMessage:
    """Send one queued email once (``deliver_all``); the email as it is afterwards.

    Call it outside any transaction: the mail server is talked to between two short ones.
    """
    try:
        return deliver_all([message_id])[message_id]
    except KeyError:
        raise EmailMessage.DoesNotExist(f"No email {message_id}") from None
