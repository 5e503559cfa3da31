"""Checkout Sessions (``mode=payment``), paid on the hosted page or through the control API."""

from __future__ import annotations

import re
from typing import Any

from .. import ids
from ..errors import StripeError, invalid, missing, param_missing
from ..sandbox import Ctx, Sandbox
from ..store import clone
from . import accounts, bank, customers
from .common import (
    MAXIMUM_AMOUNT,
    MINIMUM_AMOUNT,
    apply_metadata,
    check_url,
    created_matches,
    format_amount,
)

MIN_LIFETIME = 30 * 60
MAX_LIFETIME = 24 * 60 * 60
# Requests travel: an ``expires_at`` computed as "now + 30 minutes" by the client is accepted
# when it arrives a few seconds later.
LIFETIME_SLACK = 10
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FEE_WITHOUT_ACCOUNT = (
    "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct "
    "payment (using an OAuth key or Stripe-Account header) or destination payment (using "
    "`transfer_data[destination]`)."
)


def _line_items(
    sb: Sandbox, given: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str, int]:
    """Line item objects, product names, the currency and the total."""
    items: list[dict[str, Any]] = []
    products: list[dict[str, Any]] = []
    currency = ""
    total = 0
    for i, line in enumerate(given):
        where = f"line_items[{i}]"
        if line.get("price"):
            raise StripeError(
                400,
                f"No such price: '{line['price']}'",
                code="resource_missing",
                param=f"{where}[price]",
            )
        data = line.get("price_data")
        if not data:
            raise param_missing(f"{where}[price_data]")
        if data.get("product"):
            raise StripeError(
                400,
                f"No such product: '{data['product']}'",
                code="resource_missing",
                param=f"{where}[price_data][product]",
            )
        if not data.get("product_data"):
            raise param_missing(f"{where}[price_data][product_data]")
        if "unit_amount" in data:
            unit = data["unit_amount"]
        elif "unit_amount_decimal" in data:
            unit = int(float(data["unit_amount_decimal"]))
        else:
            raise param_missing(f"{where}[price_data][unit_amount]")
        if unit < 0:
            raise invalid(
                "This value must be greater than or equal to 0.",
                param=f"{where}[price_data][unit_amount]",
            )
        if "quantity" not in line:
            raise StripeError(
                400,
                f"Quantity is required. Add `quantity` to `{where}`",
                code="parameter_missing",
                param=f"{where}[quantity]",
            )
        quantity = line["quantity"]
        if quantity < 1:
            raise invalid(
                "This value must be greater than or equal to 1.", param=f"{where}[quantity]"
            )
        line_currency = data["currency"].lower()
        if currency and line_currency != currency:
            raise invalid(
                "All line items must use the same currency.", param=f"{where}[price_data][currency]"
            )
        currency = line_currency
        product = data["product_data"]
        amount = unit * quantity
        total += amount
        now = sb.now()
        product_id = ids.new_id("product")
        items.append(
            {
                "id": ids.new_id("item"),
                "object": "item",
                "adjustable_quantity": None,
                "amount_discount": 0,
                "amount_subtotal": amount,
                "amount_tax": 0,
                "amount_total": amount,
                "currency": currency,
                "description": product["name"],
                "price": {
                    "id": ids.new_id("price"),
                    "object": "price",
                    "active": False,
                    "billing_scheme": "per_unit",
                    "created": now,
                    "currency": currency,
                    "custom_unit_amount": None,
                    "livemode": False,
                    "lookup_key": None,
                    "metadata": {},
                    "nickname": None,
                    "product": product_id,
                    "recurring": None,
                    "tax_behavior": data.get("tax_behavior", "unspecified"),
                    "tiers_mode": None,
                    "transform_quantity": None,
                    "type": "one_time",
                    "unit_amount": unit,
                    "unit_amount_decimal": str(unit),
                },
                "quantity": quantity,
            }
        )
        products.append(
            {
                "id": product_id,
                "name": product["name"],
                "description": product.get("description"),
            }
        )
    return items, products, currency, total


def create(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    mode = params.get("mode")
    if not mode:
        raise param_missing("mode")
    if mode != "payment":
        raise invalid("The Stripe sandbox supports only `mode=payment`.", param="mode")
    if ctx.account:
        account = accounts.connected(sb, ctx.account)
        if not account["charges_enabled"]:
            raise invalid(
                f"The account {ctx.account} cannot currently make charges: it has not finished "
                "onboarding (charges_enabled is false)."
            )
    if not params.get("line_items"):
        raise invalid(
            "You must provide at least one line item (`line_items`) in `payment` mode.",
            param="line_items",
            code="parameter_missing",
        )
    items, products, currency, total = _line_items(sb, params["line_items"])
    minimum = MINIMUM_AMOUNT.get(currency, 50)
    if total < minimum:
        raise invalid(
            f"The Checkout Session's total amount due must add up to at least "
            f"{format_amount(minimum, currency)} {currency}",
            code="amount_too_small",
            param="line_items",
        )
    if total > MAXIMUM_AMOUNT:
        raise invalid(
            f"Amount must be no more than {format_amount(MAXIMUM_AMOUNT, currency)} {currency}",
            code="amount_too_large",
            param="line_items",
        )
    intent_data = dict(params.get("payment_intent_data") or {})
    if params.get("customer"):
        intent_data["customer"] = params["customer"]
    fee = intent_data.get("application_fee_amount")
    if fee is not None:
        fee_param = "payment_intent_data[application_fee_amount]"
        if not ctx.account:
            raise invalid(FEE_WITHOUT_ACCOUNT, param=fee_param)
        if fee < 0:
            raise invalid("This value must be greater than or equal to 0.", param=fee_param)
        if fee > total:
            raise invalid(
                f"The application fee ({format_amount(fee, currency)}) cannot be greater than "
                f"the amount of the payment ({format_amount(total, currency)}).",
                param=fee_param,
            )
    now = sb.now()
    expires_at = params.get("expires_at", now + MAX_LIFETIME)
    if expires_at < now + MIN_LIFETIME - LIFETIME_SLACK:
        raise invalid(
            "The `expires_at` timestamp must be at least 30 minutes from Checkout Session "
            "creation.",
            param="expires_at",
        )
    if expires_at > now + MAX_LIFETIME:
        raise invalid(
            "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
            param="expires_at",
        )
    if not params.get("success_url"):
        raise param_missing("success_url")
    check_url(params["success_url"], "success_url")
    if params.get("cancel_url"):
        check_url(params["cancel_url"], "cancel_url")
    email = params.get("customer_email")
    if email is not None and not EMAIL.match(email):
        raise invalid(
            f"Invalid email address: {email}", param="customer_email", code="email_invalid"
        )
    customer = params.get("customer")
    if customer:
        customers.find(sb, ctx.account, customer, "customer")
    methods, method_options = bank.session_methods(params, currency, customer)
    session_id = ids.new_id("checkout.session")
    session = {
        "id": session_id,
        "object": "checkout.session",
        "adaptive_pricing": {"enabled": False},
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": total,
        "amount_total": total,
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "billing_address_collection": None,
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id"),
        "client_secret": None,
        "collected_information": None,
        "consent": None,
        "consent_collection": None,
        "created": now,
        "currency": currency,
        "currency_conversion": None,
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "customer": customer,
        "customer_account": None,
        "customer_creation": "if_required",
        "customer_details": None,
        "customer_email": email,
        "discounts": [],
        "expires_at": expires_at,
        "integration_identifier": None,
        "invoice": None,
        "invoice_creation": {
            "enabled": False,
            "invoice_data": {
                "account_tax_ids": None,
                "custom_fields": None,
                "description": None,
                "footer": None,
                "issuer": None,
                "metadata": {},
                "rendering_options": None,
            },
        },
        "livemode": False,
        "locale": params.get("locale"),
        "managed_payments": None,
        "metadata": apply_metadata({}, params.get("metadata")),
        "mode": "payment",
        "origin_context": None,
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "if_required",
        "payment_method_configuration_details": None,
        "payment_method_options": method_options,
        "payment_method_types": methods,
        "payment_status": "unpaid",
        "permissions": None,
        "phone_number_collection": {"enabled": False},
        "recovered_from": None,
        "saved_payment_method_options": None,
        "setup_intent": None,
        "shipping_address_collection": None,
        "shipping_cost": None,
        "shipping_options": [],
        "status": "open",
        "submit_type": params.get("submit_type"),
        "subscription": None,
        "success_url": params["success_url"],
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted",
        "url": sb.url(f"/c/pay/{session_id}"),
        "wallet_options": None,
    }
    sb.store.add(
        session,
        ctx.account,
        {"line_items": items, "products": products, "payment_intent_data": intent_data},
    )
    return clone(session)


def expire_now(sb: Sandbox, session: dict[str, Any], ctx: Ctx | None) -> None:
    owner = sb.store.owner.get(session["id"])
    session["status"] = "expired"
    session["url"] = None
    intent_id = session.get("payment_intent")
    if intent_id:
        intent = sb.store.get(intent_id, "payment_intent")
        if intent is not None and intent["status"] != "succeeded":
            intent["status"] = "canceled"
            intent["canceled_at"] = sb.now()
            intent["cancellation_reason"] = "abandoned"
    sb.store.touch()
    sb.emit("checkout.session.expired", session, account=owner, ctx=ctx)


def expire_due(sb: Sandbox) -> int:
    """Expire every open session whose ``expires_at`` has passed (lazily and by the sweeper)."""
    now = sb.now()
    due = sb.store.of_kind(
        "checkout.session", where=lambda s: s["status"] == "open" and s["expires_at"] <= now
    )
    for session in due:
        expire_now(sb, session, None)
    return len(due)


def _owned(sb: Sandbox, ctx: Ctx, session_id: str) -> dict[str, Any]:
    session = sb.store.get_owned(session_id, "checkout.session", ctx.account)
    if session is None:
        raise missing("checkout.session", session_id, param="session")
    if session["status"] == "open" and session["expires_at"] <= sb.now():
        expire_now(sb, session, None)
    return session


def retrieve(sb: Sandbox, ctx: Ctx, params: dict[str, Any], session: str) -> dict[str, Any]:
    return clone(_owned(sb, ctx, session))


def list_sessions(sb: Sandbox, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    expire_due(sb)

    def keep(s: dict[str, Any]) -> bool:
        if params.get("payment_intent") and s["payment_intent"] != params["payment_intent"]:
            return False
        if params.get("status") and s["status"] != params["status"]:
            return False
        email = (params.get("customer_details") or {}).get("email")
        if email and (s["customer_details"] or {}).get("email") != email:
            return False
        return created_matches(s["created"], params.get("created"))

    found = sb.store.of_kind("checkout.session", ctx.account, keep)
    return sb.list_response(found, "/v1/checkout/sessions", params)


def expire(sb: Sandbox, ctx: Ctx, params: dict[str, Any], session: str) -> dict[str, Any]:
    obj = _owned(sb, ctx, session)
    if obj["status"] != "open":
        raise invalid(
            f"This Checkout Session is {obj['status']}: only open sessions can be expired.",
            param="session",
        )
    expire_now(sb, obj, ctx)
    return clone(obj)


def line_items_list(sb: Sandbox, session_id: str, params: dict[str, Any]) -> dict[str, Any]:
    items = list(reversed(sb.store.internal_of(session_id).get("line_items", [])))
    return sb.list_response(items, f"/v1/checkout/sessions/{session_id}/line_items", params)


def line_items(sb: Sandbox, ctx: Ctx, params: dict[str, Any], session: str) -> dict[str, Any]:
    _owned(sb, ctx, session)
    return line_items_list(sb, session, params)
