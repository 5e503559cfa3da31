"""The API's door: a key, its workspace scoping the request (the same tenancy mechanism as the
web pages), and its role enforced as a person's would be."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from secportal.core.tenancy import scope_request
from secportal.workspaces.models import ROLE_RANK, Role

from . import keys, ratelimit
from .models import PERSON_ROLE, ApiKey, ApiRole


class KeyAuth(HttpBearer):
    """``Authorization: Bearer spk_...``: the key's workspace scopes everything after it."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        api_key = keys.authenticate(token)
        if api_key is None:
            return None
        request.api_key = api_key  # type: ignore[attr-defined]
        request.workspace = api_key.workspace  # type: ignore[attr-defined]
        scope_request(api_key.workspace_id)
        ratelimit.check(api_key)  # 429 with Retry-After over the key's limit
        return api_key


def allow(request: HttpRequest, minimum: str) -> None:
    """Refuse (403) what the key's role may not do: a read-only key writes nothing."""
    api_key: ApiKey = request.api_key  # type: ignore[attr-defined]
    if api_key.role == ApiRole.READ_ONLY:
        raise HttpError(403, "This API key is read-only.")
    membership_role = PERSON_ROLE[ApiRole(api_key.role)]
    if ROLE_RANK[Role(membership_role)] < ROLE_RANK[Role(minimum)]:
        raise HttpError(403, f"This needs an API key with the {Role(minimum).label} role.")


def invoicing(request: HttpRequest) -> Any:
    """Invoices exist only in Consulting mode: elsewhere they are not found, as on the web."""
    workspace = request.workspace  # type: ignore[attr-defined]
    if not workspace.invoicing_enabled:
        raise HttpError(404, "Invoicing is not available in Internal mode.")
    return workspace
