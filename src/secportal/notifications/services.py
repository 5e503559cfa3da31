"""The outbox: queue an email in the caller's transaction; a task delivers it (``delivery``)."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string

from secportal.core.locales import use_locale

from .models import EmailAttachment, EmailMessage, EmailStatus
from .tasks import enqueue_send, enqueue_send_all

# (filename, content, content type); queue_email also takes a callable giving them, called only
# when the email is new.
Attachment = tuple[str, bytes, str]

logger = logging.getLogger(__name__)

#: The ids of the emails queued inside ``delivered_together`` (None outside one).
_together: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "emails_delivered_together", default=None
)


@contextmanager
def delivered_together(*, here: bool = False) -> Iterator[None]:
    """The emails queued inside the block are delivered together after the commit, one after
    another on one connection, rather than by a task each. Each is still its own outbox row,
    committed with the change, with its own claim, result and retries.

    ``here``: delivered by the caller itself right after the commit (a background task that
    has no transaction open then), rather than by one delivery task. A process killed between
    the commit and the delivery leaves them queued, and the outbox sweep delivers them.
    """
    if _together.get() is not None:  # inside another such block: delivered with its emails
        yield
        return
    ids: list[int] = []
    token = _together.set(ids)
    try:
        yield
    finally:
        _together.reset(token)
    if ids:
        transaction.on_commit(lambda: _deliver_here(ids) if here else enqueue_send_all(ids))


def _deliver_here(message_ids: list[int]) -> None:
    from .tasks import send_emails

    try:
        send_emails.call(message_ids)
    except Exception:  # the change is committed; what was not delivered, the sweep delivers
        logger.exception("emails %s: delivery after the commit failed", message_ids)


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template: nothing is HTML-escaped in plain text."""
    template = get_template(template_name).template  # type: ignore[attr-defined]
    return template.render(Context(context, autoescape=False))


@contextmanager
def _workspace_formats(workspace: Any) -> Iterator[None]:
    if workspace is None:
        yield
        return
    from django.utils import timezone

    with use_locale(workspace.locale), timezone.override(workspace.tz):
        yield


def queue_email(
    *,
    kind: str,
    to: str,
    template: str,
    context: dict[str, Any],
    workspace: Any = None,
    invoice: Any = None,
    reply_to: str = "",
    from_name: str = "",
    attachments: Sequence[Attachment] | Callable[[], Sequence[Attachment]] = (),
    dedupe_key: str | None = None,
    to_header: str = "",
    cc_header: str = "",
    is_cc: bool = False,
    attachment_builder: dict[str, Any] | None = None,
) -> EmailMessage:
    """Render ``{template}.txt`` (first line ``Subject: ...``) and ``.html``; queue the email.

    With a ``dedupe_key`` the same email is queued at most once, however often this is called.
    An email to several people is queued once per person (``to``), each copy showing everyone
    in its ``to_header`` and ``cc_header``.
    Attachments are stored with the email, so that every delivery attempt sends the same bytes;
    an ``attachment_builder`` ({"path", "args"}) draws them at the first delivery instead, outside
    the caller's transaction, and stores them then.
    """
    context = {"site_url": settings.SITE_URL, **context}
    # In the workspace's formats and time zone (issue 13, items 8 and 13).
    with _workspace_formats(workspace):
        text = render_text(f"{template}.txt", context).lstrip()
        body_html = render_to_string(f"{template}.html", context)
    first, _, body_text = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"{template}.txt must start with a 'Subject:' line")
    subject = first.removeprefix("Subject:").strip()
    message = EmailMessage(
        workspace=workspace,
        kind=kind,
        to=to,
        reply_to=reply_to,
        from_name=from_name,
        subject=subject,
        body_text=body_text.strip() + "\n",
        body_html=body_html,
        invoice=invoice,
        dedupe_key=dedupe_key,
        to_header=to_header,
        cc_header=cc_header,
        is_cc=is_cc,
        attachment_builder=attachment_builder,
    )
    # No savepoint: a repeat of the dedupe key is an INSERT that does nothing (ON CONFLICT DO
    # NOTHING), never an error that would end the caller's transaction.
    with transaction.atomic(savepoint=False):
        if dedupe_key:
            existing = _insert_once(message, dedupe_key)
            if existing is not None:
                return existing
        else:
            message.save(force_insert=True)
        files = list(attachments() if callable(attachments) else attachments)
        if files:
            EmailAttachment.objects.bulk_create(
                EmailAttachment(
                    message=message, filename=name, content=content, content_type=content_type
                )
                for name, content, content_type in files
            )
    message_id = message.pk
    together = _together.get()
    if together is not None:
        together.append(message_id)
    else:
        transaction.on_commit(lambda: enqueue_send(message_id))
    return message


def _insert_once(message: EmailMessage, dedupe_key: str) -> EmailMessage | None:
    """Insert ``message`` unless an email with its dedupe key exists: None when inserted (its
    ``pk`` set), else the email queued before."""
    EmailMessage.objects.bulk_create([message], ignore_conflicts=True)
    queued = EmailMessage.objects.filter(dedupe_key=dedupe_key).first()
    if queued is None:  # refused for another reason than the key (SQLite's OR IGNORE): say why
        message.save(force_insert=True)
        return None
    if queued.public_id != message.public_id:
        return queued
    message.pk = queued.pk
    message._state.adding = False
    return None


@transaction.atomic
def resend(message_id: int) -> EmailMessage:
    """Queue a failed (or sent) email again, as a fresh delivery of the same message."""
    message = EmailMessage.objects.select_for_update().get(pk=message_id)
    if message.status in (EmailStatus.QUEUED, EmailStatus.SENDING):
        return message  # on its way already
    message.status = EmailStatus.QUEUED
    message.attempts = 0
    message.last_error = ""
    message.provider_message_id = ""
    message.failed_at = None
    message.save(
        update_fields=["status", "attempts", "last_error", "provider_message_id", "failed_at"]
    )
    transaction.on_commit(lambda: enqueue_send(message_id))
    return message
