"""Payments: Stripe Connect onboarding, Checkout, Stripe's word on payments and refunds.

Every change is one function here: one transaction, the invoice row locked, an invoice event,
and idempotent, so that a webhook, the success page and the reconciliation task can all apply
the same news from Stripe without counting money twice (DESIGN.md 7).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from secportal.core.fees import platform_fee
from secportal.invoicing.models import PAYABLE, ActorType, Invoice, InvoiceStatus
from secportal.invoicing.services import InvoiceError, record_event
from secportal.workspaces.models import Workspace

from . import emails, gateway
from .models import (
    AttemptStatus,
    CheckoutAttempt,
    ConnectedAccount,
    Payment,
    Refund,
    StripeEvent,
)

logger = logging.getLogger(__name__)

CHECKOUT_LIFETIME = datetime.timedelta(hours=23)
# Stripe wants expires_at at least 30 minutes ahead; an attempt closer than this is not reused.
MIN_REMAINING = datetime.timedelta(minutes=35)


# Connect ---------------------------------------------------------------------------------


def _absolute(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def connect_link(workspace_id: int, user: Any) -> str:
    """Create the workspace's connected account once, then an onboarding link to follow."""
    with transaction.atomic():
        workspace = Workspace.objects.select_for_update().get(pk=workspace_id)
        account = ConnectedAccount.objects.filter(workspace=workspace).first()
    if account is None or account.disconnected_at is not None:
        created = gateway.create_account(
            email=user.email,
            business_name=workspace.name,
            idempotency_key=f"account:{workspace.slug}:{workspace.pk}"
            + (f":{account.pk}-{account.disconnected_at:%s}" if account else ""),
        )
        with transaction.atomic():
            Workspace.objects.select_for_update().get(pk=workspace_id)
            account = ConnectedAccount.objects.filter(workspace=workspace).first()
            if account is None:
                account = ConnectedAccount(workspace=workspace)
            account.stripe_account_id = created["id"]
            account.disconnected_at = None
            _copy_account_flags(account, created)
            account.save()
            from secportal.workspaces.services import record

            record(workspace, user, "stripe.account_created", created["id"])
    with transaction.atomic():
        account = ConnectedAccount.objects.select_for_update().get(pk=account.pk)
        account.links_created += 1
        account.save(update_fields=["links_created"])
        key = f"account-link:{account.stripe_account_id}:{account.links_created}"
    return gateway.create_account_link(
        account_id=account.stripe_account_id,
        refresh_url=_absolute("payments:connect_refresh"),
        return_url=_absolute("payments:connect_return"),
        idempotency_key=key,
    )


def _copy_account_flags(account: ConnectedAccount, data: dict[str, Any]) -> list[str]:
    changed = []
    for field in ("details_submitted", "charges_enabled", "payouts_enabled", "livemode"):
        value = bool(data.get(field, False))
        if getattr(account, field) != value:
            setattr(account, field, value)
            changed.append(field)
    account.last_synced_at = timezone.now()
    return changed


def refresh_account(workspace_id: int) -> ConnectedAccount | None:
    """Re-read the account from Stripe (after the person returns from onboarding)."""
    account = ConnectedAccount.objects.filter(workspace_id=workspace_id).first()
    if account is None or account.disconnected_at is not None:
        return account
    data = gateway.retrieve_account(account.stripe_account_id)
    return apply_account(data)


def apply_account(data: dict[str, Any]) -> ConnectedAccount | None:
    with transaction.atomic():
        account = (
            ConnectedAccount.objects.select_for_update()
            .filter(stripe_account_id=data.get("id"))
            .first()
        )
        if account is None:
            return None
        changed = _copy_account_flags(account, data)
        account.save()
        if changed:
            from secportal.workspaces.services import record

            record(
                account.workspace,
                None,
                "stripe.account_updated",
                account.stripe_account_id,
                ready=account.ready,
            )
        return account


def apply_deauthorized(account_id: str) -> ConnectedAccount | None:
    with transaction.atomic():
        account = (
            ConnectedAccount.objects.select_for_update()
            .filter(stripe_account_id=account_id)
            .first()
        )
        if account is None or account.disconnected_at is not None:
            return account
        account.disconnected_at = timezone.now()
        account.charges_enabled = False
        account.save(update_fields=["disconnected_at", "charges_enabled"])
        from secportal.workspaces.services import record

        record(account.workspace, None, "stripe.account_disconnected", account_id)
        return account


# Checkout --------------------------------------------------------------------------------


def _lock_invoice(invoice_id: int) -> Invoice:
    return (
        Invoice.unscoped.select_for_update(of=("self",))
        .select_related("workspace", "client", "engagement")
        .get(pk=invoice_id)
    )


def _prepare_attempt(invoice_id: int, success_url: str, cancel_url: str) -> CheckoutAttempt:
    with transaction.atomic():
        invoice = _lock_invoice(invoice_id)
        if invoice.status not in PAYABLE:
            raise InvoiceError(
                f"This invoice is {invoice.get_status_display().lower()}; there is nothing to pay."
            )
        account = ConnectedAccount.objects.filter(workspace_id=invoice.workspace_id).first()
        if account is None or not account.ready:
            raise InvoiceError("The consultancy cannot take card payments right now.")
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
    attempt = _prepare_attempt(invoice_id, success_url, cancel_url)
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
        invoice = _lock_invoice(invoice_id)
        attempt = CheckoutAttempt.unscoped.select_for_update().get(pk=attempt.pk)
        if attempt.status == AttemptStatus.CREATING:
            attempt.session_id = session["id"]
            attempt.url = session.get("url") or ""
            attempt.status = AttemptStatus.OPEN
            attempt.save(update_fields=["session_id", "url", "status"])
            record_event(
                invoice,
                "checkout_started",
                actor_type=ActorType.SYSTEM,
                session=session["id"],
                attempt=attempt.number,
                fee=attempt.application_fee,
            )
    return attempt.url or session.get("url") or ""


def expire_open_checkouts(invoice_id: int) -> int:
    """A voided invoice must not be payable: expire its open sessions at Stripe."""
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


# Stripe's word ---------------------------------------------------------------------------


def apply_paid_session(session: dict[str, Any], account_id: str, *, source: str) -> str:
    """Record a paid Checkout Session (webhook, success page or reconciliation); idempotent."""
    if session.get("payment_status") != "paid":
        return "not paid yet"
    session_id = session["id"]
    attempt = CheckoutAttempt.unscoped.filter(session_id=session_id).first()
    if attempt is None:
        return "unknown session"
    if Payment.unscoped.filter(checkout_session_id=session_id).exists():
        return "already recorded"
    intent: dict[str, Any] = {}
    if session.get("payment_intent"):
        intent_id = session["payment_intent"]
        if isinstance(intent_id, dict):
            intent_id = intent_id["id"]
        intent = gateway.retrieve_payment_intent(intent_id, attempt.stripe_account_id)
    with transaction.atomic():
        invoice = _lock_invoice(attempt.invoice_id)
        if Payment.unscoped.filter(checkout_session_id=session_id).exists():
            return "already recorded"
        attempt = CheckoutAttempt.unscoped.select_for_update().get(pk=attempt.pk)
        problems = _mismatches(session, account_id, attempt, invoice)
        if problems:
            invoice.attention = "A payment did not match this invoice: " + "; ".join(problems)
            invoice.save(update_fields=["attention", "updated_at"])
            record_event(
                invoice,
                "payment_flagged",
                actor_type=ActorType.STRIPE,
                session=session_id,
                problems=problems,
                source=source,
            )
            return "mismatch: " + "; ".join(problems)
        charge = intent.get("latest_charge")
        charge_id = charge["id"] if isinstance(charge, dict) else (charge or "")
        fee = int(intent.get("application_fee_amount") or attempt.application_fee)
        paid_at = timezone.now()
        duplicate = invoice.status not in PAYABLE
        payment = Payment.unscoped.create(
            workspace_id=invoice.workspace_id,
            invoice=invoice,
            attempt=attempt,
            stripe_account_id=attempt.stripe_account_id,
            checkout_session_id=session_id,
            payment_intent_id=intent.get("id", ""),
            charge_id=charge_id,
            amount=attempt.amount,
            currency=attempt.currency,
            application_fee=fee,
            net=attempt.amount - fee,
            paid_at=paid_at,
            duplicate=duplicate,
            payer_email=(session.get("customer_details") or {}).get("email")
            or session.get("customer_email")
            or "",
        )
        attempt.status = AttemptStatus.COMPLETE
        attempt.completed_at = paid_at
        attempt.save(update_fields=["status", "completed_at"])
        if duplicate:
            invoice.attention = (
                f"A second payment ({session_id}) arrived for this "
                f"{invoice.get_status_display().lower()} invoice; it is being refunded."
            )
            invoice.save(update_fields=["attention", "updated_at"])
            record_event(
                invoice,
                "payment_flagged",
                actor_type=ActorType.STRIPE,
                session=session_id,
                duplicate=True,
                source=source,
            )
            payment_id = payment.pk
            transaction.on_commit(lambda: _enqueue_duplicate_refund(payment_id))
            return "duplicate payment: refund queued"
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = paid_at
        invoice.save(update_fields=["status", "paid_at", "updated_at"])
        record_event(
            invoice,
            "paid",
            actor_type=ActorType.STRIPE,
            session=session_id,
            amount=payment.amount,
            fee=payment.application_fee,
            source=source,
        )
        emails.queue_paid_emails(invoice, payment)
        # Any other open session of this invoice must not take a second payment.
        others_open = (
            CheckoutAttempt.unscoped.filter(invoice=invoice, status=AttemptStatus.OPEN)
            .exclude(pk=attempt.pk)
            .exists()
        )
        if others_open:
            invoice_id = invoice.pk
            transaction.on_commit(lambda: _enqueue_expire(invoice_id))
    return "paid"


def _mismatches(
    session: dict[str, Any], account_id: str, attempt: CheckoutAttempt, invoice: Invoice
) -> list[str]:
    problems = []
    if account_id != attempt.stripe_account_id:
        problems.append(f"account {account_id} is not the invoice's {attempt.stripe_account_id}")
    reference = session.get("client_reference_id") or (session.get("metadata") or {}).get("invoice")
    if reference != str(invoice.public_id):
        problems.append("the session names another invoice")
    if session.get("amount_total") != attempt.amount or attempt.amount != invoice.amount:
        problems.append(f"amount {session.get('amount_total')} is not {attempt.amount}")
    if (session.get("currency") or "").upper() != attempt.currency:
        problems.append(f"currency {session.get('currency')} is not {attempt.currency}")
    return problems


def _enqueue_duplicate_refund(payment_id: int) -> None:
    from .tasks import refund_duplicate_payment

    refund_duplicate_payment.enqueue(payment_id)


def _enqueue_expire(invoice_id: int) -> None:
    from .tasks import expire_invoice_checkouts

    expire_invoice_checkouts.enqueue(invoice_id)


def apply_session_closed(session: dict[str, Any], status: str) -> str:
    """expired or async_payment_failed: the attempt can no longer take this payment."""
    with transaction.atomic():
        attempt = (
            CheckoutAttempt.unscoped.select_for_update()
            .filter(session_id=session.get("id"))
            .first()
        )
        if attempt is None:
            return "unknown session"
        if attempt.status in (AttemptStatus.COMPLETE, AttemptStatus.EXPIRED):
            return "no change"
        attempt.status = AttemptStatus.EXPIRED
        attempt.save(update_fields=["status"])
        if status == "payment_failed":
            invoice = _lock_invoice(attempt.invoice_id)
            record_event(
                invoice, "payment_failed", actor_type=ActorType.STRIPE, session=attempt.session_id
            )
        return status


def apply_charge_refunded(charge: dict[str, Any]) -> str:
    """Stripe's word on refunds: the charge's refunded total is the truth (order-independent)."""
    payment = Payment.unscoped.filter(charge_id=charge.get("id")).first()
    if payment is None and charge.get("payment_intent"):
        payment = Payment.unscoped.filter(payment_intent_id=charge["payment_intent"]).first()
    if payment is None:
        return "unknown charge"
    with transaction.atomic():
        invoice = _lock_invoice(payment.invoice_id)
        payment = Payment.unscoped.select_for_update().get(pk=payment.pk)
        refunded = min(int(charge.get("amount_refunded") or 0), payment.amount)
        if refunded <= payment.refunded_amount:
            return "no change"
        before = payment.refunded_amount
        _record_refunds(payment, charge, refunded)
        payment.refunded_amount = refunded
        payment.refunded_fee = (payment.application_fee * refunded) // payment.amount
        payment.save(update_fields=["refunded_amount", "refunded_fee"])
        if payment.duplicate:
            record_event(
                invoice,
                "refunded",
                actor_type=ActorType.STRIPE,
                amount=refunded - before,
                duplicate=True,
            )
            return "duplicate refunded"
        invoice.refunded_amount = refunded
        full = refunded >= payment.amount
        if full:
            invoice.status = InvoiceStatus.REFUNDED
        invoice.save(update_fields=["refunded_amount", "status", "updated_at"])
        record_event(
            invoice,
            "refunded" if full else "partially_refunded",
            actor_type=ActorType.STRIPE,
            amount=refunded - before,
            total_refunded=refunded,
        )
        return "refunded" if full else "partially refunded"


def _record_refunds(payment: Payment, charge: dict[str, Any], refunded: int) -> None:
    """One Refund row per Stripe refund, dated when Stripe made it (for monthly revenue)."""
    listed = ((charge.get("refunds") or {}).get("data")) or []
    for item in listed:
        if item.get("status") in ("failed", "canceled"):
            continue
        Refund.unscoped.get_or_create(
            stripe_refund_id=item["id"],
            defaults={
                "workspace_id": payment.workspace_id,
                "payment": payment,
                "amount": int(item["amount"]),
                "currency": payment.currency,
                "fee_refunded": (payment.application_fee * int(item["amount"])) // payment.amount,
                "refunded_at": datetime.datetime.fromtimestamp(
                    int(item.get("created") or 0), tz=datetime.UTC
                )
                if item.get("created")
                else timezone.now(),
            },
        )
    known = sum(Refund.unscoped.filter(payment=payment).values_list("amount", flat=True))
    if known < refunded:  # Stripe did not list them all: keep the total right
        missing = refunded - known
        Refund.unscoped.create(
            workspace_id=payment.workspace_id,
            payment=payment,
            stripe_refund_id=f"{charge.get('id')}:{refunded}",
            amount=missing,
            currency=payment.currency,
            fee_refunded=(payment.application_fee * missing) // payment.amount,
            refunded_at=timezone.now(),
        )


def refund_invoice(invoice_id: int, user: Any, amount: int | None) -> dict[str, Any]:
    """Owner/admin refund of a paid invoice, in full (None) or in part; Stripe confirms later."""
    invoice = Invoice.unscoped.get(pk=invoice_id)
    payment = Payment.unscoped.filter(invoice=invoice, duplicate=False).first()
    if invoice.status != InvoiceStatus.PAID or payment is None:
        raise InvoiceError("Only a paid invoice can be refunded.")
    remaining = payment.amount - payment.refunded_amount
    if amount is not None and not 0 < amount <= remaining:
        raise InvoiceError("The refund must be more than zero and at most what is left to refund.")
    with transaction.atomic():
        invoice = _lock_invoice(invoice_id)
        n = invoice.events.filter(kind="refund_requested").count() + 1
        record_event(invoice, "refund_requested", user=user, amount=amount or remaining)
    refund = gateway.create_refund(
        charge_id=payment.charge_id,
        account_id=payment.stripe_account_id,
        amount=amount,
        reason="requested_by_customer",
        idempotency_key=f"refund:{payment.checkout_session_id}:{n}",
    )
    return refund


def refund_duplicate(payment_id: int) -> str:
    payment = Payment.unscoped.get(pk=payment_id)
    if not payment.duplicate or payment.fully_refunded:
        return "nothing to refund"
    gateway.create_refund(
        charge_id=payment.charge_id,
        account_id=payment.stripe_account_id,
        amount=None,
        reason="duplicate",
        idempotency_key=f"auto-refund:{payment.checkout_session_id}",
    )
    return "refund requested"


# Webhooks --------------------------------------------------------------------------------


def store_event(payload: dict[str, Any]) -> tuple[StripeEvent, bool]:
    """Keep the verified event first (unique id); a repeat delivery is only counted."""
    event, created = StripeEvent.objects.get_or_create(
        event_id=payload["id"],
        defaults={
            "type": payload.get("type", ""),
            "account": payload.get("account") or "",
            "payload": payload,
        },
    )
    if not created:
        StripeEvent.objects.filter(pk=event.pk).update(deliveries=event.deliveries + 1)
    return event, created


def accept_event(payload: dict[str, Any]) -> StripeEvent:
    """Store a verified event and queue its processing, in one transaction, then answer.

    The task row commits with the event, so an accepted event is never lost; a repeat
    delivery of an event not yet processed queues it again, which costs one no-op.
    """
    from .tasks import process_stripe_event

    with transaction.atomic():
        event, _created = store_event(payload)
        if event.processed_at is None:
            process_stripe_event.enqueue(event.pk)
    return event


def process_event(event_pk: int) -> str:
    """Apply one stored event exactly once, however often and concurrently it arrives."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at is not None:
            return event.outcome or "already processed"
        outcome = _dispatch(event.type, event.payload)
        event.processed_at = timezone.now()
        event.outcome = outcome[:200]
        event.error = ""
        event.save(update_fields=["processed_at", "outcome", "error"])
        return outcome


def _dispatch(kind: str, payload: dict[str, Any]) -> str:
    obj = (payload.get("data") or {}).get("object") or {}
    account = payload.get("account") or ""
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        return apply_paid_session(obj, account, source=f"webhook {kind}")
    if kind == "checkout.session.expired":
        return apply_session_closed(obj, "expired")
    if kind == "checkout.session.async_payment_failed":
        return apply_session_closed(obj, "payment_failed")
    if kind == "charge.refunded":
        return apply_charge_refunded(obj)
    if kind == "account.updated":
        return "account updated" if apply_account(obj) else "unknown account"
    if kind == "account.application.deauthorized":
        return "account disconnected" if apply_deauthorized(account) else "unknown account"
    return "stored"


# Safety nets -----------------------------------------------------------------------------

RECONCILE_AFTER = datetime.timedelta(minutes=3)


def requeue_unprocessed_events(older_than: datetime.timedelta = RECONCILE_AFTER) -> int:
    """Queue again the stored events whose processing failed (e.g. Stripe was unreachable)."""
    from .tasks import process_stripe_event

    stale = StripeEvent.objects.filter(
        processed_at=None, received_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)[:500]
    ids = list(stale)
    for pk in ids:
        process_stripe_event.enqueue(pk)
    return len(ids)


def reconcile_open_sessions(older_than: datetime.timedelta = RECONCILE_AFTER) -> dict[str, int]:
    """Re-read open sessions from Stripe, so that a lost webhook costs nothing."""
    cutoff = timezone.now() - older_than
    outcomes: dict[str, int] = {}
    attempts = (
        CheckoutAttempt.unscoped.filter(status=AttemptStatus.OPEN, created_at__lt=cutoff)
        .exclude(session_id=None)
        .order_by("pk")[:500]
    )
    for attempt in attempts:
        try:
            session = gateway.retrieve_checkout_session(
                attempt.session_id or "", attempt.stripe_account_id
            )
        except gateway.GatewayError:
            outcome = "stripe unavailable"
        else:
            if session.get("payment_status") == "paid":
                outcome = apply_paid_session(
                    session, attempt.stripe_account_id, source="reconciliation"
                )
            elif session.get("status") == "expired":
                outcome = apply_session_closed(session, "expired")
            else:
                outcome = "still open"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
