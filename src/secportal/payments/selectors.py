"""Reads about the workspace's ability to take payments."""

from __future__ import annotations

from secportal.workspaces.models import Workspace

from .models import ConnectedAccount


def connected_account(workspace: Workspace) -> ConnectedAccount | None:
    return ConnectedAccount.objects.filter(workspace=workspace).first()


def can_take_payments(workspace: Workspace) -> bool:
    """The one check that sending an invoice and starting a checkout rely on."""
    account = connected_account(workspace)
    return account is not None and account.ready
