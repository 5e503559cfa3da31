"""How django-axes names the account of a sign-in attempt: the email, as the person typed it,
trimmed and lower-cased (so that `Owner@X` and `owner@x` share one count)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    return str(value).strip().lower() or None if value is not None else None
