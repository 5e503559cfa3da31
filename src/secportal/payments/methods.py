"""Ways to pay: the methods a workspace offers on Checkout, and the Stripe Customers they need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from secportal.workspaces.models import Workspace
from secportal.workspaces.services import record

from . import gateway
from .models import (
    METHOD_CURRENCIES,
    NEEDS_CUSTOMER,
    PaymentMethod,
    PaymentMethodSettings,
    StripeCustomer,
)

DEFAULT_METHODS = [PaymentMethod.CARD.value]


@dataclass(frozen=True)
class MethodNote:
    method: str
    label: str
    currencies: str
    words: str


#: What each method means for the consultancy and its client, in plain words.
NOTES = [
    MethodNote(
        PaymentMethod.CARD,
        PaymentMethod.CARD.label,
        "GBP, EUR, USD",
        "Paid at once. Stripe's card fees are the highest of these (in the UK, 1.5% + 20p for "
        "UK cards and more for international ones).",
    ),
    MethodNote(
        PaymentMethod.BACS_DEBIT,
        PaymentMethod.BACS_DEBIT.label,
        "GBP",
        "The client's UK bank account is debited; it takes about 3 working days to clear, and "
        "the invoice shows Processing meanwhile. Stripe's UK fee: 1% + 20p, capped at £4.",
    ),
    MethodNote(
        PaymentMethod.SEPA_DEBIT,
        PaymentMethod.SEPA_DEBIT.label,
        "EUR",
        "A euro bank account (IBAN) is debited; up to 14 days to clear. Stripe's fee depends "
        "on your account's country (see Stripe's pricing page); limits apply per payment.",
    ),
    MethodNote(
        PaymentMethod.US_BANK_ACCOUNT,
        PaymentMethod.US_BANK_ACCOUNT.label,
        "USD",
        "A US bank account is debited through ACH; about 4 working days to clear. Stripe's US "
        "fee: 0.8%, capped at $5.",
    ),
    MethodNote(
        PaymentMethod.BANK_TRANSFER,
        PaymentMethod.BANK_TRANSFER.label,
        "GBP, EUR, USD",
        "The client sends a transfer to bank details Stripe gives them, with a reference; "
        "it can arrive in parts. Suits accounts-payable teams; Stripe's fee depends on your "
        "account's country (see Stripe's pricing page).",
    ),
]


def offered(workspace: Workspace) -> list[str]:
    settings = PaymentMethodSettings.objects.filter(workspace=workspace).first()
    return list(settings.methods) if settings and settings.methods else list(DEFAULT_METHODS)


def methods_for(workspace: Workspace, currency: str) -> list[str]:
    """The methods offered for an invoice in ``currency``, card first (Stripe's order)."""
    chosen = offered(workspace)
    return [
        method.value
        for method in PaymentMethod
        if method.value in chosen and currency.upper() in METHOD_CURRENCIES[method]
    ]


@transaction.atomic
def set_payment_methods(workspace_id: int, actor: Any, methods: list[str]) -> list[str]:
    """Owner: the ways to pay offered from now on (new checkouts); at least one."""
    wanted = [m.value for m in PaymentMethod if m.value in methods]
    if not wanted:
        raise ValidationError({"methods": "Offer at least one way to pay."})
    workspace = Workspace.objects.select_for_update().get(pk=workspace_id)
    settings, _ = PaymentMethodSettings.objects.get_or_create(
        workspace=workspace, defaults={"methods": list(DEFAULT_METHODS)}
    )
    if settings.methods != wanted:
        before = list(settings.methods)
        settings.methods = wanted
        settings.save(update_fields=["methods", "updated_at"])
        record(workspace, actor, "payments.methods_changed", ", ".join(wanted), before=before)
    return wanted


def customer_for(workspace: Workspace, client: Any, account_id: str, email: str) -> str:
    """The client's Customer on the connected account: created once (idempotent key), reused.

    Called outside any transaction, before the checkout attempt is prepared: it may ask Stripe.
    """
    known = StripeCustomer.unscoped.filter(client=client, stripe_account_id=account_id).first()
    if known is not None:
        return known.customer_id
    created = gateway.create_customer(
        account_id=account_id,
        name=client.name,
        email=email,
        client_public_id=str(client.public_id),
        idempotency_key=f"customer:{client.public_id}:{account_id}",
    )
    try:
        with transaction.atomic():
            StripeCustomer.unscoped.create(
                workspace=workspace,
                client=client,
                stripe_account_id=account_id,
                customer_id=created["id"],
            )
    except IntegrityError:  # another request stored it first (same key: same customer)
        pass
    return str(created["id"])


def needs_customer(methods: list[str]) -> bool:
    return any(method in NEEDS_CUSTOMER for method in methods)


def partial_settings(workspace: Workspace) -> PaymentMethodSettings:
    """The workspace's partial payment settings (off, minimum 10%, until an owner chooses)."""
    found = PaymentMethodSettings.objects.filter(workspace=workspace).first()
    return found or PaymentMethodSettings(workspace=workspace)


def minimum_part(invoice: Any, settings: PaymentMethodSettings) -> int:
    """The smallest part of ``invoice`` a client may pay: the workspace's share of its total,
    rounded up to a whole minor unit, and never more than the balance."""
    share = -(-invoice.amount * settings.minimum_part_percent // 100)
    return min(share, invoice.balance_due)


@transaction.atomic
def set_partial_payments(
    workspace_id: int, actor: Any, *, allow: bool, minimum_percent: int
) -> None:
    """Allow partial payments (or not) and the minimum part, recorded in the workspace's log."""
    if not 1 <= minimum_percent <= 100:
        raise ValidationError("Minimum part: enter a whole percent from 1 to 100.")
    workspace = Workspace.objects.select_for_update().get(pk=workspace_id)
    found, _ = PaymentMethodSettings.objects.get_or_create(
        workspace=workspace, defaults={"methods": list(DEFAULT_METHODS)}
    )
    before = (found.allow_partial_payments, found.minimum_part_percent)
    if before == (allow, minimum_percent):
        return
    found.allow_partial_payments = allow
    found.minimum_part_percent = minimum_percent
    found.save(update_fields=["allow_partial_payments", "minimum_part_percent", "updated_at"])
    words = f"allowed, minimum {minimum_percent}%" if allow else "not allowed"
    record(workspace, actor, "payments.partial_payments_changed", words, before=list(before))
