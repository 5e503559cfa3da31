"""Keep bearer tokens out of every log line (access logs and application logs alike).

Pay links, portal sign-in links, password resets and invitations carry their token in the URL
path; whoever reads a log line holding one could pay, sign in or take over an account. The mask
is applied when a record is created (``install``), so every handler, gunicorn's access log and
pytest's captured logs see the masked text; ``MaskTokensFilter`` does the same for handlers
configured in ``LOGGING``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "[token]"

TOKEN_IN_PATH = re.compile(
    r"(?P<prefix>/portal/(?:sign-in|pay)/|/accounts/(?:reset|invite)/[^/\s?#\"']+/)"
    r"(?P<token>(?!sent/)[^/\s?#\"']{8,})"
)


def mask_tokens(text: str) -> str:
    return TOKEN_IN_PATH.sub(lambda m: m.group("prefix") + MASK, text)


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: leave it to logging's own error report
        return record
    masked = mask_tokens(message)
    if masked != message:
        record.msg, record.args = masked, ()
    return record


class MaskTokensFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


_installed = False


def install() -> None:
    """Mask every record of this process when it is made (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True
