"""Customers, as far as bank transfers need them: create, retrieve, update, list, and the
cash balance that bank transfers fund (``POST /_sandbox/customers/{id}/fund``)."""

from __future__ import annotations

from typing import Any

from .. import ids
from ..errors import missing
from ..sandbox import Ctx, Sandbox
from ..store import clone
from .common import apply_metadata, created_matches, deep_merge, diff, empty_address


def _customer(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    address = empty_address()
    deep_merge(address, params.get("address") or {})
    return {
        "id": ids.new_id("customer"),
        "object": "customer",
        "address": address,
        "balance": 0,
        "created": sb.now(),
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": params.get("description"),
        "discount": None,
        "email": params.get("email"),
        "invoice_prefix": ids.random_part(7).upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": apply_metadata({}, params.get("metadata")),
        "name": params.get("name"),
        "next_invoice_sequence": 1,
        "phone": params.get("phone"),
        "preferred_locales": list(params.get("preferred_locales") or []),
        "shipping": None,
        "tax_exempt": params.get("tax_exempt") or "none",
        "test_clock": None,
    }


def find(sb: Sandbox, owner: str | None, customer_id: str, param: str) -> dict[str, Any]:
    customer = sb.store.get_owned(customer_id, "customer", owner)
    if customer is None or sb.store.internal_of(customer_id).get("deleted"):
        raise missing("customer", customer_id, param=param)
    return customer


def create(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    customer = _customer(sb, params)
    sb.store.add(customer, ctx.account, {"cash_balance": {}})
    sb.emit("customer.created", customer, account=ctx.account, ctx=ctx)
    return clone(customer)


def retrieve(sb: Sandbox, ctx: Ctx, params: dict[str, Any], customer: str) -> dict[str, Any]:
    return clone(find(sb, ctx.account, customer, "customer"))


def update(sb: Sandbox, ctx: Ctx, params: dict[str, Any], customer: str) -> dict[str, Any]:
    obj = find(sb, ctx.account, customer, "customer")
    before = clone(obj)
    for key in ("email", "name", "phone", "description"):
        if key in params:
            obj[key] = params[key] or None
    if "metadata" in params:
        obj["metadata"] = apply_metadata(obj["metadata"], params["metadata"])
    if isinstance(params.get("address"), dict):
        deep_merge(obj["address"], params["address"])
    changed = diff(before, obj)
    sb.store.touch()
    if changed:
        sb.emit("customer.updated", obj, account=ctx.account, ctx=ctx, previous=changed)
    return clone(obj)


def list_customers(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    def keep(c: dict[str, Any]) -> bool:
        if sb.store.internal_of(c["id"]).get("deleted"):
            return False
        if params.get("email") and c["email"] != params["email"]:
            return False
        return created_matches(c["created"], params.get("created"))

    found = sb.store.of_kind("customer", ctx.account, keep)
    return sb.list_response(found, "/v1/customers", params)


def cash_balance(sb: Sandbox, customer_id: str) -> dict[str, int]:
    balance: dict[str, int] = sb.store.internal_of(customer_id).setdefault("cash_balance", {})
    return balance
