"""Every write of webhooks: endpoints (register, rotate the secret, disable, enable, delete), the
outbox (an event and its deliveries, written in the transaction of the change) and resends."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from secportal.workspaces.models import Workspace
from secportal.workspaces.services import record

from . import signing
from .models import (
    API_VERSION,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

#: How long a rotated-out secret still signs deliveries.
ROTATION_GRACE = datetime.timedelta(hours=24)


@dataclass(frozen=True)
class NewSecret:
    endpoint: WebhookEndpoint
    secret: str  # shown once on the page that made it


@transaction.atomic
def create_endpoint(
    workspace: Workspace, actor: Any, *, url: str, events: Iterable[str]
) -> NewSecret:
    """Owner: a new endpoint (the URL checked by ``targets.check_url`` in the form)."""
    secret = signing.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        workspace=workspace,
        url=url,
        events=sorted(set(events)),
        secret=secret,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(workspace, actor, "webhooks.endpoint_created", url, events=endpoint.events)
    return NewSecret(endpoint, secret)


@transaction.atomic
def rotate_secret(endpoint_id: int, actor: Any) -> NewSecret:
    """A new secret; the old one still signs (a second ``v1=``) for 24 hours."""
    endpoint = WebhookEndpoint.unscoped.select_for_update().get(pk=endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + ROTATION_GRACE
    endpoint.secret = signing.new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    record(endpoint.workspace, actor, "webhooks.secret_rotated", endpoint.url)
    return NewSecret(endpoint, endpoint.secret)


@transaction.atomic
def set_enabled(endpoint_id: int, actor: Any, enabled: bool, reason: str = "") -> WebhookEndpoint:
    """Disable (nothing is sent; deliveries wait) or enable again (waiting ones go now)."""
    endpoint = WebhookEndpoint.unscoped.select_for_update().get(pk=endpoint_id)
    if endpoint.enabled == enabled:
        return endpoint
    if enabled:
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.failure_streak = None, "", 0
        waiting = list(
            WebhookDelivery.unscoped.filter(
                endpoint_id=endpoint.pk, status=DeliveryStatus.PENDING
            ).values_list("pk", flat=True)
        )
        WebhookDelivery.unscoped.filter(pk__in=waiting).update(next_attempt_at=timezone.now())
        _enqueue_on_commit(waiting)
    else:
        endpoint.disabled_at, endpoint.disabled_reason = timezone.now(), reason[:200]
    endpoint.save(update_fields=["disabled_at", "disabled_reason", "failure_streak"])
    kind = "webhooks.endpoint_enabled" if enabled else "webhooks.endpoint_disabled"
    record(endpoint.workspace, actor, kind, endpoint.url, reason=reason)
    return endpoint


@transaction.atomic
def delete_endpoint(endpoint_id: int, actor: Any) -> None:
    endpoint = WebhookEndpoint.unscoped.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        return
    record(endpoint.workspace, actor, "webhooks.endpoint_deleted", endpoint.url)
    endpoint.delete()


@transaction.atomic
def resend(delivery_id: int, actor: Any) -> WebhookDelivery:
    """Send one delivery again now (a fresh run of tries), whatever became of it."""
    delivery = WebhookDelivery.unscoped.select_for_update().get(pk=delivery_id)
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.claimed_until = None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_until"])
    _enqueue_on_commit([delivery.pk])
    return delivery


def enabled_endpoint_workspaces() -> QuerySet[WebhookEndpoint, Any]:
    """The ids of the workspaces with at least one enabled endpoint (a subquery)."""
    return WebhookEndpoint.unscoped.filter(disabled_at__isnull=True).values("workspace_id")


def emit(workspace_id: int, event_type: str, data: dict[str, Any]) -> WebhookEvent | None:
    """The outbox: an event and one delivery per enabled endpoint that chose its type, written
    in the caller's transaction; the worker POSTs them after it commits. None when no endpoint
    listens."""
    made = emit_many(event_type, [(workspace_id, data)])
    return made[0] if made else None


def emit_many(event_type: str, items: list[tuple[int, dict[str, Any]]]) -> list[WebhookEvent]:
    """``emit`` for many objects at once (the overdue sweep), in a fixed number of queries."""
    listening: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.unscoped.filter(
        workspace_id__in={workspace_id for workspace_id, _ in items}, disabled_at__isnull=True
    ):
        if event_type in endpoint.events:
            listening.setdefault(endpoint.workspace_id, []).append(endpoint)
    events = []
    for workspace_id, data in items:
        if workspace_id not in listening:
            continue
        event = WebhookEvent(workspace_id=workspace_id, type=event_type, api_version=API_VERSION)
        event.payload = {
            "id": event.event_id,
            "object": "event",
            "type": event_type,
            "api_version": API_VERSION,
            "created": int(event.created_at.timestamp()),
            "data": {"object": data},
        }
        events.append(event)
    if not events:
        return []
    with transaction.atomic():
        events = WebhookEvent.unscoped.bulk_create(events)
        deliveries = WebhookDelivery.unscoped.bulk_create(
            WebhookDelivery(workspace_id=event.workspace_id, endpoint=endpoint, event=event)
            for event in events
            for endpoint in listening[event.workspace_id]
        )
        _enqueue_on_commit([d.pk for d in deliveries])
    return events


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    if not delivery_ids:
        return

    def enqueue() -> None:
        from .tasks import deliver_webhook

        for delivery_id in delivery_ids:
            deliver_webhook.enqueue(delivery_id)

    transaction.on_commit(enqueue)
