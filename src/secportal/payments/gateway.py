"""The only module that talks to Stripe (DESIGN.md 7).

A thin, typed wrapper per Stripe call through the official SDK's ``StripeClient``. Every POST
carries a deterministic idempotency key chosen by the caller; Stripe's errors become
``PaymentsUnavailable`` (Stripe or the network failed: try again) or ``PaymentRefused`` (Stripe
said no), each logged with Stripe's request id. Money crosses this boundary as integer minor
units and lower-case currency codes, as Stripe wants them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

import stripe
from django.conf import settings

from .error_words import plain_message

logger = logging.getLogger(__name__)

API_VERSION = "2026-10-28.endive"
NETWORK_RETRIES = 2


class GatewayError(Exception):
    """Stripe could not do what we asked; ``message`` is safe to show to a person."""

    def __init__(
        self,
        message: str,
        *,
        request_id: str | None = None,
        code: str | None = None,
        replayed: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        self.code = code
        # Stripe answered from its idempotency store (``Idempotent-Replayed: true``): the same
        # key will give the same answer for 24 hours, so trying again needs a new request.
        self.replayed = replayed

    @property
    def needs_new_request(self) -> bool:
        """This idempotency key is spent: a stored failure, or other parameters under it."""
        return self.replayed or self.code == "idempotency_error"


class PaymentsUnavailable(GatewayError):
    """Stripe or the network failed; the same request may be tried again."""


class PaymentRefused(GatewayError):
    """Stripe refused the request (invalid, or not allowed for this account)."""


@cache
def _client(api_key: str, api_base: str, timeout: float) -> stripe.StripeClient:
    base_addresses: dict[str, str] = {}
    if api_base:
        base_addresses = {"api": api_base, "connect": api_base, "files": api_base}
    return stripe.StripeClient(
        api_key,
        stripe_version=API_VERSION,
        base_addresses=base_addresses,  # type: ignore[arg-type]
        max_network_retries=NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def key_livemode() -> bool:
    """Whether our key is a live one: only events of the same mode are applied."""
    return settings.STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_"))


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentsUnavailable("Online payments are not configured (no Stripe key).")
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_TIMEOUT)


def _call(what: str, fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        result = fn(*args, **kwargs)
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
        logger.warning("stripe %s failed (request %s): %s", what, exc.request_id, exc)
        raise PaymentsUnavailable(
            "Stripe could not be reached just now. Please try again in a moment.",
            request_id=exc.request_id,
            replayed=_replayed(exc),
        ) from exc
    except stripe.StripeError as exc:
        code = getattr(exc, "code", None)
        if isinstance(exc, stripe.IdempotencyError):
            code = "idempotency_error"  # Stripe sends it as the error's type, with no code
        logger.warning("stripe %s refused (request %s, %s): %s", what, exc.request_id, code, exc)
        raise PaymentRefused(
            plain_message(type(exc).__name__, code, exc.request_id),  # Stripe's words: the log
            request_id=exc.request_id,
            code=code,
            replayed=_replayed(exc),
        ) from exc
    return result.to_dict() if hasattr(result, "to_dict") else dict(result)


def _replayed(exc: stripe.StripeError) -> bool:
    headers = exc.headers or {}
    value = next((v for k, v in headers.items() if k.lower() == "idempotent-replayed"), "")
    return str(value).lower() == "true"


def _options(idempotency_key: str | None = None, account: str | None = None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    if account:
        options["stripe_account"] = account
    return options


# Connect ---------------------------------------------------------------------------------


def create_account(*, email: str, business_name: str, idempotency_key: str) -> dict[str, Any]:
    """A Standard-like connected account: full dashboard, pays its own fees, Stripe owns losses."""
    params = {
        "email": email,
        "business_profile": {"name": business_name},
        "controller": {
            "fees": {"payer": "account"},
            "losses": {"payments": "stripe"},
            "requirement_collection": "stripe",
            "stripe_dashboard": {"type": "full"},
        },
        "metadata": {"platform": "secportal"},
    }
    return _call("account create", client().v1.accounts.create, params, _options(idempotency_key))


def retrieve_account(account_id: str) -> dict[str, Any]:
    return _call("account retrieve", client().v1.accounts.retrieve, account_id)


def create_account_link(
    *, account_id: str, refresh_url: str, return_url: str, idempotency_key: str
) -> str:
    params = {
        "account": account_id,
        "type": "account_onboarding",
        "refresh_url": refresh_url,
        "return_url": return_url,
    }
    link = _call(
        "account link", client().v1.account_links.create, params, _options(idempotency_key)
    )
    return str(link["url"])


# Checkout --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutRequest:
    account_id: str
    invoice_public_id: str
    workspace_public_ref: str
    number: str
    description: str
    amount: int
    currency: str
    application_fee: int
    customer_email: str
    success_url: str
    cancel_url: str
    expires_at: int
    idempotency_key: str
    # endive's allowed_payment_method_types (card only when empty), and the Stripe Customer
    # that bank transfers need.
    payment_methods: tuple[str, ...] = ()
    customer: str = ""
    # Stripe Checkout's locale (its page formats amounts and dates as the workspace does).
    locale: str = ""


# Stripe's bank transfer type for each currency (eu_bank_transfer also needs a country).
BANK_TRANSFER_TYPES = {
    "GBP": "gb_bank_transfer",
    "EUR": "eu_bank_transfer",
    "USD": "us_bank_transfer",
}


def create_checkout_session(request: CheckoutRequest) -> dict[str, Any]:
    """A direct charge on the connected account, with the platform's fee."""
    metadata = {"invoice": request.invoice_public_id, "workspace": request.workspace_public_ref}
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": request.currency.lower(),
                    "unit_amount": request.amount,
                    "product_data": {
                        "name": f"Invoice {request.number}",
                        "description": request.description[:500] or request.number,
                    },
                },
            }
        ],
        "customer_email": request.customer_email or None,
        "client_reference_id": request.invoice_public_id,
        "metadata": metadata,
        "payment_intent_data": {
            "application_fee_amount": request.application_fee,
            "metadata": metadata,
            "description": f"Invoice {request.number}",
        },
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
        "expires_at": request.expires_at,
    }
    if request.payment_methods:
        params["allowed_payment_method_types"] = list(request.payment_methods)
    if request.locale:
        params["locale"] = request.locale
    if request.customer:
        params["customer"] = request.customer  # Stripe takes a customer or an email, not both
        params.pop("customer_email", None)
    if "customer_balance" in request.payment_methods:
        transfer: dict[str, Any] = {"type": BANK_TRANSFER_TYPES[request.currency]}
        if request.currency == "EUR":
            transfer["eu_bank_transfer"] = {"country": "IE"}
        params["payment_method_options"] = {
            "customer_balance": {"funding_type": "bank_transfer", "bank_transfer": transfer}
        }
    if params.get("customer_email") is None:
        params.pop("customer_email", None)
    return _call(
        "checkout create",
        client().v1.checkout.sessions.create,
        params,
        _options(request.idempotency_key, request.account_id),
    )


def retrieve_checkout_session(session_id: str, account_id: str) -> dict[str, Any]:
    return _call(
        "checkout retrieve",
        client().v1.checkout.sessions.retrieve,
        session_id,
        None,
        _options(account=account_id),
    )


def expire_checkout_session(
    session_id: str, account_id: str, idempotency_key: str
) -> dict[str, Any]:
    return _call(
        "checkout expire",
        client().v1.checkout.sessions.expire,
        session_id,
        None,
        _options(idempotency_key, account_id),
    )


def retrieve_payment_intent(payment_intent_id: str, account_id: str) -> dict[str, Any]:
    """The payment intent with its charge and the charge's balance transaction (Stripe's fee)."""
    return _call(
        "payment intent retrieve",
        client().v1.payment_intents.retrieve,
        payment_intent_id,
        {"expand": ["latest_charge.balance_transaction"]},
        _options(account=account_id),
    )


# Customers -------------------------------------------------------------------------------


def create_customer(
    *, account_id: str, name: str, email: str, client_public_id: str, idempotency_key: str
) -> dict[str, Any]:
    """A Customer on the connected account (bank transfers need one), named after the client."""
    params: dict[str, Any] = {"name": name[:256], "metadata": {"client": client_public_id}}
    if email:
        params["email"] = email
    return _call(
        "customer create",
        client().v1.customers.create,
        params,
        _options(idempotency_key, account_id),
    )


# Refunds ---------------------------------------------------------------------------------


def create_refund(
    *,
    charge_id: str,
    account_id: str,
    amount: int | None,
    reason: str,
    idempotency_key: str,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Refund part or all of a charge, with the platform's fee refunded in proportion."""
    params: dict[str, Any] = {
        "charge": charge_id,
        "refund_application_fee": True,
        "metadata": {"reason": reason[:400], **(metadata or {})},
    }
    if amount is not None:
        params["amount"] = amount
    if reason in ("duplicate", "requested_by_customer", "fraudulent"):
        params["reason"] = reason
    return _call(
        "refund create", client().v1.refunds.create, params, _options(idempotency_key, account_id)
    )


def list_refunds(*, charge_id: str, account_id: str) -> list[dict[str, Any]]:
    """Stripe's refunds of a charge (charges stopped embedding them at 2022-11-15)."""
    page = _call(
        "refund list",
        client().v1.refunds.list,
        {"charge": charge_id, "limit": 100},
        _options(account=account_id),
    )
    return list(page.get("data") or [])


def application_fee_of(charge_id: str) -> dict[str, Any] | None:
    """The platform's application fee taken on a connected account's charge (a platform read:
    its ``amount_refunded`` says how much of the fee Stripe gave back, whoever refunded)."""
    page = _call(
        "application fee list",
        client().v1.application_fees.list,
        {"charge": charge_id, "limit": 1},
        _options(),
    )
    found = page.get("data") or []
    return found[0] if found else None


# Webhook endpoints -----------------------------------------------------------------------


def list_webhook_endpoints() -> list[dict[str, Any]]:
    page = _call("webhook endpoint list", client().v1.webhook_endpoints.list, {"limit": 100})
    return list(page.get("data") or [])


def create_webhook_endpoint(
    *, url: str, enabled_events: list[str], connect: bool, idempotency_key: str
) -> dict[str, Any]:
    """A webhook endpoint at the pinned API version; Stripe returns its secret only now."""
    params = {
        "url": url,
        "enabled_events": enabled_events,
        "connect": connect,
        "api_version": API_VERSION,
        "description": "SecPortal invoicing and payments",
    }
    return _call(
        "webhook endpoint create",
        client().v1.webhook_endpoints.create,
        params,
        _options(idempotency_key),
    )


def delete_webhook_endpoint(endpoint_id: str) -> dict[str, Any]:
    return _call("webhook endpoint delete", client().v1.webhook_endpoints.delete, endpoint_id)


# Webhooks --------------------------------------------------------------------------------

WEBHOOK_TOLERANCE_SECONDS = 300


def verify_webhook(payload: bytes, signature: str | None, secrets: list[str]) -> bool:
    """True when ``payload`` is signed by one of our endpoint secrets within the tolerance."""
    text = payload.decode("utf-8")
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(
                text, signature or "", secret, WEBHOOK_TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError:
            continue
        return True
    return False
