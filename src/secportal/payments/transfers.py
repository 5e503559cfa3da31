"""Bank transfers (Stripe's ``customer_balance``): Checkout completes unpaid and Stripe gives the
client an account and a reference to send the money to. The app keeps those instructions on the
attempt, so that the portal invoice and its PDF show them too (issue 16, 3); a part that arrives
(``payment_intent.partially_funded``) counts towards the balance at once (Partially paid) and
lowers the amount still to send. The invoice stays payable, and turns Paid through
``settlement`` when Stripe says the intent succeeded (the parts already counted are not counted
again).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from secportal.core.money import format_money
from secportal.invoicing import services as invoicing
from secportal.invoicing.models import ActorType, Invoice, InvoiceEventKind

from . import settlement
from .models import AttemptStatus, CheckoutAttempt

#: The account details Stripe gives, in the order a person reads them.
DETAIL_LABELS = (
    ("account_holder_name", "Account holder"),
    ("sort_code", "Sort code"),
    ("account_number", "Account number"),
    ("iban", "IBAN"),
    ("bic", "BIC"),
    ("routing_number", "Routing number"),
)


def _instructions(intent: dict[str, Any]) -> dict[str, Any]:
    action = intent.get("next_action") or {}
    found = action.get("display_bank_transfer_instructions")
    return dict(found) if isinstance(found, dict) else {}


def awaiting_transfer(session: dict[str, Any], attempt: CheckoutAttempt) -> str:
    """The client chose bank transfer: keep Stripe's instructions (asked outside the lock)."""
    intent_id = session.get("payment_intent")
    if isinstance(intent_id, dict):
        intent_id = intent_id.get("id")
    if not intent_id:
        return "awaiting payment"
    intent = settlement.payment_intent(str(intent_id), attempt.stripe_account_id)
    instructions = _instructions(intent)
    if not instructions:
        return "awaiting payment"
    with transaction.atomic():
        invoice = invoicing.lock_invoice(attempt.invoice_id)
        attempt = CheckoutAttempt.unscoped.select_for_update().get(pk=attempt.pk)
        if attempt.transfer_instructions:
            return "no change"
        attempt.payment_intent_id = str(intent_id)
        attempt.transfer_instructions = instructions
        if attempt.status in (AttemptStatus.CREATING, AttemptStatus.OPEN):
            attempt.status = AttemptStatus.AWAITING_TRANSFER
        attempt.save(update_fields=["payment_intent_id", "transfer_instructions", "status"])
        invoicing.record_event(
            invoice,
            InvoiceEventKind.TRANSFER_AWAITED,
            actor_type=ActorType.STRIPE,
            session=attempt.session_id,
            reference=instructions.get("reference", ""),
            amount=instructions.get("amount_remaining"),
        )
    return "awaiting transfer"


def apply_partially_funded(intent: dict[str, Any]) -> str:
    """``payment_intent.partially_funded``: part of a transfer arrived. It counts towards the
    balance at once (the invoice shows Partially paid; the money has left the client and sits on
    the consultancy's Stripe account for this payment), and less is left to send. The Payment row
    comes when the intent succeeds; ``transfer_counted`` keeps it from being counted twice."""
    instructions = _instructions(intent)
    found = CheckoutAttempt.unscoped.filter(payment_intent_id=intent.get("id") or "-").first()
    if found is None or not instructions:
        return "unknown payment intent"
    with transaction.atomic():
        invoice = invoicing.lock_invoice(found.invoice_id)  # the invoice first, as settlement
        attempt = CheckoutAttempt.unscoped.select_for_update().get(pk=found.pk)
        remaining = int(instructions.get("amount_remaining") or 0)
        received = attempt.amount - remaining
        new = received - attempt.transfer_counted
        if new <= 0 or remaining <= 0:
            return "no change"  # an older event, a repeat, or the last part (settlement's)
        attempt.transfer_instructions = instructions
        if invoice.is_payable:
            _, excess = invoicing.apply_payment(
                invoice.pk,
                amount=new,
                paid_at=timezone.now(),
                method="Bank transfer",
                session=attempt.session_id,
                remaining=remaining,
            )
            attempt.transfer_counted += new - excess
        else:
            invoicing.record_event(
                invoice,
                InvoiceEventKind.TRANSFER_PART_RECEIVED,
                actor_type=ActorType.STRIPE,
                amount=new,
                remaining=remaining,
            )
        attempt.save(update_fields=["transfer_instructions", "transfer_counted"])
    return "partially funded"


def transfer_of(invoice: Invoice) -> dict[str, Any] | None:
    """What the client is to send by bank transfer for this invoice, if they chose it and it is
    still owed: amounts, reference and account details, ready to show."""
    if not invoice.is_payable:
        return None
    attempt = (
        CheckoutAttempt.unscoped.filter(invoice=invoice, status=AttemptStatus.AWAITING_TRANSFER)
        .exclude(transfer_instructions={})
        .order_by("-number")
        .first()
    )
    if attempt is None:
        return None
    found = attempt.transfer_instructions
    remaining = int(found.get("amount_remaining") or 0)
    details: list[tuple[str, str]] = []
    for address in found.get("financial_addresses") or []:
        account = address.get(address.get("type")) or {}
        details += [(label, str(account[key])) for key, label in DETAIL_LABELS if account.get(key)]
    return {
        "amount": format_money(attempt.amount, attempt.currency),
        "remaining": format_money(remaining, attempt.currency),
        "received": format_money(attempt.amount - remaining, attempt.currency)
        if remaining < attempt.amount
        else "",
        "reference": str(found.get("reference") or ""),
        "details": details,
    }


def transfer_text(invoice: Invoice) -> str:
    """The same, as lines for the PDF."""
    transfer = transfer_of(invoice)
    if transfer is None:
        return ""
    lines = [
        f"Pay by bank transfer: send {transfer['remaining']} with the reference "
        f"{transfer['reference']}"
        + (f" ({transfer['received']} received so far)" if transfer["received"] else ""),
        *(f"{label}: {value}" for label, value in transfer["details"]),
    ]
    return "\n".join(lines)
