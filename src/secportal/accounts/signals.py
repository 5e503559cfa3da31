"""Log every sign-in, failed sign-in and sign-out (never a password); start the session clock."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

from secportal.core.security import SEEN_KEY, STARTED_KEY

logger = logging.getLogger("secportal.accounts.signin")

# An email about a person's account (invitation, password reset) is ready to go. The outbox is
# in the notifications app, a higher layer, which listens here and queues it. Arguments:
# kind, to, template, context, workspace (or None).
account_email = Signal()


def _ip(request: Any) -> str:
    return (request.META.get("REMOTE_ADDR") or "-") if request is not None else "-"


@receiver(user_logged_in)
def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    logger.info("Sign-in succeeded for %s from %s", user.email, _ip(request))
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED_KEY] = now
        request.session[SEEN_KEY] = now


@receiver(user_login_failed)
def sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any) -> None:
    # Django has already replaced the password with stars; only the email is logged.
    logger.warning("Sign-in failed for %s from %s", credentials.get("username", "?"), _ip(request))


@receiver(user_logged_out)
def signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        logger.info("Signed out: %s", user.email)
