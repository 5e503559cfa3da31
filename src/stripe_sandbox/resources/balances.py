"""Balance transactions (what moves money on an account) and application fees, read back."""

from __future__ import annotations

from typing import Any

from .. import ids
from ..errors import missing
from ..sandbox import Ctx, Sandbox
from ..store import clone
from .common import created_matches


def owned(sb: Sandbox, ctx: Ctx, object_id: str, kind: str, param: str) -> dict[str, Any]:
    obj = sb.store.get_owned(object_id, kind, ctx.account)
    if obj is None:
        raise missing(kind, object_id, param=param)
    return obj


def balance_transaction(
    sb: Sandbox,
    owner: str | None,
    *,
    amount: int,
    currency: str,
    source: str,
    kind: str,
    description: str | None,
    fee_details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    fee_details = fee_details or []
    fee = sum(d["amount"] for d in fee_details)
    now = sb.now()
    txn = {
        "id": ids.new_id("balance_transaction"),
        "object": "balance_transaction",
        "amount": amount,
        "available_on": now + 7 * 86400,
        "balance_type": "payments",
        "created": now,
        "currency": currency,
        "description": description,
        "exchange_rate": None,
        "fee": fee,
        "fee_details": fee_details,
        "net": amount - fee,
        "reporting_category": kind,
        "source": source,
        "status": "pending",
        "type": kind,
    }
    sb.store.add(txn, owner)
    return txn


def list_balance_transactions(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    def keep(o: dict[str, Any]) -> bool:
        if params.get("source") and o["source"] != params["source"]:
            return False
        if params.get("type") and o["type"] != params["type"]:
            return False
        return created_matches(o["created"], params.get("created"))

    found = sb.store.of_kind("balance_transaction", ctx.account, keep)
    return sb.list_response(found, "/v1/balance_transactions", params)


def retrieve_fee(sb: Sandbox, ctx: Ctx, params: dict[str, Any], id: str) -> dict[str, Any]:
    return clone(owned(sb, ctx, id, "application_fee", "id"))


def list_fees(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    def keep(o: dict[str, Any]) -> bool:
        if params.get("charge") and o["charge"] != params["charge"]:
            return False
        return created_matches(o["created"], params.get("created"))

    found = sb.store.of_kind("application_fee", ctx.account, keep)
    return sb.list_response(found, "/v1/application_fees", params)


def retrieve_balance_transaction(
    sb: Sandbox, ctx: Ctx, params: dict[str, Any], id: str
) -> dict[str, Any]:
    return clone(owned(sb, ctx, id, "balance_transaction", "id"))
