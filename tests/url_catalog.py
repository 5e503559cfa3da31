"""Every URL pattern of the project, with how to fill its parameters for a given workspace.

A test that walks all URLs uses this, so a new URL with a new kind of parameter fails loudly
until it is described here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# URLs that are not consultant pages, and why.
PUBLIC_URLS = {
    "healthz": "health check for the load balancer",
    "accounts:login": "sign in",
    "accounts:logout": "sign out",
    "accounts:login_code": "sign in, second step (two-factor code)",
    "accounts:account": "the person's own account (password, two-factor): no workspace data",
    "accounts:two_factor": "the person's own two-factor setup",
    "accounts:recovery_codes": "the person's own recovery codes",
    "accounts:two_factor_off": "the person's own two-factor setting",
    "accounts:password_change": "the person's own password",
    "accounts:password_reset": "password reset by email (signed out)",
    "accounts:password_reset_done": "password reset by email (signed out)",
    "accounts:password_reset_confirm": "password reset link: signed, single-use token",
    "accounts:password_reset_complete": "password reset by email (signed out)",
    "accounts:invitation": "invitation link: signed, single-use token",
    "workspace_switch": "changes the person's own workspace; checks membership itself",
    "notifications:mailbox": "demo-only (DEBUG) mailbox of caught emails",
    "notifications:message": "demo-only (DEBUG) mailbox of caught emails",
    "stripe_webhook": "Stripe's webhooks: signed by Stripe, no session",
    "payments:checkout_success": "the payer returns from Stripe; checked with Stripe",
}
# The client portal scopes by the signed-in contact (or the signed pay link), not by membership;
# its isolation is tested over every portal URL in tests/portal/.
PUBLIC_PREFIXES = ("portal:", "api:")
# The API (``api:``) is scoped by its key, not by a session: its isolation is tested over every
# operation of its OpenAPI document in tests/test_tenancy.py (API_BODIES, api_param_values below).


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    params: tuple[str, ...]
    view: Callable[..., Any]

    @property
    def is_workspace_view(self) -> bool:
        return hasattr(self.view, "workspace_min_role")

    @property
    def is_public(self) -> bool:
        return self.name in PUBLIC_URLS or self.name.startswith(PUBLIC_PREFIXES)


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), full_ns)
        elif isinstance(pattern, URLPattern):
            if not pattern.name:
                continue
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            params = (
                tuple(pattern.pattern.converters) if hasattr(pattern.pattern, "converters") else ()
            )
            yield Route(name, prefix + str(pattern.pattern), params, pattern.callback)


def all_routes() -> list[Route]:
    return [r for r in _walk(get_resolver().url_patterns) if not r.name.startswith("admin:")]


def param_values(tenant: Any) -> dict[str, Any]:
    """For each URL parameter name, the value that names the tenant's object."""
    values: dict[str, Any] = {
        "client_id": tenant.client.public_id,
        "contact_id": tenant.contact.public_id,
        "engagement_id": tenant.engagement.public_id,
        "membership_id": tenant.membership(tenant.member).pk,
        "invoice_id": tenant.invoice.public_id,
    }
    for name, getter in EXTRA_PARAMS.items():
        values[name] = getter(tenant)
    return values


def _credit_note(tenant: Any) -> Any:
    """A credit note of the tenant's invoice (made directly: the URL walk needs only the row)."""
    from secportal.invoicing.models import CreditNote

    note, _ = CreditNote.unscoped.get_or_create(
        workspace=tenant.workspace,
        request_key="url-catalog",
        defaults={
            "invoice": tenant.invoice,
            "number": "CN-9999",
            "issue_date": tenant.workspace.today(),
            "reason": "Catalog",
            "amount": 100,
            "net_amount": 100,
        },
    )
    return note.public_id


def _recorded_payment(tenant: Any) -> Any:
    """A payment recorded by hand on the tenant's invoice (made directly, like the note)."""
    from secportal.invoicing.models import RecordedPayment

    payment, _ = RecordedPayment.unscoped.get_or_create(
        workspace=tenant.workspace,
        request_key="url-catalog",
        defaults={
            "invoice": tenant.invoice,
            "amount": 100,
            "currency": tenant.invoice.currency,
            "received_on": tenant.workspace.today(),
            "method": "cheque",
        },
    )
    return payment.public_id


# Later issues register their parameters here (e.g. invoice_id).
EXTRA_PARAMS: dict[str, Callable[[Any], Any]] = {
    "credit_note_id": _credit_note,
    "payment_id": _recorded_payment,
}


def _api_key_id(tenant: Any) -> int:
    from secportal.api import keys
    from secportal.api.models import ApiKey

    existing = ApiKey.unscoped.filter(workspace=tenant.workspace).first()
    if existing is not None:
        return existing.pk
    return keys.create_key(tenant.workspace, tenant.owner, name="catalog", role="admin").api_key.pk


EXTRA_PARAMS["key_id"] = _api_key_id


def _webhook_endpoint(tenant: Any) -> Any:
    from secportal.webhooks.models import WebhookEndpoint

    endpoint, _ = WebhookEndpoint.unscoped.get_or_create(
        workspace=tenant.workspace,
        url="https://hooks.example.com/catalog",
        defaults={"events": ["invoice.paid"], "secret": "whsec_catalog"},
    )
    return endpoint


def _webhook_delivery(tenant: Any) -> Any:
    from secportal.webhooks.models import WebhookDelivery, WebhookEvent

    endpoint = _webhook_endpoint(tenant)
    delivery = WebhookDelivery.unscoped.filter(endpoint=endpoint).first()
    if delivery is None:
        event = WebhookEvent.unscoped.create(
            workspace=tenant.workspace, type="invoice.paid", payload={"catalog": True}
        )
        delivery = WebhookDelivery.unscoped.create(
            workspace=tenant.workspace, endpoint=endpoint, event=event, next_attempt_at=None
        )
    return delivery.public_id


EXTRA_PARAMS["endpoint_id"] = lambda tenant: _webhook_endpoint(tenant).public_id
EXTRA_PARAMS["delivery_id"] = _webhook_delivery


# The API's operations (``/api/v1/...``, named by its OpenAPI document), scoped by the key:
# for each path parameter, the value naming the tenant's object, and for each operation that
# takes a body, a valid one (so that only the object named can make it fail).
def _stripe_payment(tenant: Any) -> str:
    from django.utils import timezone

    from secportal.payments.models import Payment

    session = f"cs_test_catalog_{tenant.workspace.pk}"
    Payment.unscoped.get_or_create(
        checkout_session_id=session,
        defaults={
            "workspace": tenant.workspace,
            "invoice": tenant.invoice,
            "stripe_account_id": "acct_catalog",
            "amount": 100,
            "currency": tenant.invoice.currency,
            "application_fee": 4,
            "net": 96,
            "paid_at": timezone.now(),
        },
    )
    return session


def api_param_values(tenant: Any) -> dict[str, Any]:
    return {
        "client_id": tenant.client.public_id,
        "contact_id": tenant.contact.public_id,
        "engagement_id": tenant.engagement.public_id,
        "invoice_id": tenant.invoice.public_id,
        "credit_note_id": _credit_note(tenant),
        "recorded_payment_id": _recorded_payment(tenant),
        "payment_id": _stripe_payment(tenant),
    }


API_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("patch", "/api/v1/invoices/{invoice_id}"): {"description": "Catalog"},
    ("post", "/api/v1/invoices/{invoice_id}/credit_notes"): {"reason": "Catalog"},
    ("post", "/api/v1/invoices/{invoice_id}/refunds"): {},
    ("post", "/api/v1/invoices/{invoice_id}/recorded_payments"): {
        "amount": 1,
        "method": "cheque",
    },
    ("post", "/api/v1/clients/{client_id}/contacts"): {"name": "Cat", "email": "cat@example.test"},
}
