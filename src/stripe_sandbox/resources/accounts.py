"""Connected accounts and Account Links (Connect onboarding)."""

from __future__ import annotations

import secrets
from typing import Any

from .. import ids
from ..errors import StripeError, account_invalid, invalid
from ..sandbox import PLATFORM_ACCOUNT, PLATFORM_APPLICATION, Ctx, Sandbox
from ..store import clone
from .common import apply_metadata, check_url, deep_merge, diff, empty_address

COUNTRY_CURRENCY = {"GB": "gbp", "US": "usd", "IE": "eur", "DE": "eur", "FR": "eur", "NL": "eur"}
REQUIREMENTS_DUE = [
    "business_profile.url",
    "business_type",
    "external_account",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]


def _controller(params: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Stripe's ``controller`` hash and ``type`` from either ``controller[...]`` or ``type``."""
    if "controller" in params:
        given = params["controller"]
        fees = (given.get("fees") or {}).get("payer", "account")
        losses = (given.get("losses") or {}).get("payments", "stripe")
        collection = given.get("requirement_collection", "stripe")
        dashboard = (given.get("stripe_dashboard") or {}).get("type", "full")
        if (
            fees == "account"
            and losses == "stripe"
            and collection == "stripe"
            and dashboard == "full"
        ):
            kind = "standard"
        elif dashboard == "express" and collection == "stripe":
            kind = "express"
        elif dashboard == "none" and collection == "application":
            kind = "custom"
        else:
            kind = "none"
        controller = {
            "fees": {"payer": fees},
            "is_controller": True,
            "losses": {"payments": losses},
            "requirement_collection": collection,
            "stripe_dashboard": {"type": dashboard},
            "type": "application",
        }
        return controller, kind
    kind = params.get("type", "standard")
    if kind == "standard":
        return {
            "is_controller": True,
            "type": "application",
            "stripe_dashboard": {"type": "full"},
            "fees": {"payer": "account"},
            "losses": {"payments": "stripe"},
            "requirement_collection": "stripe",
        }, kind
    dashboard = "express" if kind == "express" else "none"
    collection = "stripe" if kind == "express" else "application"
    return {
        "is_controller": True,
        "type": "application",
        "stripe_dashboard": {"type": dashboard},
        "fees": {"payer": "application"},
        "losses": {"payments": "application"},
        "requirement_collection": collection,
    }, kind


def _requirements(due: list[str]) -> dict[str, Any]:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due),
        "disabled_reason": "requirements.past_due" if due else None,
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due),
        "pending_verification": [],
    }


def new_account(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    controller, kind = _controller(params)
    country = str(params.get("country") or "GB").upper()
    business_profile: dict[str, Any] = {
        "annual_revenue": None,
        "estimated_worker_count": None,
        "mcc": None,
        "name": None,
        "product_description": None,
        "support_address": empty_address(),
        "support_email": None,
        "support_phone": None,
        "support_url": None,
        "url": None,
    }
    deep_merge(business_profile, params.get("business_profile") or {})
    settings: dict[str, Any] = {
        "bacs_debit_payments": {"display_name": None, "service_user_number": None},
        "branding": {"icon": None, "logo": None, "primary_color": None, "secondary_color": None},
        "card_issuing": {"tos_acceptance": {"date": None, "ip": None}},
        "card_payments": {
            "decline_on": {"avs_failure": False, "cvc_failure": False},
            "statement_descriptor_prefix": None,
            "statement_descriptor_prefix_kana": None,
            "statement_descriptor_prefix_kanji": None,
        },
        "dashboard": {"display_name": business_profile.get("name"), "timezone": "Etc/UTC"},
        "invoices": {"default_account_tax_ids": None},
        "payments": {
            "statement_descriptor": None,
            "statement_descriptor_kana": None,
            "statement_descriptor_kanji": None,
        },
        "payouts": {
            "debit_negative_balances": True,
            "schedule": {"delay_days": 7, "interval": "daily"},
            "statement_descriptor": None,
        },
        "sepa_debit_payments": {},
    }
    deep_merge(settings, params.get("settings") or {})
    account_id = ids.new_id("account")
    return {
        "id": account_id,
        "object": "account",
        "business_profile": business_profile,
        "business_type": params.get("business_type"),
        "capabilities": {},
        "charges_enabled": False,
        "controller": controller,
        "country": country,
        "created": sb.now(),
        "default_currency": params.get("default_currency") or COUNTRY_CURRENCY.get(country, "usd"),
        "details_submitted": False,
        "email": params.get("email"),
        "external_accounts": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/accounts/{account_id}/external_accounts",
        },
        "future_requirements": _requirements([]),
        "metadata": apply_metadata({}, params.get("metadata")),
        "payouts_enabled": False,
        "requirements": _requirements(REQUIREMENTS_DUE),
        "settings": settings,
        "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
        "type": kind,
    }


def connected(sb: Sandbox, account_id: str, api_key: str = "sk_test_") -> dict[str, Any]:
    """A connected account the platform can still use, or Stripe's 403."""
    account = sb.store.get(account_id, "account")
    if account is None or sb.store.internal_of(account_id).get("deauthorized"):
        raise account_invalid(api_key, account_id)
    return account


def _visible(sb: Sandbox, ctx: Ctx, account_id: str) -> dict[str, Any]:
    if ctx.account is not None and ctx.account != account_id:
        raise account_invalid("sk_test_", account_id)
    return connected(sb, account_id)


def create(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    if ctx.account:
        raise invalid(
            "Connected accounts cannot create accounts: send this request as the platform "
            "(without the Stripe-Account header)."
        )
    if "type" in params and "controller" in params:
        raise invalid("You cannot specify both `type` and `controller`.", param="controller")
    account = new_account(sb, params)
    sb.store.add(account, None, {"links": {}})
    return clone(account)


def retrieve(sb: Sandbox, ctx: Ctx, params: dict[str, Any], account: str) -> dict[str, Any]:
    return clone(_visible(sb, ctx, account))


def retrieve_own(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    if ctx.account:
        return clone(connected(sb, ctx.account))
    return {
        "id": PLATFORM_ACCOUNT,
        "object": "account",
        "business_profile": {"name": sb.config.platform_name},
        "charges_enabled": True,
        "country": "GB",
        "default_currency": "gbp",
        "details_submitted": True,
        "email": None,
        "payouts_enabled": True,
        "settings": {"dashboard": {"display_name": sb.config.platform_name, "timezone": "Etc/UTC"}},
        "type": "standard",
    }


def list_accounts(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    if ctx.account:
        return sb.list_response([], "/v1/accounts", params)
    found = sb.store.of_kind(
        "account", where=lambda a: not sb.store.internal_of(a["id"]).get("deauthorized")
    )
    return sb.list_response(found, "/v1/accounts", params)


def update(sb: Sandbox, ctx: Ctx, params: dict[str, Any], account: str) -> dict[str, Any]:
    obj = _visible(sb, ctx, account)
    before = clone(obj)
    changes = {k: v for k, v in params.items() if k not in ("expand", "metadata")}
    for key in ("account_token", "external_account", "documents", "bank_account"):
        changes.pop(key, None)
    deep_merge(obj, changes)
    if "metadata" in params:
        obj["metadata"] = apply_metadata(obj["metadata"], params["metadata"])
    if "business_profile" in params and "name" in (params["business_profile"] or {}):
        obj["settings"]["dashboard"]["display_name"] = (
            obj["settings"]["dashboard"].get("display_name") or obj["business_profile"]["name"]
        )
    previous = diff(before, obj)
    if previous:
        sb.store.touch()
        sb.emit("account.updated", obj, account=account, ctx=ctx, previous=previous)
    return clone(obj)


def complete_onboarding(
    sb: Sandbox, account_id: str, *, charges: bool = True, payouts: bool = True
) -> dict[str, Any]:
    """What finishing Stripe's onboarding does: details submitted, charges and payouts on."""
    obj = connected(sb, account_id)
    before = clone(obj)
    obj["details_submitted"] = True
    obj["charges_enabled"] = charges
    obj["payouts_enabled"] = payouts
    obj["capabilities"] = {
        "card_payments": "active" if charges else "inactive",
        "transfers": "active" if payouts else "inactive",
    }
    obj["requirements"] = _requirements([])
    if not obj.get("business_type"):
        obj["business_type"] = "company"
    obj["tos_acceptance"] = {"date": sb.now(), "ip": "127.0.0.1", "user_agent": None}
    previous = diff(before, obj)
    if previous:
        sb.store.touch()
        sb.emit("account.updated", obj, account=account_id, previous=previous)
    return clone(obj)


def deauthorize(sb: Sandbox, account_id: str) -> dict[str, Any]:
    connected(sb, account_id)
    sb.store.internal_of(account_id)["deauthorized"] = True
    sb.store.touch()
    application = {
        "id": PLATFORM_APPLICATION,
        "object": "application",
        "name": sb.config.platform_name,
    }
    return sb.emit("account.application.deauthorized", application, account=account_id)


# Account Links ---------------------------------------------------------------------------


def create_link(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    if ctx.account:
        raise invalid("Account Links must be created by the platform (without Stripe-Account).")
    account_id = params["account"]
    account = sb.store.get(account_id, "account")
    if account is None or sb.store.internal_of(account_id).get("deauthorized"):
        raise StripeError(
            400, f"No such account: '{account_id}'", code="resource_missing", param="account"
        )
    kind = params["type"]
    if kind not in ("account_onboarding", "account_update"):
        raise invalid(
            "Invalid type: must be one of account_onboarding or account_update", param="type"
        )
    if kind == "account_update" and account["type"] == "standard":
        raise invalid(
            "You cannot create `account_update` type Account Links for Standard accounts.",
            param="type",
        )
    for name in ("refresh_url", "return_url"):
        if not params.get(name):
            raise StripeError(
                400, f"Missing required param: {name}.", code="parameter_missing", param=name
            )
        check_url(params[name], name)
    now = sb.now()
    token = secrets.token_urlsafe(18)
    link = {
        "created": now,
        "expires_at": now + sb.config.account_link_ttl,
        "refresh_url": params["refresh_url"],
        "return_url": params["return_url"],
        "type": kind,
        "state": "new",
    }
    sb.store.internal_of(account_id).setdefault("links", {})[token] = link
    sb.store.touch()
    return {
        "object": "account_link",
        "created": now,
        "expires_at": link["expires_at"],
        "url": sb.url(f"/setup/s/{account_id}/{token}"),
    }


def find_link(sb: Sandbox, account_id: str, token: str) -> dict[str, Any] | None:
    if sb.store.get(account_id, "account") is None:
        return None
    link: dict[str, Any] | None = sb.store.internal_of(account_id).get("links", {}).get(token)
    return link
