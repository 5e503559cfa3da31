"""Connect Stripe Account: the workspace's connected account, created once, kept in step."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from secportal.workspaces.models import AuditEvent, Workspace
from secportal.workspaces.services import record

from . import emails, gateway, prefetch
from .models import ConnectedAccount

ACCOUNT_KEY_SPENT = "stripe.account_create_failed"
ACCOUNT_FLAGS = ("details_submitted", "charges_enabled", "payouts_enabled")


def _absolute(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def connect_link(workspace_id: int, user: Any) -> str:
    """Create the workspace's connected account once, then an onboarding link to follow."""
    with transaction.atomic():
        workspace = Workspace.objects.select_for_update().get(pk=workspace_id)
        account = ConnectedAccount.objects.filter(workspace=workspace).first()
    if account is None or account.disconnected_at is not None:
        account = _create_account(workspace, account, user)
    with transaction.atomic():
        account = ConnectedAccount.objects.select_for_update().get(pk=account.pk)
        account.links_created += 1
        account.save(update_fields=["links_created"])
        key = f"account-link:{account.stripe_account_id}:{account.links_created}"
    return gateway.create_account_link(
        account_id=account.stripe_account_id,
        refresh_url=_absolute("payments:connect_refresh"),
        return_url=_absolute("payments:connect_return"),
        idempotency_key=key,
    )


def _create_account(
    workspace: Workspace, previous: ConnectedAccount | None, user: Any
) -> ConnectedAccount:
    """A new account at Stripe (the first, or after a disconnection), stored with its flags."""
    key = f"account:{workspace.slug}:{workspace.pk}"
    if previous is not None and previous.disconnected_at is not None:
        key += f":{previous.pk}-{previous.disconnected_at:%s}"
    # A key whose answer was a stored failure (Stripe replays it for 24 hours) is spent: each
    # such failure, recorded below, moves the next try to a new key.
    spent = AuditEvent.objects.filter(workspace=workspace, kind=ACCOUNT_KEY_SPENT).count()
    if spent:
        key += f":retry-{spent}"
    try:
        created = gateway.create_account(
            email=user.email, business_name=workspace.name, idempotency_key=key
        )
    except gateway.GatewayError as exc:
        if exc.needs_new_request:
            with transaction.atomic():
                record(workspace, user, ACCOUNT_KEY_SPENT, key, error=exc.message)
        raise
    with transaction.atomic():
        Workspace.objects.select_for_update().get(pk=workspace.pk)
        account = ConnectedAccount.objects.filter(workspace=workspace).first()
        if account is None:
            account = ConnectedAccount(workspace=workspace)
        account.stripe_account_id = created["id"]
        account.disconnected_at = None
        _copy_account_flags(account, created)
        account.save()
        record(workspace, user, "stripe.account_created", created["id"])
    return account


def _copy_account_flags(account: ConnectedAccount, data: dict[str, Any]) -> list[str]:
    changed = []
    for field in ACCOUNT_FLAGS:
        value = bool(data.get(field, False))
        if getattr(account, field) != value:
            setattr(account, field, value)
            changed.append(field)
    account.last_synced_at = timezone.now()
    return changed


def refresh_account(workspace_id: int) -> ConnectedAccount | None:
    """Re-read the account from Stripe (after the person returns from onboarding)."""
    account = ConnectedAccount.objects.filter(workspace_id=workspace_id).first()
    if account is None or account.disconnected_at is not None:
        return account
    data = gateway.retrieve_account(account.stripe_account_id)
    return apply_account(data)


def sync_account(stripe_account_id: str) -> ConnectedAccount | None:
    """``account.updated`` is only a nudge: read the account from Stripe and keep that.

    Events arrive late, twice and out of order; the account as Stripe has it now is the truth,
    so an old event can never switch payments off again.
    """
    if not ConnectedAccount.objects.filter(
        stripe_account_id=stripe_account_id, disconnected_at=None
    ).exists():
        return None
    return apply_account(
        prefetch.read(
            ("account", stripe_account_id), lambda: gateway.retrieve_account(stripe_account_id)
        )
    )


def apply_account(data: dict[str, Any]) -> ConnectedAccount | None:
    """Stripe's copy of the account (``account.updated`` or a re-read) becomes ours."""
    with transaction.atomic():
        account = (
            ConnectedAccount.objects.select_for_update()
            .filter(stripe_account_id=data.get("id"))
            .first()
        )
        if account is None:
            return None
        changed = _copy_account_flags(account, data)
        account.save()
        if changed:
            record(
                account.workspace,
                None,
                "stripe.account_updated",
                account.stripe_account_id,
                ready=account.ready,
            )
        return account


def apply_deauthorized(account_id: str) -> ConnectedAccount | None:
    """The owner disconnected the platform from their Stripe account."""
    with transaction.atomic():
        account = (
            ConnectedAccount.objects.select_for_update()
            .filter(stripe_account_id=account_id)
            .first()
        )
        if account is None or account.disconnected_at is not None:
            return account
        account.disconnected_at = timezone.now()
        account.charges_enabled = False
        account.save(update_fields=["disconnected_at", "charges_enabled"])
        record(account.workspace, None, "stripe.account_disconnected", account_id)
        emails.queue_account_disconnected(account)  # owners hear it once (issue 13, item 5)
        return account
