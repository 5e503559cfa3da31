"""Making, checking and revoking API keys; the key's workspace scopes the request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from secportal.workspaces.models import Workspace
from secportal.workspaces.services import record

from .models import ApiKey, ApiRole

PREFIX = "spk_"


@dataclass(frozen=True)
class NewKey:
    api_key: ApiKey
    token: str  # shown once, never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_key(
    workspace: Workspace, actor: Any, *, name: str, role: str, expires_at: Any = None
) -> NewKey:
    """Owner: a new key; its whole value is returned here only."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        workspace=workspace,
        name=name.strip()[:100],
        prefix=prefix,
        secret_hash=_hash(secret),
        role=ApiRole(role),
        created_by=actor if getattr(actor, "pk", None) else None,
        expires_at=expires_at,
    )
    record(workspace, actor, "api.key_created", api_key.name, prefix=prefix, role=role)
    return NewKey(api_key, f"{PREFIX}{prefix}_{secret}")


@transaction.atomic
def revoke_key(key_id: int, actor: Any) -> ApiKey:
    api_key = ApiKey.objects.select_for_update().select_related("workspace").get(pk=key_id)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        record(api_key.workspace, actor, "api.key_revoked", api_key.name, prefix=api_key.prefix)
    return api_key


def authenticate(token: str) -> ApiKey | None:
    """The live key a bearer token names (constant-time check), or None."""
    if not token.startswith(PREFIX) or token.count("_") < 2:
        return None
    prefix, _, secret = token[len(PREFIX) :].partition("_")
    api_key = (
        ApiKey.unscoped.select_related("workspace").filter(prefix=prefix).first()  # type: ignore[attr-defined]
    )
    if api_key is None or not hmac.compare_digest(api_key.secret_hash, _hash(secret)):
        return None
    now = timezone.now()
    if api_key.revoked_at is not None or (api_key.expires_at and api_key.expires_at <= now):
        return None
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        ApiKey.unscoped.filter(pk=api_key.pk).update(last_used_at=now)  # type: ignore[attr-defined]
    return api_key
