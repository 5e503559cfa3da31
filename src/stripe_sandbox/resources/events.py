"""Events: each scoped like Stripe's (a connected account's under its Stripe-Account)."""

from __future__ import annotations

import fnmatch
from typing import Any

from ..errors import invalid, missing
from ..sandbox import Ctx, Sandbox
from ..store import clone
from .common import created_matches


def retrieve(sb: Sandbox, ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    event = sb.store.get_owned(id, "event", ctx.account)
    if event is None:
        raise missing("event", id, param="id")
    return clone(event)


def list_events(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    types = params.get("types") or []
    if params.get("type") and types:
        raise invalid("You may only specify one of these parameters: type, types.", param="types")
    pattern = params.get("type")

    def keep(e: dict[str, Any]) -> bool:
        if pattern and not fnmatch.fnmatchcase(e["type"], pattern):
            return False
        if types and e["type"] not in types:
            return False
        return created_matches(e["created"], params.get("created"))

    return sb.list_response(sb.store.of_kind("event", ctx.account, keep), "/v1/events", params)
