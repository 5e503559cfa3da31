from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from secportal.core.money import CURRENCY_CHOICES
from secportal.core.tenancy import TenantModel
from secportal.core.validators import multi_line


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    OVERDUE = "overdue", "Overdue"
    PAID = "paid", "Paid"
    VOID = "void", "Void"
    REFUNDED = "refunded", "Refunded"


PAYABLE = (InvoiceStatus.SENT, InvoiceStatus.OVERDUE)


class Invoice(TenantModel):
    """One invoice to one client, optionally for one of its engagements (DESIGN.md 3-6)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="invoices")
    engagement = models.ForeignKey(
        "engagements.Engagement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    number = models.CharField(max_length=40, null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    amount = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    description = models.TextField(max_length=2000, validators=[multi_line])
    issue_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    refunded_amount = models.PositiveBigIntegerField(default=0)
    # Something a person must look at (a payment that did not match, a second payment).
    attention = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="invoice_number_unique"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="invoice_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-id"], name="invoice_ws_recent"),
            models.Index(fields=["workspace", "status", "-id"], name="invoice_ws_status"),
            models.Index(fields=["workspace", "client", "-id"], name="invoice_ws_client"),
            models.Index(fields=["workspace", "engagement", "-id"], name="invoice_ws_engagement"),
            models.Index(fields=["status", "due_date"], name="invoice_status_due"),
            # The dashboard's outstanding/overdue/ageing figures read only this index.
            models.Index(
                fields=["workspace", "currency", "status", "due_date", "amount"],
                name="invoice_ws_cur_status_due",
            ),
        ]

    def __str__(self) -> str:
        return self.number or "Draft"

    @property
    def label(self) -> str:
        """How a person names the invoice: its number, or "Draft"."""
        return self.number or "Draft"

    def shown_status(self, today: datetime.date) -> str:
        """The status to show: a sent invoice past its due date is Overdue, task or not."""
        if self.status == InvoiceStatus.SENT and self.due_date and self.due_date < today:
            return InvoiceStatus.OVERDUE
        return self.status

    def shown_status_label(self, today: datetime.date) -> str:
        return InvoiceStatus(self.shown_status(today)).label

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def is_payable(self) -> bool:
        return self.status in PAYABLE


class ActorType(models.TextChoices):
    USER = "user", "Consultant"
    CONTACT = "contact", "Client contact"
    SYSTEM = "system", "SecPortal"
    STRIPE = "stripe", "Stripe"


class InvoiceEvent(TenantModel):
    """The invoice's append-only history (its audit trail)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    actor_type = models.CharField(max_length=10, choices=ActorType.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_contact = models.ForeignKey(
        "clients.ClientContact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["invoice", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def actor_label(self) -> str:
        if self.actor_user_id:
            return str(self.actor_user)
        if self.actor_contact_id:
            return str(self.actor_contact)
        return ActorType(self.actor_type).label
