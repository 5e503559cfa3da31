"""API keys (shown once, stored hashed) and the idempotency records of their POSTs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from secportal.core.tenancy import TenantModel
from secportal.workspaces.models import Role


class ApiRole(models.TextChoices):
    """What a key may do: the same rules as a person with that role."""

    READ_ONLY = "read_only", "Read-only"
    MEMBER = "member", "Member"
    ADMIN = "admin", "Admin"


#: The person's role a key's role stands for (a read-only key writes nothing at all).
PERSON_ROLE = {ApiRole.MEMBER: Role.MEMBER, ApiRole.ADMIN: Role.ADMIN}


class ApiKey(TenantModel):
    """A workspace's API key: ``spk_<prefix>_<secret>``; only the secret's SHA-256 is kept."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    role = models.CharField(max_length=10, choices=ApiRole.choices, default=ApiRole.READ_ONLY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} (spk_{self.prefix}_…)"

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "Expired"
        return "Active"


class IdempotencyRecord(TenantModel):
    """A POST's answer under its ``Idempotency-Key``, replayed for 24 hours (as Stripe does)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="one_answer_per_key")
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return self.key


class RateWindow(TenantModel):
    """How many requests a key made in one fixed window (``API_RATE_WINDOW`` seconds): one row per
    key and window, counted by one atomic upsert so it holds across every web process."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    window_start = models.BigIntegerField()  # Unix seconds, a multiple of the window's length
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "window_start"], name="one_count_per_window")
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id}@{self.window_start}: {self.count}"
