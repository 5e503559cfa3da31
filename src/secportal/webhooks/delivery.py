"""Making one delivery: claim it (an atomic UPDATE, so two workers never send it twice), POST it
signed with no transaction open and no row locked, then record what came back: a 2xx is done;
anything else is tried again after ``WEBHOOKS_RETRY_DELAYS`` (about three days in all); a long
run of failures disables the endpoint and emails the workspace's owners."""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from secportal.notifications.services import queue_email
from secportal.workspaces.models import Role
from secportal.workspaces.selectors import members_of

from . import signing, targets
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

USER_AGENT = "SecPortal-Webhooks/1 (+https://secportal.example/docs/webhooks)"


@dataclass(frozen=True)
class Outcome:
    response_code: int | None
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300


def claim(delivery_id: int, now: datetime.datetime | None = None) -> WebhookDelivery | None:
    """Take a due delivery for one POST (None when it is not due, done, or another worker has
    it): one atomic UPDATE, committed before anything is sent."""
    now = now or timezone.now()
    hold = datetime.timedelta(seconds=float(settings.WEBHOOKS_TIMEOUT) + 60)
    taken = (
        WebhookDelivery.unscoped.filter(
            pk=delivery_id,
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            endpoint__disabled_at__isnull=True,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + hold)
    )
    if not taken:
        return None
    return WebhookDelivery.unscoped.select_related("endpoint", "event").get(pk=delivery_id)


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.event.payload, separators=(",", ":"), sort_keys=True).encode()


def post(delivery: WebhookDelivery) -> Outcome:
    """The POST itself; never inside a transaction (a slow endpoint holds no lock)."""
    assert not connection.in_atomic_block, "webhooks are POSTed outside any transaction"
    endpoint = delivery.endpoint
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.HEADER: signing.header(endpoint.signing_secrets(), body),
        "SecPortal-Event-Id": delivery.event.event_id,
        "SecPortal-Event-Type": delivery.event.type,
    }
    started = time.monotonic()
    try:
        targets.check_url(endpoint.url)  # again: a name may point somewhere private by now
        response = requests.post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=float(settings.WEBHOOKS_TIMEOUT),
            allow_redirects=False,
        )
    except ValidationError as exc:
        return Outcome(None, _ms(started), " ".join(exc.messages))
    except requests.RequestException as exc:
        host = urlsplit(endpoint.url).hostname or ""
        return Outcome(None, _ms(started), f"{type(exc).__name__} calling {host}")
    return Outcome(response.status_code, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def next_delay(attempts: int) -> int | None:
    """Seconds before try ``attempts + 1`` (None: no more tries)."""
    delays = list(settings.WEBHOOKS_RETRY_DELAYS)
    return delays[attempts - 1] if 1 <= attempts <= len(delays) else None


@transaction.atomic
def record(
    delivery_id: int, outcome: Outcome, now: datetime.datetime | None = None
) -> WebhookDelivery:
    """What the POST came back with; the next try's time, or done; the endpoint's failure run."""
    now = now or timezone.now()
    delivery = WebhookDelivery.unscoped.select_for_update().get(pk=delivery_id)
    endpoint = WebhookEndpoint.unscoped.select_for_update().get(pk=delivery.endpoint_id)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_code = outcome.response_code
    delivery.duration_ms = outcome.duration_ms
    delivery.claimed_until = None
    if outcome.ok:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at, delivery.next_attempt_at, delivery.last_error = now, None, ""
        endpoint.failure_streak = 0
    else:
        delivery.last_error = (outcome.error or f"HTTP {outcome.response_code}")[:300]
        delay = next_delay(delivery.attempts)
        if delay is None:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = now + datetime.timedelta(seconds=delay)
        endpoint.failure_streak += 1
        if endpoint.enabled and endpoint.failure_streak >= int(settings.WEBHOOKS_DISABLE_AFTER):
            _disable(endpoint, now)
    delivery.save()
    endpoint.save(update_fields=["failure_streak", "disabled_at", "disabled_reason"])
    return delivery


def _disable(endpoint: WebhookEndpoint, now: datetime.datetime) -> None:
    """Too many failures in a row: stop sending and tell the workspace's owners."""
    endpoint.disabled_at = now
    endpoint.disabled_reason = f"{endpoint.failure_streak} deliveries in a row failed"
    context = {
        "workspace": endpoint.workspace,
        "endpoint": endpoint,
        "endpoint_url": settings.SITE_URL + reverse("webhooks:endpoint", args=[endpoint.public_id]),
    }
    for membership in members_of(endpoint.workspace_id).filter(role=Role.OWNER):
        to = membership.user.email
        queue_email(
            kind="webhook_disabled",
            to=to,
            template="emails/webhook_disabled",
            context=context,
            workspace=endpoint.workspace,
            dedupe_key=f"webhook-disabled:{endpoint.pk}:{int(now.timestamp())}:{to.lower()}",
        )


def deliver(delivery_id: int) -> WebhookDelivery | None:
    """Claim, POST (outside any transaction), record. None when there was nothing to do."""
    delivery = claim(delivery_id)
    if delivery is None:
        return None
    return record(delivery_id, post(delivery))


def due_ids(now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come and that no worker holds (for the sweep)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.unscoped.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            endpoint__disabled_at__isnull=True,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
