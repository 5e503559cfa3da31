"""Signatures as Stripe makes them: ``SecPortal-Signature: t=<unix ts>,v1=<hex>[,v1=<hex>]``,
each ``v1`` the HMAC-SHA256 of ``"<ts>.<body>"`` under one of the endpoint's secrets."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER = "SecPortal-Signature"
SECRET_PREFIX = "whsec_"
#: How old a signed timestamp a consumer should accept (our own check uses it too).
TOLERANCE = 300


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secrets_: list[str], body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    parts = [f"t={timestamp}"] + [f"v1={signature(s, timestamp, body)}" for s in secrets_]
    return ",".join(parts)


def verify(secret: str, value: str, body: bytes, now: float | None = None) -> bool:
    """What a consumer does (the README shows the same in ten lines)."""
    items = [part.split("=", 1) for part in value.split(",") if "=" in part]
    timestamps = [v for k, v in items if k == "t"]
    if not timestamps or not timestamps[0].isdigit():
        return False
    timestamp = int(timestamps[0])
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, v) for k, v in items if k == "v1")
