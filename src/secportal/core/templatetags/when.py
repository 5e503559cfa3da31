"""``{{ value|when }}`` (date and time) and ``{{ value|day }}``: the workspace's locale."""

from __future__ import annotations

import datetime

from django import template

from secportal.core.locales import format_day, format_when

register = template.Library()


@register.filter(name="when")
def when_filter(value: datetime.datetime | None) -> str:
    return format_when(value) if value else ""


@register.filter(name="day")
def day_filter(value: datetime.date | datetime.datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_day(value)


@register.filter(name="longday")
def longday_filter(value: datetime.date | None) -> str:
    """A date written out (27 November 2026), the workspace's locale's way."""
    if not value:
        return ""
    from babel.dates import format_date

    from secportal.core.locales import current_locale

    return format_date(value, "long", locale=current_locale() or "en_GB")
