"""Stripe's webhooks: stored first (unique event id), then applied once by the worker.

``tasks.accept_event`` stores and queues in one transaction; ``process_event`` applies. Each
event type that matters has one handler in ``HANDLERS``; any other type is only stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from secportal.notifications.services import delivered_together

from . import connect, debits, disputes, gateway, prefetch, refunds, settlement, transfers
from .models import StripeEvent

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], str, str], str]


def _paid(obj: dict[str, Any], account: str, kind: str) -> str:
    return settlement.apply_paid_session(obj, account, source=f"webhook {kind}")


def _completed(obj: dict[str, Any], account: str, kind: str) -> str:
    if obj.get("payment_status") == "unpaid":
        return debits.apply_session_processing(obj)  # a bank debit on its way
    return _paid(obj, account, kind)


def _expired(obj: dict[str, Any], account: str, kind: str) -> str:
    return settlement.apply_session_closed(obj, "expired")


def _payment_failed(obj: dict[str, Any], account: str, kind: str) -> str:
    return debits.apply_debit_failed(obj)


def _charge_refunded(obj: dict[str, Any], account: str, kind: str) -> str:
    return refunds.apply_charge_refunded(obj)


def _refund_changed(obj: dict[str, Any], account: str, kind: str) -> str:
    return refunds.apply_refund_event(obj)


def _dispute(obj: dict[str, Any], account: str, kind: str) -> str:
    return disputes.apply_dispute(obj)


def _account_updated(obj: dict[str, Any], account: str, kind: str) -> str:
    return (
        "account updated" if connect.sync_account(obj.get("id") or account) else "unknown account"
    )


def _deauthorized(obj: dict[str, Any], account: str, kind: str) -> str:
    return "account disconnected" if connect.apply_deauthorized(account) else "unknown account"


#: Event type → handler(object, connected account id, event type) → outcome in words.
def _partially_funded(obj: dict[str, Any], account: str, kind: str) -> str:
    return transfers.apply_partially_funded(obj)


HANDLERS: dict[str, Handler] = {
    "payment_intent.partially_funded": _partially_funded,
    "checkout.session.completed": _completed,
    "checkout.session.async_payment_succeeded": _paid,
    "checkout.session.expired": _expired,
    "checkout.session.async_payment_failed": _payment_failed,
    "charge.refunded": _charge_refunded,
    "charge.refund.updated": _refund_changed,
    "refund.created": _refund_changed,
    "refund.updated": _refund_changed,
    "refund.failed": _refund_changed,
    "charge.dispute.created": _dispute,
    "charge.dispute.updated": _dispute,
    "charge.dispute.closed": _dispute,
    "charge.dispute.funds_withdrawn": _dispute,
    "charge.dispute.funds_reinstated": _dispute,
    "account.updated": _account_updated,
    "account.application.deauthorized": _deauthorized,
}


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


def process_event(event_pk: int) -> str:
    """Apply one stored event exactly once, however often and concurrently it arrives.

    Stripe is never called while the event's row is locked (``prefetch``): a handler that needs
    to read from Stripe rolls back (nothing written yet), the read is made with no transaction
    open, and the event is applied again with it."""
    return prefetch.applied_with_reads(lambda: _process(event_pk))


def _process(event_pk: int) -> str:
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at is not None:
            return event.outcome or "already processed"
        mode = _mode_mismatch(event.payload)
        # Every email the event leads to is delivered by this task right after the commit (on
        # the worker's open connection), not by a task each.
        with delivered_together(here=True):
            outcome = mode or dispatch(event.type, event.payload)
        event.processed_at = timezone.now()
        event.last_attempt_at = event.processed_at
        event.attempts += 1
        event.outcome = outcome[:200]
        event.error = ""
        event.save(
            update_fields=["processed_at", "last_attempt_at", "attempts", "outcome", "error"]
        )
        return outcome


def _mode_mismatch(payload: dict[str, Any]) -> str:
    """Stripe sends a Connect endpoint both test and live events: apply only our key's mode."""
    livemode = payload.get("livemode")
    if livemode is None or bool(livemode) == gateway.key_livemode():
        return ""
    mode = "live" if livemode else "test"
    logger.warning("stripe event %s is a %s-mode event: ignored", payload.get("id"), mode)
    return f"ignored: a {mode}-mode event, and this is a {'live' if not livemode else 'test'} key"


def max_attempts() -> int:
    return len(settings.STRIPE_RETRY_DELAYS) + 1


def record_failure(event_pk: int, error: str) -> StripeEvent:
    """Processing failed (Stripe unreachable, a malformed event): count it, keep the error,
    and after ``max_attempts()`` tries put the event on the dead-letter list."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        event.attempts += 1
        event.last_attempt_at = timezone.now()
        event.error = error[:2000]
        if event.attempts >= max_attempts() and event.dead_lettered_at is None:
            event.dead_lettered_at = event.last_attempt_at
            logger.error(
                "stripe event %s (%s) dead-lettered after %s tries: %s",
                event.event_id,
                event.type,
                event.attempts,
                error,
            )
        event.save(update_fields=["attempts", "last_attempt_at", "error", "dead_lettered_at"])
        return event


def reprocess(event_pk: int) -> None:
    """An operator takes an event off the dead-letter list to be tried again."""
    StripeEvent.objects.filter(pk=event_pk, processed_at=None).update(
        dead_lettered_at=None, attempts=0, error=""
    )


def dispatch(kind: str, payload: dict[str, Any]) -> str:
    handler = HANDLERS.get(kind)
    if handler is None:
        return "stored"
    obj = (payload.get("data") or {}).get("object") or {}
    return handler(obj, payload.get("account") or "", kind)
