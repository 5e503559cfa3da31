"""The API operations the sandbox serves, each named by its path template (as in
:data:`stripe_sandbox.schema_build.SERVED`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import (
    accounts,
    balances,
    cash_balances,
    checkout,
    customers,
    disputes,
    events,
    payments,
    refunds,
    webhook_endpoints,
)

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
    _route("GET", "/v1/refunds", refunds.list_refunds),
    _route("POST", "/v1/refunds", refunds.create_refund),
    _route("GET", "/v1/refunds/{refund}", refunds.retrieve_refund),
    _route("GET", "/v1/application_fees", balances.list_fees),
    _route("GET", "/v1/application_fees/{id}", balances.retrieve_fee),
    _route("GET", "/v1/application_fees/{id}/refunds", refunds.list_fee_refunds),
    _route("POST", "/v1/application_fees/{id}/refunds", refunds.create_fee_refund),
    _route("GET", "/v1/balance_transactions", balances.list_balance_transactions),
    _route("GET", "/v1/balance_transactions/{id}", balances.retrieve_balance_transaction),
    _route("GET", "/v1/events", events.list_events),
    _route("GET", "/v1/events/{id}", events.retrieve),
    _route("GET", "/v1/webhook_endpoints", webhook_endpoints.list_endpoints),
    _route("POST", "/v1/webhook_endpoints", webhook_endpoints.create),
    _route("GET", "/v1/webhook_endpoints/{webhook_endpoint}", webhook_endpoints.retrieve),
    _route("DELETE", "/v1/webhook_endpoints/{webhook_endpoint}", webhook_endpoints.delete),
    _route("GET", "/v1/customers", customers.list_customers),
    _route("POST", "/v1/customers", customers.create),
    _route("GET", "/v1/customers/{customer}", customers.retrieve),
    _route("POST", "/v1/customers/{customer}", customers.update),
    _route("GET", "/v1/customers/{customer}/cash_balance", cash_balances.retrieve_cash_balance),
    _route(
        "POST",
        "/v1/test_helpers/customers/{customer}/fund_cash_balance",
        cash_balances.fund_cash_balance,
    ),
    _route("GET", "/v1/disputes", disputes.list_disputes),
    _route("GET", "/v1/disputes/{dispute}", disputes.retrieve),
    _route("POST", "/v1/disputes/{dispute}", disputes.update),
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
