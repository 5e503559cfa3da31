"""The dashboard's periods: calendar dates in the workspace's timezone, both ends included."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

RANGE_CHOICES = [
    ("this_month", "This month"),
    ("last_30_days", "Last 30 days"),
    ("this_quarter", "This quarter"),
    ("this_year", "This year"),
    ("last_12_months", "Last 12 months"),
    ("custom", "Custom dates"),
]
RANGE_LABELS = dict(RANGE_CHOICES)
DEFAULT_RANGE = "this_month"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after ``day``'s month (negative goes back)."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def local_midnight(day: datetime.date, tz: datetime.tzinfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


@dataclass(frozen=True)
class Period:
    """Calendar dates in the workspace's timezone, both ends included."""

    key: str
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        if self.key == "custom":
            return f"{self.start.day} {self.start:%b %Y} to {self.end.day} {self.end:%b %Y}"
        return RANGE_LABELS[self.key]

    def bounds(self, tz: datetime.tzinfo) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware datetimes: local midnight of the first day and of the day after."""
        return (
            local_midnight(self.start, tz),
            local_midnight(self.end + datetime.timedelta(days=1), tz),
        )

    def as_json(self) -> dict[str, str]:
        return {
            "key": self.key,
            "label": self.label,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
        }


def preset_period(key: str, today: datetime.date) -> Period:
    if key == "this_month":
        return Period(key, month_start(today), today)
    if key == "last_30_days":
        return Period(key, today - datetime.timedelta(days=29), today)
    if key == "this_quarter":
        return Period(key, datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today)
    if key == "this_year":
        return Period(key, datetime.date(today.year, 1, 1), today)
    if key == "last_12_months":
        return Period(key, add_months(today, -11), today)
    raise ValueError(f"Unknown range {key!r}")


def last_12_months(today: datetime.date) -> list[datetime.date]:
    """The first days of the current month and the 11 before it, oldest first."""
    return [add_months(today, -n) for n in range(11, -1, -1)]
