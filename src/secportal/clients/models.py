from __future__ import annotations

import uuid

from django.db import models

from secportal.core.tenancy import TenantModel
from secportal.core.validators import multi_line, single_line


class Client(TenantModel):
    """A company the consultancy bills."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, validators=[single_line])
    billing_email = models.EmailField("billing email", blank=True)
    address = models.TextField(blank=True, max_length=1000, validators=[multi_line])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["workspace", "name"])]

    def __str__(self) -> str:
        return self.name


class ClientContact(TenantModel):
    """A person at a client: signs in to the portal, and may receive invoices by email."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, validators=[single_line])
    email = models.EmailField()
    receives_invoices = models.BooleanField("also email invoices to this contact", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "email"], name="one_contact_per_email_per_client"
            )
        ]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
