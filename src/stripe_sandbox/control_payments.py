"""Control endpoints for what happens to payments outside the API: a bank transfer arriving,
a refund failing, a refund made in the Dashboard, a dispute opened and closed."""

from __future__ import annotations

from typing import Any

from .control import route
from .errors import StripeError, invalid
from .messages import Request, Response
from .resources import bank, disputes, refunds
from .sandbox import Sandbox
from .store import clone


def _int(params: dict[str, Any], name: str, default: int | None = None) -> int | None:
    value = params.get(name, default)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise invalid(f"{name} must be an integer", param=name) from exc


def _flag(params: dict[str, Any], name: str, default: bool = False) -> bool:
    value = params.get(name, default)
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")


@route("POST", "/customers/(?P<customer>[^/]+)/fund")
def fund(sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]) -> Response:
    amount = _int(params, "amount")
    if amount is None or not params.get("currency"):
        raise invalid("Give amount and currency.", param="amount")
    with sb.store.lock:
        result = bank.fund(
            sb, path["customer"], amount, str(params["currency"]).lower(), params.get("reference")
        )
        sb.store.livemode = False
        sb.store.save()
    return Response.json(200, result)


@route("POST", "/refunds/(?P<refund>[^/]+)/fail")
def fail_refund(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    with sb.store.lock:
        refund = refunds.fail(
            sb, path["refund"], str(params.get("reason") or "expired_or_canceled_card")
        )
        sb.store.save()
        return Response.json(200, clone(refund))


@route("POST", "/charges/(?P<charge>[^/]+)/refund")
def dashboard_refund(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    """A refund made in the Dashboard: the app did not ask for it."""
    with sb.store.lock:
        charge = sb.store.get(path["charge"], "charge")
        if charge is None:
            raise StripeError(404, f"No such charge: '{path['charge']}'", code="resource_missing")
        sb.store.livemode = bool(charge.get("livemode"))
        refund = refunds.refund_charge(
            sb,
            sb.store.owner.get(charge["id"]),
            charge,
            amount=_int(params, "amount"),
            ctx=None,
            reason=params.get("reason"),
            refund_application_fee=_flag(params, "refund_application_fee"),
        )
        sb.store.livemode = False
        sb.store.save()
        return Response.json(200, clone(refund))


@route("POST", "/charges/(?P<charge>[^/]+)/dispute")
def open_dispute(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    with sb.store.lock:
        dispute = disputes.open_dispute(sb, path["charge"], params.get("reason"))
        sb.store.livemode = False
        sb.store.save()
        return Response.json(200, clone(dispute))


@route("POST", "/disputes/(?P<dispute>[^/]+)/close")
def close_dispute(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    with sb.store.lock:
        dispute = disputes.close_dispute(sb, path["dispute"], str(params.get("outcome") or ""))
        sb.store.livemode = False
        sb.store.save()
        return Response.json(200, clone(dispute))
