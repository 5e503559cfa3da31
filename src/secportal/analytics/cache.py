"""The dashboard's figures, cached per workspace until something they count changes.

Computing the figures reads every invoice and payment of the period (hundreds of milliseconds
at 200,000 invoices); they change far less often than the dashboard is opened. Each
workspace has a random token (``FiguresStamp``) that ``receivers`` replace whenever an
invoice, payment, refund, dispute, client or engagement is saved or deleted; the figures
are cached under the token, the day, the period and the workspace's timezone and currency,
so a stale entry is never read again (it expires). Reading the token is one primary-key
query; the cache is Django's (each server process keeps its own copy, and the shared token
tells them all when to recompute).
``selectors.dashboard`` itself stays uncached (``bench/dashboard.py`` times it).
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.cache import cache

from secportal.workspaces.models import Workspace

from . import selectors
from .models import FiguresStamp
from .periods import Period

#: A safety net only: a change that slips past the receivers shows within this many seconds.
TIMEOUT = 600


def _token(workspace: Workspace) -> int:
    """The workspace's current token; a first one is drawn if it has none yet (data loaded
    without signals, or a workspace whose figures were never read). Read once per request
    (kept on the workspace instance, which lives as long as the request)."""
    known: int | None = getattr(workspace, "_figures_token", None)
    if known is not None:
        return known
    token = (
        FiguresStamp.objects.filter(workspace_id=workspace.pk)
        .values_list("token", flat=True)
        .first()
    )
    if token is None:
        token = FiguresStamp.objects.get_or_create(
            workspace_id=workspace.pk, defaults={"token": secrets.randbits(62)}
        )[0].token
    workspace._figures_token = token  # type: ignore[attr-defined]
    return token


def _key(workspace: Workspace, token: int, *parts: Any) -> str:
    tail = ":".join(str(p) for p in parts)
    return (
        f"figures:{workspace.pk}:{token}:{workspace.timezone}:{workspace.default_currency}:{tail}"
    )


def dashboard(workspace: Workspace, period: Period, today: datetime.date) -> selectors.Dashboard:
    """``selectors.dashboard``, from the cache while nothing it counts has changed."""
    key = _key(workspace, _token(workspace), "dashboard", today, period.start, period.end)
    cached = cache.get(key)
    if cached is None:
        figures = selectors.dashboard(workspace, period, today)
        cache.set(key, (figures.currencies, figures.status_counts), TIMEOUT)
        return figures
    currencies, status_counts = cached
    return selectors.Dashboard(workspace, today, period, currencies, status_counts)


def html_key(workspace: Workspace, figures: selectors.Dashboard) -> str:
    """The key of the dashboard's figures rendered as HTML (``{% cache %}`` in the template):
    the figures' key and the language they are written in."""
    from django.utils.translation import get_language

    period = figures.period
    return _key(
        workspace,
        getattr(workspace, "_figures_token", None) or _token(workspace),
        "html",
        figures.today,
        period.key,
        period.start,
        period.end,
        get_language(),
    )


def counts(workspace: Workspace) -> dict[str, int]:
    """``selectors.counts`` (clients and engagements), cached the same way."""
    key = _key(workspace, _token(workspace), "counts")
    cached = cache.get(key)
    if cached is None:
        cached = selectors.counts(workspace)
        cache.set(key, cached, TIMEOUT)
    return dict(cached)


def figures_changed(workspace_id: int) -> None:
    """Draw a new token for the workspace, in the current transaction (one statement).

    Written with the change itself, so that a rolled-back change keeps the old token and a
    committed one is seen with its token by every process."""
    FiguresStamp.objects.bulk_create(
        [FiguresStamp(workspace_id=workspace_id, token=secrets.randbits(62))],
        update_conflicts=True,
        unique_fields=["workspace_id"],
        update_fields=["token"],
    )
