"""Emails that lower layers ask for by signal (they may not import the outbox)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from secportal.accounts.signals import account_email

from .services import queue_email


@receiver(account_email)
def queue_account_email(
    sender: Any,
    *,
    kind: str,
    to: str,
    template: str,
    context: dict[str, Any],
    workspace: Any = None,
    **_: Any,
) -> None:
    queue_email(kind=kind, to=to, template=template, context=context, workspace=workspace)
