"""The dashboard's cache stamp: one row per workspace, changed whenever a figure may change."""

from __future__ import annotations

from django.db import models


class FiguresStamp(models.Model):
    """A token that names the current state of a workspace's figures.

    The dashboard's figures are cached under the workspace's token (``analytics.cache``); saving
    or deleting anything they count (an invoice, payment, refund, dispute, client, engagement)
    draws a new token (``analytics.receivers``) in the same transaction, so every server process
    recomputes them on its next request once the change is committed (and never if it is rolled
    back). Not tenant data: a random number with no meaning outside the cache key.
    """

    # The workspace's id, not a foreign key: a workspace deleted with its invoices still gets its
    # token written in the same transaction, and an orphan row is harmless.
    workspace_id = models.BigIntegerField(primary_key=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"figures of workspace {self.workspace_id}: {self.token}"
