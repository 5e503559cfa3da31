"""Rate limits per API key: ``API_RATE_LIMIT`` requests per ``API_RATE_WINDOW`` seconds.

Counted in the database (a fixed-window counter row per key and window, bumped by a single
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``), so the limit holds across every gunicorn
process and machine that shares the database. Over the limit: 429 with ``Retry-After``.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection

from .models import ApiKey, RateWindow

#: Windows older than this many windows are deleted now and then by the request that opens one.
KEEP_WINDOWS = 2


class RateLimited(Exception):
    """The key made too many requests in this window; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(f"Rate limit of {limit} requests per window reached.")
        self.retry_after = retry_after
        self.limit = limit


def hit(api_key: ApiKey, now: float | None = None) -> int:
    """Count one request of ``api_key`` in the current window (atomically); return the count."""
    window = int(settings.API_RATE_WINDOW)
    now = time.time() if now is None else now
    start = int(now) - int(now) % window
    table = connection.ops.quote_name(RateWindow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (workspace_id, api_key_id, window_start, count) "  # noqa: S608
            "VALUES (%s, %s, %s, 1) "
            "ON CONFLICT (api_key_id, window_start) DO UPDATE SET count = "
            f"{table}.count + 1 RETURNING count",
            [api_key.workspace_id, api_key.pk, start],
        )
        count = int(cursor.fetchone()[0])
    if count == 1:  # the window's first request tidies the key's old windows
        RateWindow.unscoped.filter(  # type: ignore[attr-defined]
            api_key_id=api_key.pk, window_start__lt=start - KEEP_WINDOWS * window
        ).delete()
    return count


def check(api_key: ApiKey, now: float | None = None) -> None:
    """Count the request; raise ``RateLimited`` once the key is over its limit."""
    now = time.time() if now is None else now
    limit = int(settings.API_RATE_LIMIT)
    if hit(api_key, now) > limit:
        window = int(settings.API_RATE_WINDOW)
        retry_after = max(1, window - int(now) % window)
        raise RateLimited(retry_after, limit)
