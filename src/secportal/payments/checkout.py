"""Pay Invoice: one Stripe Checkout Session per attempt, on the workspace's connected account."""

from __future__ import annotations

import contextlib
import datetime

from django.db import transaction
from django.utils import timezone

from secportal.core.fees import platform_fee
from secportal.invoicing.models import ActorType, Invoice, InvoiceEventKind
from secportal.invoicing.services import InvoiceError, lock_invoice, record_event

from . import gateway
from .models import AttemptStatus, CheckoutAttempt, ConnectedAccount

CHECKOUT_LIFETIME = datetime.timedelta(hours=23)
# Stripe wants expires_at at least 30 minutes ahead; an attempt closer than this is not reused.
MIN_REMAINING = datetime.timedelta(minutes=35)


def _prepare_attempt(invoice_id: int) -> CheckoutAttempt:
    """The invoice's open attempt if it can still be used, else a new one (saved first)."""
    with transaction.atomic():
        invoice = lock_invoice(invoice_id)
        if not invoice.is_payable:
            raise InvoiceError(
                f"This invoice is {invoice.get_status_display().lower()}; there is nothing to pay."
            )
        account = ConnectedAccount.objects.filter(workspace_id=invoice.workspace_id).first()
        if account is None or not account.ready:
            raise InvoiceError(f"{invoice.workspace.name} cannot take card payments right now.")
        now = timezone.now()
        reusable = (
            CheckoutAttempt.unscoped.filter(
                invoice=invoice,
                status__in=[AttemptStatus.CREATING, AttemptStatus.OPEN],
                amount=invoice.amount,
                currency=invoice.currency,
                stripe_account_id=account.stripe_account_id,
            )
            .order_by("-number")
            .first()
        )
        if reusable is not None and reusable.expires_at - now > MIN_REMAINING:
            return reusable
        if reusable is not None:
            reusable.status = AttemptStatus.ABANDONED
            reusable.save(update_fields=["status"])
        return _new_attempt(invoice, account, now)


def _new_attempt(
    invoice: Invoice, account: ConnectedAccount, now: datetime.datetime
) -> CheckoutAttempt:
    number = (
        CheckoutAttempt.unscoped.filter(invoice=invoice)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    fee_bps = invoice.workspace.fee_bps
    return CheckoutAttempt.unscoped.create(
        workspace_id=invoice.workspace_id,
        invoice=invoice,
        number=number,
        stripe_account_id=account.stripe_account_id,
        amount=invoice.amount,
        currency=invoice.currency,
        application_fee=platform_fee(invoice.amount, fee_bps),
        fee_bps=fee_bps,
        idempotency_key=f"checkout:{invoice.public_id}:{number}",
        expires_at=(now + CHECKOUT_LIFETIME).replace(microsecond=0),
    )


def start_checkout(
    invoice_id: int, *, success_url: str, cancel_url: str, payer_email: str = ""
) -> str:
    """Pay Invoice: the open Checkout Session's URL, created on the connected account if needed.

    The attempt (amount, fee, expiry, idempotency key) is saved before Stripe is called, so a
    retry after a Stripe failure sends the very same request and cannot make a second session.
    """
    attempt = _prepare_attempt(invoice_id)
    if attempt.status == AttemptStatus.OPEN and attempt.url:
        return attempt.url
    invoice = Invoice.unscoped.select_related("workspace", "client").get(pk=invoice_id)
    session = gateway.create_checkout_session(
        gateway.CheckoutRequest(
            account_id=attempt.stripe_account_id,
            invoice_public_id=str(invoice.public_id),
            workspace_public_ref=invoice.workspace.slug,
            number=invoice.label,
            description=invoice.description,
            amount=attempt.amount,
            currency=attempt.currency,
            application_fee=attempt.application_fee,
            customer_email=payer_email or invoice.client.billing_email,
            success_url=success_url,
            cancel_url=cancel_url,
            expires_at=int(attempt.expires_at.timestamp()),
            idempotency_key=attempt.idempotency_key,
        )
    )
    with transaction.atomic():
        invoice = lock_invoice(invoice_id)
        attempt = CheckoutAttempt.unscoped.select_for_update().get(pk=attempt.pk)
        if attempt.status == AttemptStatus.CREATING:
            attempt.session_id = session["id"]
            attempt.url = session.get("url") or ""
            attempt.status = AttemptStatus.OPEN
            attempt.save(update_fields=["session_id", "url", "status"])
            record_event(
                invoice,
                InvoiceEventKind.CHECKOUT_STARTED,
                actor_type=ActorType.SYSTEM,
                session=session["id"],
                attempt=attempt.number,
                fee=attempt.application_fee,
            )
    return attempt.url or session.get("url") or ""


def expire_open_checkouts(invoice_id: int) -> int:
    """A voided or paid invoice must not take another payment: expire its open sessions."""
    attempts = list(
        CheckoutAttempt.unscoped.filter(invoice_id=invoice_id, status=AttemptStatus.OPEN)
    )
    for attempt in attempts:
        # Refused when already complete or expired: the webhook tells which.
        with contextlib.suppress(gateway.PaymentRefused):
            gateway.expire_checkout_session(
                attempt.session_id or "", attempt.stripe_account_id, f"expire:{attempt.session_id}"
            )
        CheckoutAttempt.unscoped.filter(pk=attempt.pk, status=AttemptStatus.OPEN).update(
            status=AttemptStatus.EXPIRED
        )
    return len(attempts)
