from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from secportal.core.fees import PLAN_FEE_BPS
from secportal.core.locales import LOCALE_CHOICES, default_locale
from secportal.core.money import CURRENCY_CHOICES
from secportal.core.validators import multi_line, single_line
from secportal.core.vatnumbers import validate_vat_number

TIMEZONE_CHOICES = [
    (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
]


class Mode(models.TextChoices):
    CONSULTING = "consulting", "Consulting"
    INTERNAL = "internal", "Internal"


class Plan(models.TextChoices):
    STARTER = "starter", "Starter"
    PRO = "pro", "Pro"
    TEAM = "team", "Team"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class AmountsEntered(models.TextChoices):
    NET = "net", "Net (VAT is added)"
    GROSS = "gross", "Gross (VAT is included)"


ROLE_RANK = {Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class EInvoiceAttachment(models.TextChoices):
    NONE = "", "No"
    FACTURX = "facturx", "Factur-X"
    UBL = "ubl", "UBL (Peppol BIS Billing 3.0)"


class Workspace(models.Model):
    """A consultancy (or an internal security team): the tenant."""

    name = models.CharField(max_length=200, validators=[single_line])
    slug = models.SlugField(max_length=80, unique=True)
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.CONSULTING)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.STARTER)
    timezone = models.CharField(max_length=64, choices=TIMEZONE_CHOICES, default="Europe/London")
    default_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="GBP")
    payment_terms_days = models.PositiveSmallIntegerField(
        "payment terms (days)",
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
    )
    number_prefix = models.CharField(
        "invoice number prefix",
        max_length=12,
        default="INV-",
        validators=[
            RegexValidator(r"^[A-Za-z0-9/_-]*$", "Use letters, digits, '-', '_' or '/' only.")
        ],
    )
    next_invoice_number = models.PositiveIntegerField(default=1)
    # Yearly numbering (INV-2026-0001): the counter restarts each year, the series stays gapless.
    number_yearly_reset = models.BooleanField("restart invoice numbers each year", default=False)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True)
    next_credit_note_number = models.PositiveIntegerField(default=1)
    # Company details: printed on invoices and credit notes (DESIGN.md 12).
    legal_name = models.CharField(max_length=200, blank=True, validators=[single_line])
    trading_name = models.CharField(max_length=200, blank=True, validators=[single_line])
    registered_address = models.TextField(max_length=1000, blank=True, validators=[multi_line])
    company_number = models.CharField(max_length=40, blank=True, validators=[single_line])
    registered_in = models.CharField(
        "place of registration", max_length=100, blank=True, validators=[single_line]
    )
    vat_number = models.CharField(max_length=20, blank=True, validators=[validate_vat_number])
    bank_details = models.TextField(max_length=1000, blank=True, validators=[multi_line])
    payment_terms_text = models.TextField(max_length=1000, blank=True, validators=[multi_line])
    invoice_notes = models.TextField(max_length=1000, blank=True, validators=[multi_line])
    # The logo, re-encoded as PNG by the form (no metadata, no SVG): printed on invoices.
    logo_png = models.BinaryField(null=True, blank=True, editable=False)
    amounts_entered = models.CharField(
        max_length=5, choices=AmountsEntered.choices, default=AmountsEntered.NET
    )
    # Which e-invoice (EN 16931) the invoice email carries beside the PDF, if any.
    attach_einvoice = models.CharField(
        "attach e-invoice", max_length=8, choices=EInvoiceAttachment.choices, blank=True, default=""
    )
    billing_reply_to = models.EmailField("billing reply-to email", blank=True)
    # The master switch of the reminder schedule (``ReminderRule``; issue 17).
    overdue_reminders = models.BooleanField(
        "send payment reminders to clients (the schedule is under Reminders)", default=True
    )
    # Statutory interest and compensation on late payment, stated in reminders (issue 17).
    late_payment_interest = models.BooleanField(
        "late payment interest", default=False, db_default=False
    )
    # The reminders' words, with placeholders (``workspaces.reminders``); blank: the default.
    reminder_wording = models.TextField(
        max_length=2000, blank=True, default="", db_default="", validators=[multi_line]
    )
    # How money, dates and times are written (app, portal, emails, PDFs); blank: from the
    # time zone and currency (core.locales.default_locale).
    formatting_locale = models.CharField(
        "number and date format", max_length=10, choices=LOCALE_CHOICES, blank=True, default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def invoicing_enabled(self) -> bool:
        """Invoicing and payments exist only in Consulting mode (the seed)."""
        return self.mode == Mode.CONSULTING

    @property
    def vat_registered(self) -> bool:
        """A workspace with a VAT number issues VAT invoices (and credit notes on void)."""
        return bool(self.vat_number)

    @property
    def company_name(self) -> str:
        """The name invoices are issued in: the legal name, or the workspace's name."""
        return self.legal_name or self.name

    @property
    def fee_bps(self) -> int:
        return PLAN_FEE_BPS[self.plan]

    @property
    def locale(self) -> str:
        """The formatting locale: the one chosen, else the one its time zone and currency say."""
        return self.formatting_locale or default_locale(self.default_currency, self.timezone)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self) -> datetime.date:
        """Today's date where the workspace is (due dates and overdue are local dates)."""
        return timezone.now().astimezone(self.tz).date()


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace"], name="one_membership_per_workspace"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(minimum)]

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def can_manage(self) -> bool:
        """Owners and admins manage clients, engagements and invoices (send, void)."""
        return self.has_role(Role.ADMIN)


class AuditEvent(models.Model):
    """Append-only record of changes to a workspace's settings, members, clients and engagements."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=60)
    target = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workspace", "-at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.target}"


class ReminderRule(models.Model):
    """One point of a workspace's reminder schedule: ``offset_days`` from the due date
    (negative before it, 0 on it, positive after it), on or off. A workspace without rules uses
    ``reminders.DEFAULT_SCHEDULE``."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="reminder_rules"
    )
    offset_days = models.SmallIntegerField(
        validators=[MinValueValidator(-365), MaxValueValidator(365)]
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["offset_days"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "offset_days"], name="reminder_rule_offset_once"
            )
        ]

    def __str__(self) -> str:
        from .reminders import describe_offset

        return describe_offset(self.offset_days)
