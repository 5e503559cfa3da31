"""The dashboard's figures, cached per workspace until something they count changes.

Computing the figures reads every invoice and payment of the period (hundreds of milliseconds
at 200,000 invoices); they change far less often than the dashboard is opened. Each
workspace has a random token (``FiguresStamp``) that ``receivers`` replace once an
invoice, payment, refund, dispute, client or engagement saved or deleted has committed; the figures
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
from django.db import transaction

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


class _NewToken:
    """Draws a new token for one workspace once a transaction has committed."""

    def __init__(self, workspace_id: int) -> None:
        self.workspace_id = workspace_id

    def __call__(self) -> None:
        FiguresStamp.objects.bulk_create(
            [FiguresStamp(workspace_id=self.workspace_id, token=secrets.randbits(62))],
            update_conflicts=True,
            unique_fields=["workspace_id"],
            update_fields=["token"],
        )


def figures_changed(workspace_id: int) -> None:
    """Draw a new token for the workspace once the current transaction commits (at once
    outside one); a rolled-back change keeps the old token.

    After the commit, not inside the change: the stamp is one row per workspace, and writing it
    inside every payment's transaction held that row's lock until the commit, so that two
    payments of one workspace settled one after the other (bench/payments_e2e.py). A reader
    between the commit and the new token computes the figures with the change (they are read
    after the commit) or reads the old entry for those few milliseconds; a process killed in
    between leaves the old figures for at most ``TIMEOUT``. One new token per workspace and
    transaction, however many of its rows the transaction saved."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(callback, _NewToken) and callback.workspace_id == workspace_id
        for _savepoints, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_NewToken(workspace_id))
