"""Signing webhook bodies exactly as Stripe does (t=…,v1=HMAC-SHA256 of "{t}.{payload}")."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

SECRET = "whsec_test_secportal"


def sign(payload: bytes, secret: str = SECRET, at: int | None = None) -> str:
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def event(
    kind: str, obj: dict[str, Any], *, event_id: str = "evt_test_1", account: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": event_id,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
        "data": {"object": obj},
    }
    if account:
        body["account"] = account
    return body


def post_event(
    client: Any,
    body: dict[str, Any] | bytes,
    *,
    secret: str = SECRET,
    at: int | None = None,
    signature: str | None = None,
) -> Any:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        "/stripe/webhook/",
        data=payload,
        content_type="application/json",
        headers={
            "Stripe-Signature": signature if signature is not None else sign(payload, secret, at)
        },
    )
