"""`secportal stripe-setup`: the Connect webhook endpoint the app needs, created or verified.

The app's events (paid sessions, refunds, accounts, disputes) happen on the workspaces'
connected accounts, so Stripe sends them only to an endpoint created with ``connect=true``.
The endpoint is made at the pinned API version with exactly the event types the app handles;
running it again changes nothing (DESIGN.md 7).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from . import gateway
from .events import HANDLERS


@dataclass(frozen=True)
class SetupResult:
    endpoint_id: str
    created: bool
    secret: str  # only when created: Stripe shows it once
    problems: tuple[str, ...] = ()


def wanted_events() -> list[str]:
    return sorted(HANDLERS)


def ensure_connect_endpoint(url: str, *, replace: bool = False) -> SetupResult:
    """The Connect endpoint at ``url``: found as it should be, or created (or, with
    ``replace``, deleted and created again when it differs)."""
    events = wanted_events()
    for endpoint in gateway.list_webhook_endpoints():
        if endpoint.get("url") != url or not endpoint.get("application"):
            continue  # another URL, or a platform (not Connect) endpoint
        problems = _differences(endpoint, events)
        if not problems:
            return SetupResult(endpoint["id"], created=False, secret="")
        if not replace:
            return SetupResult(endpoint["id"], created=False, secret="", problems=problems)
        gateway.delete_webhook_endpoint(endpoint["id"])
    digest = hashlib.sha256(f"{url}|{','.join(events)}|{gateway.API_VERSION}".encode())
    created = gateway.create_webhook_endpoint(
        url=url,
        enabled_events=events,
        connect=True,
        idempotency_key=f"connect-endpoint:{digest.hexdigest()[:32]}",
    )
    return SetupResult(created["id"], created=True, secret=created.get("secret") or "")


def _differences(endpoint: dict, events: list[str]) -> tuple[str, ...]:
    problems = []
    if endpoint.get("api_version") != gateway.API_VERSION:
        problems.append(
            f"API version {endpoint.get('api_version')} is not the pinned {gateway.API_VERSION}"
        )
    enabled = sorted(endpoint.get("enabled_events") or [])
    if enabled != ["*"] and set(events) - set(enabled):
        missing = ", ".join(sorted(set(events) - set(enabled)))
        problems.append(f"it does not send {missing}")
    if endpoint.get("status") == "disabled":
        problems.append("it is disabled")
    return tuple(problems)
