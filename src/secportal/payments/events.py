"""Stripe's webhooks: stored first (unique event id), then applied once by the worker.

``tasks.accept_event`` stores and queues in one transaction; ``process_event`` applies. Each
event type that matters has one handler in ``HANDLERS``; any other type is only stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import connect, refunds, settlement
from .models import StripeEvent

Handler = Callable[[dict[str, Any], str, str], str]


def _paid(obj: dict[str, Any], account: str, kind: str) -> str:
    return settlement.apply_paid_session(obj, account, source=f"webhook {kind}")


def _expired(obj: dict[str, Any], account: str, kind: str) -> str:
    return settlement.apply_session_closed(obj, "expired")


def _payment_failed(obj: dict[str, Any], account: str, kind: str) -> str:
    return settlement.apply_session_closed(obj, "payment_failed")


def _charge_refunded(obj: dict[str, Any], account: str, kind: str) -> str:
    return refunds.apply_charge_refunded(obj)


def _account_updated(obj: dict[str, Any], account: str, kind: str) -> str:
    return "account updated" if connect.apply_account(obj) else "unknown account"


def _deauthorized(obj: dict[str, Any], account: str, kind: str) -> str:
    return "account disconnected" if connect.apply_deauthorized(account) else "unknown account"


#: Event type → handler(object, connected account id, event type) → outcome in words.
HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _paid,
    "checkout.session.async_payment_succeeded": _paid,
    "checkout.session.expired": _expired,
    "checkout.session.async_payment_failed": _payment_failed,
    "charge.refunded": _charge_refunded,
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
    """Apply one stored event exactly once, however often and concurrently it arrives."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at is not None:
            return event.outcome or "already processed"
        outcome = dispatch(event.type, event.payload)
        event.processed_at = timezone.now()
        event.outcome = outcome[:200]
        event.error = ""
        event.save(update_fields=["processed_at", "outcome", "error"])
        return outcome


def dispatch(kind: str, payload: dict[str, Any]) -> str:
    handler = HANDLERS.get(kind)
    if handler is None:
        return "stored"
    obj = (payload.get("data") or {}).get("object") or {}
    return handler(obj, payload.get("account") or "", kind)
