from __future__ import annotations

import uuid

from django.db import models

from secportal.core.tenancy import TenantModel
from secportal.core.validators import multi_line, single_line
from secportal.core.vatnumbers import validate_vat_number


class Client(TenantModel):
    """A company the consultancy bills."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, validators=[single_line])
    billing_email = models.EmailField("billing email", blank=True)
    address = models.TextField(
        "billing address", blank=True, max_length=1000, validators=[multi_line]
    )
    legal_name = models.CharField(
        max_length=200, blank=True, db_default="", validators=[single_line]
    )
    # ISO 3166 alpha-2 (GB, DE, ...): decides UK VAT or the EU reverse charge.
    country = models.CharField(max_length=2, blank=True, db_default="")
    vat_number = models.CharField(
        max_length=20, blank=True, db_default="", validators=[validate_vat_number]
    )
    po_required = models.BooleanField("PO required", default=False, db_default=False)
    default_po = models.CharField(
        "default PO number", max_length=60, blank=True, db_default="", validators=[single_line]
    )
    # Who invoices go to, as chosen when the last one was sent (issue 17): the contacts in
    # "Send to" and the extra addresses in "CC", one email address a line.
    invoice_to = models.TextField(blank=True, default="", db_default="")
    invoice_cc = models.TextField(blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["workspace", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def billing_name(self) -> str:
        return self.legal_name or self.name


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
