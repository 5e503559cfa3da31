"""Stripe's error bodies and status codes, as the API and the SDK know them."""

from __future__ import annotations

from typing import Any

DOCS = "https://stripe.com/docs/error-codes/"


class StripeError(Exception):
    """An answer in Stripe's error shape: ``{"error": {"type", "code", "param", "message"}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = DOCS + self.code.replace("_", "-")
        if self.param:
            error["param"] = self.param
        error.update(self.extra)
        return {"error": error}


def invalid(message: str, *, param: str | None = None, code: str | None = None) -> StripeError:
    """400 ``invalid_request_error``."""
    return StripeError(400, message, param=param, code=code)


def missing(kind: str, object_id: str, *, param: str | None = None) -> StripeError:
    """404 ``resource_missing``: the object does not exist (or belongs to another account)."""
    return StripeError(404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def param_missing(param: str) -> StripeError:
    return StripeError(
        400, f"Missing required param: {param}.", code="parameter_missing", param=param
    )


def api_error(message: str = "An unknown error occurred") -> StripeError:
    """500 ``api_error``."""
    return StripeError(500, message, type="api_error")


def unrecognized(method: str, path: str) -> StripeError:
    return StripeError(
        404,
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
        "or we can help at https://support.stripe.com/.",
    )


def account_invalid(key: str, account: str) -> StripeError:
    """403: the Stripe-Account header names an account the key cannot use."""
    return StripeError(
        403,
        f"The provided key '{mask_key(key)}' does not have access to account '{account}' "
        "(or that account does not exist). Application access may have been revoked.",
        code="account_invalid",
    )


def mask_key(key: str) -> str:
    if len(key) <= 12:
        return key[:8] + "*" * max(0, len(key) - 8)
    return key[:8] + "*" * (len(key) - 12) + key[-4:]
