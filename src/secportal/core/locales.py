"""One formatting locale per workspace (issue 13, items 8 and 13): money, dates and times are
written the same way in the app, the portal, emails and PDFs of a workspace.

The locale is "current" for the duration of a request (``workspace_view``, the portal's views)
or of an email or PDF being made (``use_locale``); ``core.money.format_money`` and the ``when``
and ``day`` template filters read it. The app's words stay English: only formats change.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

LOCALE_CHOICES = [
    ("en_GB", "United Kingdom: £1,250.50 · 27 Nov 2026, 14:41"),
    ("en_IE", "Ireland: €1,250.50 · 27 Nov 2026, 14:41"),
    ("en_US", "United States: $1,250.50 · Nov 27, 2026, 2:41 PM"),
    ("de_DE", "Germany: 1.250,50 € · 27.11.2026, 14:41"),
    ("fr_FR", "France: 1 250,50 € · 27 nov. 2026, 14:41"),
    ("nl_NL", "Netherlands: € 1.250,50 · 27 nov 2026, 14:41"),
]
LOCALES = frozenset(code for code, _ in LOCALE_CHOICES)

# Where a workspace's time zone says which euro country it is in.
_EURO_BY_ZONE = {
    "Europe/Dublin": "en_IE",
    "Europe/Berlin": "de_DE",
    "Europe/Vienna": "de_DE",
    "Europe/Paris": "fr_FR",
    "Europe/Brussels": "fr_FR",
    "Europe/Luxembourg": "fr_FR",
    "Europe/Amsterdam": "nl_NL",
}

_current: ContextVar[str | None] = ContextVar("secportal_locale", default=None)


def default_locale(currency: str, timezone: str) -> str:
    """The locale a workspace gets unless it chooses one: from its time zone's country when
    that is known, else from its currency."""
    if timezone.startswith("America/") and currency == "USD":
        return "en_US"
    if timezone in ("Europe/London", "Europe/Belfast", "Europe/Guernsey", "Europe/Jersey"):
        return "en_GB"
    if currency == "EUR":
        return _EURO_BY_ZONE.get(timezone, "en_IE")
    return {"USD": "en_US"}.get(currency, "en_GB")


def current_locale() -> str | None:
    return _current.get()


@contextmanager
def use_locale(locale: str | None) -> Iterator[None]:
    token = _current.set(locale if locale in LOCALES else None)
    try:
        yield
    finally:
        _current.reset(token)


def format_day(value: datetime.date, locale: str | None = None) -> str:
    return _format_day(value, locale or current_locale() or "en_GB")


@functools.lru_cache(maxsize=8192)
def _format_day(value: datetime.date, locale: str) -> str:
    """Babel's medium date, remembered: a list page shows the same few dates many times."""
    from babel.dates import format_date

    return format_date(value, "medium", locale=locale)


def format_when(value: datetime.datetime, locale: str | None = None) -> str:
    """A date and time, in the current time zone, the locale's way (24-hour but in the US)."""
    from django.utils import timezone

    locale = locale or current_locale() or "en_GB"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    # The wall-clock time alone is the key: aware datetimes of one instant in two time zones
    # are equal (and hash alike), their texts are not.
    return _format_when(local.replace(tzinfo=None), locale)


@functools.lru_cache(maxsize=8192)
def _format_when(local: datetime.datetime, locale: str) -> str:
    """Babel's time of a wall-clock (naive) time, remembered like ``_format_day``: a page shows
    the same few moments (its history, its deliveries) on every view."""
    from babel.dates import format_time

    time = format_time(local, "h:mm a" if locale == "en_US" else "HH:mm", locale=locale)
    return f"{format_day(local.date(), locale)}, {time}"
