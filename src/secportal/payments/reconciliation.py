"""Safety nets: what a lost webhook or a failed processing would otherwise leave undone."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from secportal.invoicing.services import InvoiceError

from . import debits, gateway, refunds, settlement
from .models import (
    AttemptStatus,
    CheckoutAttempt,
    RefundRequest,
    RefundRequestState,
    StripeEvent,
)

RECONCILE_AFTER = datetime.timedelta(minutes=3)
BATCH = 500


def unprocessed_event_ids(older_than: datetime.timedelta = RECONCILE_AFTER) -> list[int]:
    """Stored events to process again: never processed (a lost task), or failed and due again
    after their backoff; dead-lettered events wait for an operator."""
    now = timezone.now()
    candidates = StripeEvent.objects.filter(
        processed_at=None, dead_lettered_at=None, received_at__lt=now - older_than
    ).values_list("pk", "attempts", "last_attempt_at")[:BATCH]
    delays = settings.STRIPE_RETRY_DELAYS
    return [
        pk
        for pk, attempts, last in candidates
        if last is None
        or now - last >= datetime.timedelta(seconds=delays[min(attempts, len(delays)) - 1])
    ]


def reconcile_open_sessions(older_than: datetime.timedelta = RECONCILE_AFTER) -> dict[str, int]:
    """Re-read open sessions from Stripe, so that a lost webhook costs nothing."""
    cutoff = timezone.now() - older_than
    outcomes: dict[str, int] = {}
    attempts = (
        CheckoutAttempt.unscoped.filter(
            status__in=[
                AttemptStatus.OPEN,
                AttemptStatus.PROCESSING,
                AttemptStatus.AWAITING_TRANSFER,
            ],
            created_at__lt=cutoff,
        )
        .exclude(session_id=None)
        .order_by("pk")[:BATCH]
    )
    for attempt in attempts:
        outcome = _reconcile(attempt)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def resend_unanswered_refunds(older_than: datetime.timedelta = RECONCILE_AFTER) -> int:
    """Refund requests whose answer was lost (a timeout) are sent again with their own key."""
    waiting = RefundRequest.unscoped.filter(
        state=RefundRequestState.REQUESTED, created_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)[:BATCH]
    sent = 0
    for pk in list(waiting):
        try:
            refunds.send_refund_request(pk)
        except (gateway.GatewayError, InvoiceError):
            continue  # still no answer, or refused: the request shows it
        sent += 1
    return sent


def _reconcile_unpaid(session: dict, attempt: CheckoutAttempt) -> str:
    """A completed but unpaid session: a debit on its way, or one that failed (its payment
    intent says which)."""
    if attempt.status == AttemptStatus.OPEN:
        return debits.apply_session_processing(session)
    intent_id = session.get("payment_intent")
    if not intent_id:
        return "still processing"
    intent_id = intent_id["id"] if isinstance(intent_id, dict) else intent_id
    try:
        intent = gateway.retrieve_payment_intent(intent_id, attempt.stripe_account_id)
    except gateway.GatewayError:
        return "stripe unavailable"
    if intent.get("status") in ("requires_payment_method", "canceled"):
        return debits.apply_debit_failed(session)
    return "still processing"


def _reconcile(attempt: CheckoutAttempt) -> str:
    try:
        session = gateway.retrieve_checkout_session(
            attempt.session_id or "", attempt.stripe_account_id
        )
    except gateway.GatewayError:
        return "stripe unavailable"
    if session.get("payment_status") == "paid":
        return settlement.apply_paid_session(
            session, attempt.stripe_account_id, source="reconciliation"
        )
    if session.get("status") == "complete":
        return _reconcile_unpaid(session, attempt)
    if session.get("status") == "expired":
        return settlement.apply_session_closed(session, "expired")
    return "still open"
