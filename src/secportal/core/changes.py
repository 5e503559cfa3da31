"""Applying edits to a record and describing them for its audit trail, the same way everywhere."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

Changes = dict[str, dict[str, Any]]


def as_text(value: Any) -> Any:
    """How a value is kept in an audit event's details: JSON-friendly and readable.

    ``None`` and booleans and integers stay as they are; dates are ISO 8601; a model instance is
    its string (a client's name, say); anything else is its string.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def apply_changes(
    instance: models.Model, fields: Iterable[str], values: Mapping[str, Any]
) -> Changes:
    """Set each of ``fields`` found in ``values`` that differs; return ``{field: {from, to}}``.

    Fields absent from ``values`` are left alone, so a partial form or a repeat with the same
    values changes nothing and returns ``{}`` (services then write and record nothing).
    """
    changes: Changes = {}
    for field in fields:
        if field not in values:
            continue
        old, new = getattr(instance, field), values[field]
        if old != new:
            changes[field] = {"from": as_text(old), "to": as_text(new)}
            setattr(instance, field, new)
    return changes
