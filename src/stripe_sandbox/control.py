"""The control API under ``/_sandbox/`` (not Stripe's; no auth): logs, payments without a
browser, account changes, the clock, configuration and fault injection.

Bodies may be JSON or form-encoded. Every answer is JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from .errors import StripeError, invalid
from .faults import FaultConfig
from .forms import decode, plain
from .messages import Request, Response
from .resources import accounts, checkout, checkout_pay
from .sandbox import Sandbox
from .store import clone

ControlHandler = Callable[[Sandbox, Request, dict[str, Any], dict[str, str]], Response]
_ROUTES: list[tuple[str, re.Pattern[str], ControlHandler]] = []


def route(method: str, pattern: str) -> Callable[[ControlHandler], ControlHandler]:
    def register(fn: ControlHandler) -> ControlHandler:
        _ROUTES.append((method, re.compile(f"^/_sandbox{pattern}$"), fn))
        return fn

    return register


def _body(request: Request) -> dict[str, Any]:
    if not request.body:
        return {}
    content_type = request.header("content-type") or ""
    if "json" in content_type or request.body.lstrip()[:1] in (b"{", b"["):
        try:
            data = json.loads(request.body)
        except ValueError as exc:
            raise invalid(f"Invalid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise invalid("Expected a JSON object.")
        return data
    parsed: dict[str, Any] = plain(decode(request.text))
    return parsed


def _query(request: Request) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(request.query, keep_blank_values=True).items()}


def handle(sb: Sandbox, request: Request) -> Response:
    path = request.path.rstrip("/") or "/_sandbox"
    known_path = False
    for method, pattern, fn in _ROUTES:
        found = pattern.match(path)
        if found is None:
            continue
        known_path = True
        if method != request.method:
            continue
        try:
            params = {**_query(request), **_body(request)}
            return fn(sb, request, params, found.groupdict())
        except StripeError as exc:
            return Response.json(exc.status, exc.body())
    if known_path:
        return Response.json(
            405, {"error": {"type": "invalid_request_error", "message": "Method not allowed."}}
        )
    return Response.json(
        404,
        {
            "error": {
                "type": "invalid_request_error",
                "message": f"No control endpoint {request.path}",
            }
        },
    )


@route("GET", "")
def index(sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]) -> Response:
    endpoints = sorted({f"{m} {p.pattern[1:-1]}" for m, p, _ in _ROUTES})
    return Response.json(
        200,
        {
            "endpoints": endpoints,
            "config": sb.config.public(),
            "spec": {"source": sb.schema.source, "api_version": sb.schema.api_version},
        },
    )


@route("GET", "/health")
def health(sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]) -> Response:
    return Response.json(200, {"ok": True})


@route("GET", "/requests")
def requests_log(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    with sb.store.lock:
        entries = list(sb.request_log)
    for name in ("method", "path", "route", "account", "idempotency_key"):
        if params.get(name):
            entries = [e for e in entries if e.get(name) == params[name]]
    if params.get("status"):
        entries = [e for e in entries if str(e.get("status")) == str(params["status"])]
    return Response.json(200, {"object": "list", "data": entries})


@route("GET", "/events")
def events_log(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    with sb.store.lock:
        events = clone(sb.store.of_kind("event"))
    if params.get("type"):
        events = [e for e in events if e["type"] == params["type"]]
    if params.get("account"):
        events = [e for e in events if e.get("account") == params["account"]]
    return Response.json(200, {"object": "list", "data": events})


@route("GET", "/webhooks")
def webhooks_log(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    log, stats = sb.webhooks.snapshot()
    if params.get("event"):
        log = [e for e in log if e["event"] == params["event"]]
    return Response.json(
        200, {"object": "list", "data": log, "pending": sb.webhooks.pending(), "stats": stats}
    )


@route("GET", "/webhooks/drain")
def drain(sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]) -> Response:
    timeout = float(params.get("timeout") or 5)
    drained = sb.webhooks.drain(timeout)
    body = {"drained": drained, "pending": sb.webhooks.pending()}
    return Response.json(200 if drained else 504, body)


@route("GET", "/counters")
def counters(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    return Response.json(200, sb.counters_view())


@route("GET", "/objects")
def objects(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    kind = params.get("type") or params.get("object")
    if not kind:
        raise invalid("Give ?type=checkout.session (or another Stripe object type).", param="type")
    with sb.store.lock:
        found = [
            {"object": clone(o), "owner": sb.store.owner.get(o["id"])}
            for o in sb.store.of_kind(kind)
        ]
    return Response.json(200, {"object": "list", "data": found})


@route("GET", "/objects/(?P<object_id>[^/]+)")
def one_object(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    with sb.store.lock:
        obj = sb.store.get(path["object_id"])
        if obj is None:
            raise StripeError(
                404, f"No such object: '{path['object_id']}'", code="resource_missing"
            )
        return Response.json(200, {"object": clone(obj), "owner": sb.store.owner.get(obj["id"])})


@route("GET", "/config")
def get_config(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    return Response.json(200, sb.config.public())


@route("POST", "/config")
def set_config(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    try:
        return Response.json(200, sb.configure(params))
    except (TypeError, ValueError) as exc:
        raise invalid(f"Invalid setting: {exc}") from exc


@route("GET", "/faults")
def get_faults(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    return Response.json(200, {**sb.faults.config.as_dict(), "injected": dict(sb.faults.injected)})


@route("POST", "/faults")
def set_faults(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    sb.faults.set(FaultConfig.from_params(params))
    return Response.json(200, sb.faults.config.as_dict())


@route("DELETE", "/faults")
def clear_faults(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    sb.faults.clear()
    return Response.json(200, sb.faults.config.as_dict())


@route("POST", "/reset")
def reset(sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]) -> Response:
    sb.reset()
    return Response.json(200, {"reset": True})


@route("GET", "/clock")
def get_clock(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    return Response.json(200, {"now": sb.now(), "offset": sb.store.clock_offset})


@route("POST", "/clock")
def advance_clock(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    try:
        seconds = float(params.get("advance") or 0)
    except ValueError as exc:
        raise invalid("advance must be a number of seconds", param="advance") from exc
    now = sb.advance_clock(seconds)
    return Response.json(200, {"now": now, "offset": sb.store.clock_offset})


@route("POST", "/checkout/(?P<session>[^/]+)/pay")
def pay(sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]) -> Response:
    method = str(params.get("payment_method") or "card")
    with sb.store.lock:
        outcome = checkout_pay.pay(
            sb,
            path["session"],
            card_number=str(params.get("card") or params.get("card_number") or "4242424242424242"),
            email=params.get("email"),
            name=params.get("name"),
            expiry=params.get("expiry"),
            cvc=params.get("cvc"),
            payment_method=method,
            bank_details={
                k: params[k]
                for k in ("sort_code", "account_number", "iban", "routing_number")
                if k in params
            },
        )
        sb.store.livemode = False
        sb.store.save()
    status = {
        "succeeded": 200,
        "processing": 200,
        "awaiting_funding": 200,
        "declined": 402,
        "invalid": 400,
        "not_open": 409,
    }
    return Response.json(status[outcome["outcome"]], outcome)


@route("POST", "/checkout/(?P<session>[^/]+)/expire")
def expire_session(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    with sb.store.lock:
        session = sb.store.get(path["session"], "checkout.session")
        if session is None:
            raise StripeError(
                404, f"No such checkout.session: '{path['session']}'", code="resource_missing"
            )
        if session["status"] != "open":
            raise StripeError(409, f"The session is {session['status']}, not open.")
        session["expires_at"] = min(session["expires_at"], sb.now())
        checkout.expire_due(sb)
        sb.store.save()
        return Response.json(200, clone(session))


@route("POST", "/accounts/(?P<account>[^/]+)/onboard")
def onboard(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    def flag(name: str) -> bool:
        value = params.get(name, True)
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")

    with sb.store.lock:
        account = accounts.complete_onboarding(
            sb, path["account"], charges=flag("charges_enabled"), payouts=flag("payouts_enabled")
        )
        sb.store.save()
    return Response.json(200, account)


@route("POST", "/accounts/(?P<account>[^/]+)/deauthorize")
def deauthorize(
    sb: Sandbox, request: Request, params: dict[str, Any], path: dict[str, str]
) -> Response:
    with sb.store.lock:
        event = accounts.deauthorize(sb, path["account"])
        sb.store.save()
    return Response.json(200, clone(event))


# Payments happening outside the API (bank transfers, Dashboard refunds, disputes): their
# endpoints live in control_payments and register themselves here.
from . import control_payments  # noqa: E402, F401
