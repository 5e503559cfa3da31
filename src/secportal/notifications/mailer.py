"""One mail-server connection per worker thread, kept open between emails and reset on error.

Opening an SMTP connection (TCP, greeting, EHLO, maybe STARTTLS and AUTH) costs more than
sending a short email over one that is open, so the delivery keeps the configured mailer's
connection open between emails. A connection idle for more than ``IDLE_CHECK`` seconds is
checked with a ``NOOP`` before use; one the server turns out to have closed (it answers the next
command by hanging up) is replaced once and the message sent on the new one; after any other
error the connection is dropped, so that the next email starts on a fresh one. A change of
``MAILERS`` (tests override it) drops it too.

Mailers other than Django's SMTP backend (a provider's HTTP API through django-anymail, the
in-memory one) are kept open the same way through their ``open()``/``close()``.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import threading
import time
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage as MimeMessage
from django.core.mail import mailers

logger = logging.getLogger(__name__)

_local = threading.local()

#: Seconds a kept connection may sit idle before it is checked (NOOP) before use.
IDLE_CHECK = 5.0


def _config_key() -> str:
    return repr(getattr(settings, "MAILERS", {}).get("default"))


def _drop(backend: Any) -> None:
    """Close without talking to the server (it may be the reason for the error)."""
    if not hasattr(backend, "_partial_connection"):  # not the SMTP backend
        try:
            backend.close()
        except Exception:  # a connection that failed may fail to close: it is dropped anyway
            logger.debug("mailer close failed", exc_info=True)
        return
    for name in ("connection", "_partial_connection"):
        smtp = getattr(backend, name, None)
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()
            setattr(backend, name, None)


def reset() -> None:
    """Forget this thread's connection (after an error, or when the settings change)."""
    backend = getattr(_local, "backend", None)
    _local.backend = None
    _local.key = None
    if backend is not None:
        _drop(backend)


def _alive(backend: Any) -> bool:
    smtp = getattr(backend, "connection", None)
    if not isinstance(smtp, smtplib.SMTP):
        return True
    try:
        return smtp.noop()[0] == 250
    except (smtplib.SMTPException, OSError):
        return False


def _backend() -> Any:
    key = _config_key()
    backend = getattr(_local, "backend", None)
    idle = time.monotonic() - getattr(_local, "used", 0.0)
    # A connection idle for a while may have been closed by the server: asked first (NOOP).
    if backend is not None and (
        getattr(_local, "key", None) != key or (idle > IDLE_CHECK and not _alive(backend))
    ):
        reset()
        backend = None
    if backend is None:
        backend = mailers.default
        _local.backend, _local.key = backend, key
    return backend


def _is_open(backend: Any) -> bool:
    return getattr(backend, "connection", None) is not None


def send(message: MimeMessage) -> None:
    """Send one message over this thread's open connection (opened on first use); any error
    drops the connection and is raised to the caller, which records it.

    A kept connection that turns out closed by the server (it says so, or the socket is reset)
    before the message was accepted is replaced once, and the message sent on the new one."""
    backend = _backend()
    reused = _is_open(backend)
    try:
        try:
            backend.open()
            backend.send_messages([message])
        except (smtplib.SMTPServerDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            reset()
            backend = _backend()
            backend.open()
            backend.send_messages([message])
    except BaseException:
        reset()
        raise
    _local.used = time.monotonic()
