"""Webhook endpoints (``/v1/webhook_endpoints``): where events are delivered, and how.

An endpoint created with ``connect=true`` receives the events of connected accounts (those with
``account``); one without receives the platform's own events. Each has its own ``whsec_``
secret (returned once, at creation) and gets only the event types in ``enabled_events``
(``"*"``: all). The demo's ``--webhook-url``/``--webhook-secret`` act as one more endpoint that
receives everything, platform and Connect.
"""

from __future__ import annotations

from typing import Any

from .. import ids
from ..errors import StripeError, invalid, missing
from ..sandbox import PLATFORM_APPLICATION, Ctx, Sandbox
from ..store import clone
from ..webhooks import Target
from .common import apply_metadata, check_url

MAX_ENDPOINTS = 16


def targets(sb: Sandbox, event_type: str, account: str | None, livemode: bool) -> list[Target]:
    """The deliveries an event makes (called under the store's lock)."""
    found: list[Target] = []
    for endpoint in sb.store.of_kind("webhook_endpoint"):
        internal = sb.store.internal_of(endpoint["id"])
        if endpoint["status"] != "enabled" or internal.get("deleted"):
            continue
        if bool(internal.get("connect")) != bool(account):
            continue
        if bool(endpoint["livemode"]) != livemode:
            continue
        enabled = endpoint["enabled_events"]
        if "*" not in enabled and event_type not in enabled:
            continue
        found.append(Target(endpoint["id"], endpoint["url"], internal["secret"]))
    if sb.config.webhook_url:
        found.append(Target())
    return found


def _public(sb: Sandbox, endpoint: dict[str, Any]) -> dict[str, Any]:
    return clone(endpoint)


def _get(sb: Sandbox, ctx: Ctx, endpoint_id: str) -> dict[str, Any]:
    endpoint = sb.store.get(endpoint_id, "webhook_endpoint")
    if (
        endpoint is None
        or ctx.account
        or sb.store.internal_of(endpoint_id).get("deleted")
        or endpoint["livemode"] != ctx.livemode
    ):
        raise missing("webhook_endpoint", endpoint_id, param="webhook_endpoint")
    return endpoint


def _check_events(sb: Sandbox, events: list[str]) -> list[str]:
    if not events:
        raise invalid(
            "You must specify at least one event type in enabled_events.",
            param="enabled_events",
        )
    for event_type in events:
        if event_type != "*" and (not event_type or " " in event_type or "." not in event_type):
            raise invalid(f"Invalid event type: {event_type}", param="enabled_events")
    return list(dict.fromkeys(events))


def create(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    if ctx.account:
        raise StripeError(
            400,
            "Webhook endpoints can only be created by the platform: do not send the "
            "Stripe-Account header.",
        )
    url = check_url(params["url"], "url")
    events = _check_events(sb, params["enabled_events"])
    live = [
        e
        for e in sb.store.of_kind("webhook_endpoint")
        if not sb.store.internal_of(e["id"]).get("deleted")
    ]
    if len(live) >= MAX_ENDPOINTS:
        raise invalid(f"You can have at most {MAX_ENDPOINTS} webhook endpoints.")
    endpoint = {
        "id": ids.new_id("webhook_endpoint"),
        "object": "webhook_endpoint",
        "api_version": params.get("api_version"),
        "application": PLATFORM_APPLICATION if params.get("connect") else None,
        "created": sb.now(),
        "description": params.get("description"),
        "enabled_events": events,
        "livemode": ctx.livemode,
        "metadata": apply_metadata({}, params.get("metadata")),
        "status": "enabled",
        "url": url,
    }
    secret = "whsec_" + ids.random_part(32)
    sb.store.add(endpoint, None, {"secret": secret, "connect": bool(params.get("connect"))})
    answer = _public(sb, endpoint)
    answer["secret"] = secret  # only now, as Stripe does
    return answer


def retrieve(
    sb: Sandbox, ctx: Ctx, params: dict[str, Any], webhook_endpoint: str
) -> dict[str, Any]:
    return _public(sb, _get(sb, ctx, webhook_endpoint))


def list_endpoints(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    found = sb.store.of_kind(
        "webhook_endpoint",
        None,
        lambda e: (
            not sb.store.internal_of(e["id"]).get("deleted")
            and e["livemode"] == ctx.livemode
            and not ctx.account
        ),
    )
    return sb.list_response(found, "/v1/webhook_endpoints", params)


def delete(sb: Sandbox, ctx: Ctx, params: dict[str, Any], webhook_endpoint: str) -> dict[str, Any]:
    endpoint = _get(sb, ctx, webhook_endpoint)
    sb.store.internal_of(endpoint["id"])["deleted"] = True
    endpoint["status"] = "disabled"
    sb.store.touch()
    return {"id": endpoint["id"], "object": "webhook_endpoint", "deleted": True}
