"""Outgoing webhooks: endpoints an owner registers, the events (the outbox, written in the
transaction of the change) and one delivery per event and endpoint."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from secportal.core.tenancy import TenantModel

#: The payloads' version: a consumer can rely on a payload's shape for a given version.
API_VERSION = "2026-11-01"


class EventType(models.TextChoices):
    INVOICE_SENT = "invoice.sent", "invoice.sent"
    INVOICE_PAID = "invoice.paid", "invoice.paid"
    INVOICE_PARTIALLY_PAID = "invoice.partially_paid", "invoice.partially_paid"
    INVOICE_OVERDUE = "invoice.overdue", "invoice.overdue"
    INVOICE_VOIDED = "invoice.voided", "invoice.voided"
    INVOICE_DISPUTED = "invoice.disputed", "invoice.disputed"
    PAYMENT_REFUNDED = "payment.refunded", "payment.refunded"
    CREDIT_NOTE_ISSUED = "credit_note.issued", "credit_note.issued"


class WebhookEndpoint(TenantModel):
    """A URL of the consultancy's that receives the chosen events, signed with its secret.

    During a rotation the previous secret still signs (a second ``v1=``) until
    ``previous_secret_expires_at``, so a consumer can switch without missing an event.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: Deliveries that failed in a row (a success resets it); past the limit the endpoint is
    #: disabled and its owners emailed.
    failure_streak = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None

    def signing_secrets(self) -> list[str]:
        """The current secret, and the previous one while its day of grace lasts."""
        secrets = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and self.previous_secret_expires_at > timezone.now()
        ):
            secrets.append(self.previous_secret)
        return secrets


class WebhookEvent(TenantModel):
    """Something that happened, as sent to every endpoint that chose its type (the outbox row)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40, choices=EventType.choices)
    api_version = models.CharField(max_length=20, default=API_VERSION)
    #: The whole body that is POSTed: ``{"id", "type", "api_version", "created", "data"}``.
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"

    @property
    def event_id(self) -> str:
        return f"evt_{self.public_id.hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(TenantModel):
    """One event to one endpoint: tried until a 2xx answer, with backoff, for about three days."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    #: Set while a worker is POSTing it, so that two workers never send it at once.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_endpoint")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id}"
