from __future__ import annotations

import uuid

from django.db import models

from secportal.core.tenancy import TenantModel
from secportal.core.validators import single_line


class EngagementStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Engagement(TenantModel):
    """A piece of work for a client (a penetration test, a review); invoices hang off it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="engagements"
    )
    name = models.CharField(max_length=200, validators=[single_line])
    reference = models.CharField(max_length=60, blank=True, validators=[single_line])
    status = models.CharField(
        max_length=20, choices=EngagementStatus.choices, default=EngagementStatus.ACTIVE
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "name"]
        indexes = [models.Index(fields=["workspace", "client"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}".strip()
