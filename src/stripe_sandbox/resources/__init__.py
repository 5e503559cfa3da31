"""The API operations the sandbox serves, each named by its path in Stripe's OpenAPI spec."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import accounts, checkout, events, payments

Handler = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the spec's path template, e.g. /v1/checkout/sessions/{session}
    handler: Handler
    pattern: re.Pattern[str]


def _route(method: str, path: str, handler: Handler) -> Route:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return Route(method, path, handler, re.compile(f"^{regex}$"))


ROUTES: tuple[Route, ...] = (
    _route("GET", "/v1/account", accounts.retrieve_own),
    _route("GET", "/v1/accounts", accounts.list_accounts),
    _route("POST", "/v1/accounts", accounts.create),
    _route("GET", "/v1/accounts/{account}", accounts.retrieve),
    _route("POST", "/v1/accounts/{account}", accounts.update),
    _route("POST", "/v1/account_links", accounts.create_link),
    _route("GET", "/v1/checkout/sessions", checkout.list_sessions),
    _route("POST", "/v1/checkout/sessions", checkout.create),
    _route("GET", "/v1/checkout/sessions/{session}", checkout.retrieve),
    _route("POST", "/v1/checkout/sessions/{session}/expire", checkout.expire),
    _route("GET", "/v1/checkout/sessions/{session}/line_items", checkout.line_items),
    _route("GET", "/v1/payment_intents", payments.list_intents),
    _route("GET", "/v1/payment_intents/{intent}", payments.retrieve_intent),
    _route("GET", "/v1/charges", payments.list_charges),
    _route("GET", "/v1/charges/{charge}", payments.retrieve_charge),
    _route("GET", "/v1/refunds", payments.list_refunds),
    _route("POST", "/v1/refunds", payments.create_refund),
    _route("GET", "/v1/refunds/{refund}", payments.retrieve_refund),
    _route("GET", "/v1/application_fees", payments.list_fees),
    _route("GET", "/v1/application_fees/{id}", payments.retrieve_fee),
    _route("GET", "/v1/balance_transactions/{id}", payments.retrieve_balance_transaction),
    _route("GET", "/v1/events", events.list_events),
    _route("GET", "/v1/events/{id}", events.retrieve),
)


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """(route, path parameters, whether the path exists under another method)."""
    path_exists = False
    for route in ROUTES:
        found = route.pattern.match(path)
        if found is None:
            continue
        if route.method == method:
            return route, found.groupdict(), True
        path_exists = True
    return None, {}, path_exists
