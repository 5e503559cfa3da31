"""Stripe's ``/v1`` API over HTTP: auth, accounts, faults, idempotency, validation, dispatch."""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any

from . import resources
from .errors import StripeError, account_invalid, api_error, mask_key, unrecognized
from .forms import decode
from .messages import Request, Response
from .sandbox import Ctx, Sandbox
from .schema import SchemaError

logger = logging.getLogger("stripe_sandbox.api")

NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)


def _api_key(request: Request) -> str | None:
    header = request.header("authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value).decode().partition(":")[0] or None
        except ValueError:
            return None
    return None


def _error(error: StripeError, headers: dict[str, str]) -> Response:
    return Response.json(error.status, error.body(), {**headers, **error.headers})


def handle(sb: Sandbox, request: Request) -> Response:
    account = request.header("stripe-account")
    key = request.header("idempotency-key")
    entry: dict[str, Any] = {
        "id": request.request_id,
        "at": time.time(),
        "method": request.method,
        "path": request.path,
        "route": request.path,
        "query": request.query,
        "account": account,
        "idempotency_key": key,
        "stripe_version": request.header("stripe-version"),
        "body": request.text,
        "status": None,
        "replayed": False,
        "fault": None,
        "error": None,
    }
    try:
        response = _handle(sb, request, entry)
    except Exception:
        logger.exception("%s %s failed", request.method, request.path)
        response = _error(api_error(), {})
    entry["status"] = response.status
    entry["replayed"] = response.headers.get("Idempotent-Replayed") == "true"
    if response.status >= 400:
        try:
            error = json.loads(response.body)["error"]
            entry["error"] = error.get("code") or error.get("type")
        except (ValueError, KeyError, TypeError):
            pass
    with sb.store.lock:
        sb.record_request(entry)
    logger.debug("%s %s -> %s", request.method, request.path, response.status)
    return response


def _version_error(version: str) -> StripeError:
    """Stripe's answer to a ``Stripe-Version`` it never released (400, no ``code``)."""
    return StripeError(400, f"Invalid Stripe API version: {version}")


def _injected(status: int) -> StripeError:
    return StripeError(
        status,
        "An unknown error occurred (injected by the Stripe sandbox).",
        type="api_error" if status >= 500 else "invalid_request_error",
    )


def _handle(sb: Sandbox, request: Request, entry: dict[str, Any]) -> Response:
    asked = request.header("stripe-version")
    version = asked or sb.config.api_version
    base = {"Stripe-Version": version}
    api_key = _api_key(request)
    if not api_key:
        return _error(
            StripeError(401, NO_KEY, headers={"WWW-Authenticate": 'Basic realm="Stripe"'}), base
        )
    live_key = api_key.startswith("sk_live_")
    if not (api_key.startswith(sb.config.api_key_prefix) or live_key):
        return _error(
            StripeError(
                401,
                f"Invalid API Key provided: {mask_key(api_key)}",
                headers={"WWW-Authenticate": 'Basic realm="Stripe"'},
            ),
            base,
        )
    if asked and asked not in sb.known_versions:
        return _error(_version_error(asked), {"Stripe-Version": sb.config.api_version})
    route, path_params, _ = resources.match(request.method, request.path)
    if route is None:
        return _error(unrecognized(request.method, request.path), base)
    entry["route"] = route.path
    account = request.header("stripe-account") or None
    if account:
        with sb.store.lock:
            known = sb.store.get(account, "account")
            revoked = known is not None and sb.store.internal_of(account).get("deauthorized")
        if known is None or revoked:
            return _error(account_invalid(api_key, account), base)

    latency, fault = sb.faults.for_api(request.method, request.path)
    sb.faults.sleep(latency)
    after = False
    if fault == "error":
        entry["fault"] = "error"
        if sb.faults.error_after_processing():
            after = True
        else:
            return _error(_injected(sb.faults.error_status()), base)
    if fault == "timeout" and not sb.faults.timeout_after_processing():
        entry["fault"] = "timeout"
        sb.faults.sleep(sb.faults.timeout_seconds())
        return _error(api_error("The request timed out (injected by the Stripe sandbox)."), base)

    try:
        raw = decode(request.query)
        if request.method in ("POST", "DELETE"):
            raw.update(decode(request.text))
    except StripeError as exc:
        return _error(exc, base)

    key = request.header("idempotency-key") if request.method == "POST" else None
    ctx = Ctx(
        account=account,
        request_id=request.request_id,
        idempotency_key=key,
        api_version=version,
        livemode=live_key or sb.config.livemode,
    )
    response = _execute(sb, route, path_params, raw, ctx, base, request, after)
    if fault == "timeout":
        entry["fault"] = "timeout"
        sb.faults.sleep(sb.faults.timeout_seconds())
    return response


def _execute(
    sb: Sandbox,
    route: resources.Route,
    path_params: dict[str, str],
    raw: dict[str, Any],
    ctx: Ctx,
    base: dict[str, str],
    request: Request,
    error_after: bool = False,
) -> Response:
    """Validate, run, and (with an idempotency key) store the result, errors included.

    Like Stripe, a result is stored once the endpoint started executing: a 5xx after
    processing is replayed like a success. Requests that fail validation are not stored.
    """
    key = ctx.idempotency_key
    scope = f"{ctx.account or ''}|{'live' if ctx.livemode else 'test'}|{key}"
    fingerprint = json.dumps(raw, sort_keys=True)
    if key:
        with sb.store.lock:
            record = sb.store.idempotency.get(scope)
            if record is not None:
                return _replay(record, route, request, key, fingerprint, base)
            sb.store.idempotency[scope] = {
                "in_progress": True,
                "method": route.method,
                "path": request.path,
                "fingerprint": fingerprint,
            }
    try:
        params = sb.schema.validate(route.method, route.path, raw)
    except SchemaError as exc:
        if key:
            with sb.store.lock:
                sb.store.idempotency.pop(scope, None)
        return _error(exc, base)
    headers = dict(base)
    if key:
        headers["Idempotency-Key"] = key
    with sb.store.lock:
        sb.store.livemode = ctx.livemode
        try:
            body = route.handler(sb, ctx, params, **path_params)
            expand = params.get("expand") or []
            if expand:
                sb.expand(body, expand, ctx.account)
            status = 200
        except StripeError as exc:
            body, status = exc.body(), exc.status
            headers.update(exc.headers)
        except Exception:
            logger.exception("%s %s failed", route.method, request.path)
            body, status = api_error().body(), 500
        if error_after:
            status = sb.faults.error_status()
            body = _injected(status).body()
        if key:
            sb.store.idempotency[scope] = {
                "in_progress": False,
                "method": route.method,
                "path": request.path,
                "fingerprint": fingerprint,
                "status": status,
                "body": body,
                "request_id": ctx.request_id,
                "created": int(time.time()),
            }
            sb.store.touch()
        sb.store.livemode = False
        sb.store.save()
    return Response.json(status, body, headers)


def _replay(
    record: dict[str, Any],
    route: resources.Route,
    request: Request,
    key: str,
    fingerprint: str,
    base: dict[str, str],
) -> Response:
    if record.get("in_progress"):
        return _error(
            StripeError(
                409,
                "There is currently another in-progress request using this Idempotent Key "
                "(that probably means you submitted twice, and the other request is still "
                f"going through): {key}. Please try again later.",
                type="idempotency_error",
                code="idempotency_key_in_use",
            ),
            base,
        )
    if record["method"] != route.method or record["path"] != request.path:
        return _error(
            StripeError(
                400,
                "Keys for idempotent requests can only be used for the same endpoint they were "
                f"first used for ('{record['method']} {record['path']}' vs "
                f"'{route.method} {request.path}'). Try using a key other than '{key}' if you "
                "meant to execute a different request.",
                type="idempotency_error",
            ),
            base,
        )
    if record["fingerprint"] != fingerprint:
        return _error(
            StripeError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                type="idempotency_error",
            ),
            base,
        )
    headers = {
        **base,
        "Idempotency-Key": key,
        "Idempotent-Replayed": "true",
        "Original-Request": record["request_id"],
    }
    return Response.json(record["status"], record["body"], headers)
