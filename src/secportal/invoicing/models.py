from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from secportal.core.money import CURRENCY_CHOICES
from secportal.core.tenancy import TenantManager, TenantModel, TenantQuerySet
from secportal.core.validators import multi_line, single_line


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    OVERDUE = "overdue", "Overdue"
    PAID = "paid", "Paid"
    VOID = "void", "Void"
    REFUNDED = "refunded", "Refunded"
    # A bank debit on its way: paid by the client, not yet cleared (issue 16).
    PROCESSING = "processing", "Processing"
    # Part of the balance paid (through Stripe or recorded by hand), the rest not yet due.
    PARTIALLY_PAID = "partially_paid", "Partially paid"


#: The statuses in which an invoice is waiting for the client's money: it can be paid, reminded
#: and emailed again, and it counts as outstanding (its balance due).
PAYABLE = (InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.OVERDUE)
#: Statuses the overdue rule moves to Overdue once the due date has passed.
DUE = (InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID)
#: Waiting for money that is not in yet: payable invoices and bank debits on their way (the
#: dashboard's "outstanding").
OUTSTANDING = (*PAYABLE, InvoiceStatus.PROCESSING)


def draft_reference(public_id: uuid.UUID) -> str:
    """A draft's stable reference until it gets its number at send: "D-" and the first six
    hex digits of its public id (never reused, no counter, nothing stored)."""
    return f"D-{public_id.hex[:6].upper()}"


# The overdue rule, once (DESIGN.md 4): an invoice is shown Overdue when it is stored Overdue, or
# when it is Sent (or Partially paid) with a due date before today in its workspace's timezone
# (the sweep moves it later): overdue applies to the balance. The SQL and Python forms below are
# the same rule; everything else uses them.


def past_due(today: datetime.date) -> models.Q:
    """Sent or partially paid invoices whose due date is before ``today``: what the overdue
    sweep moves."""
    return models.Q(status__in=DUE, due_date__lt=today)


def shown_overdue(today: datetime.date) -> models.Q:
    """Invoices shown as Overdue on ``today``."""
    return models.Q(status=InvoiceStatus.OVERDUE) | past_due(today)


def shown_as(status: str, today: datetime.date) -> models.Q:
    """Invoices whose shown status on ``today`` is ``status``."""
    if status == InvoiceStatus.OVERDUE:
        return shown_overdue(today)
    if status in DUE:
        return models.Q(status=status) & (
            models.Q(due_date__gte=today) | models.Q(due_date__isnull=True)
        )
    return models.Q(status=status)


def shown_status_of(status: str, due_date: datetime.date | None, today: datetime.date) -> str:
    """The status to show for a stored status and due date (the Python form of the rule)."""
    if status in DUE and due_date is not None and due_date < today:
        return InvoiceStatus.OVERDUE
    return status


class InvoiceQuerySet(TenantQuerySet):
    def with_shown_status(self, today: datetime.date) -> InvoiceQuerySet:
        """Annotate ``shown_status``: the status a person sees on ``today``."""
        return self.annotate(
            shown_status=models.Case(
                models.When(past_due(today), then=models.Value(InvoiceStatus.OVERDUE.value)),
                default=models.F("status"),
                output_field=models.CharField(),
            )
        )

    def shown_as(self, status: str, today: datetime.date) -> InvoiceQuerySet:
        """Invoices whose shown status on ``today`` is ``status``."""
        return self.filter(shown_as(status, today))

    def payable(self) -> InvoiceQuerySet:
        return self.filter(status__in=PAYABLE)


class InvoiceManager(TenantManager.from_queryset(InvoiceQuerySet)):  # type: ignore[misc]
    """The tenant manager, with the invoice's named filters."""


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
        max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    amount = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    description = models.TextField(max_length=2000, validators=[multi_line])
    # The invoice of record (issue 15): figures derived from the lines; amount is the total.
    net_amount = models.BigIntegerField(null=True, blank=True)
    vat_amount = models.BigIntegerField(default=0, db_default=0)
    prices_include_vat = models.BooleanField(default=False, db_default=False)
    po_number = models.CharField(max_length=60, blank=True, db_default="", validators=[single_line])
    supply_date = models.DateField(null=True, blank=True)
    # Sterling per one unit of the invoice's currency, for UK VAT on a EUR/USD invoice.
    gbp_rate = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    issue_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Who the invoice goes to, as chosen at send ("Send to" and "CC", one address a line);
    # empty: the client's billing email and the contacts who receive invoices.
    email_to = models.TextField(blank=True, default="", db_default="")
    email_cc = models.TextField(blank=True, default="", db_default="")
    # "Pause reminders" on the invoice's page: the schedule skips it (issue 17).
    reminders_paused = models.BooleanField(default=False, db_default=False)
    paid_at = models.DateTimeField(null=True, blank=True)
    # While Processing: how the client paid (Stripe's method type) and when it should clear.
    processing_method = models.CharField(max_length=40, blank=True, db_default="")
    processing_expected_on = models.DateField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    refunded_amount = models.PositiveBigIntegerField(default=0)
    # The sum of the invoice's credit notes: the balance drops by it.
    credited_amount = models.PositiveBigIntegerField(default=0, db_default=0)
    # What the client has paid towards the balance: Stripe payments (less any excess refunded
    # automatically) and payments recorded by hand (issue 16). Paid when the balance is zero.
    paid_amount = models.PositiveBigIntegerField(default=0, db_default=0)
    # Something a person must look at (a payment that did not match, a second payment).
    attention = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InvoiceManager()  # type: ignore[misc]
    unscoped = models.Manager.from_queryset(InvoiceQuerySet)()  # type: ignore[misc]

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
            # The portal home: a client's invoices by engagement, newest first (counted and
            # ranked from this index alone; ``status`` last, to leave drafts out).
            models.Index(
                fields=["workspace", "client", "engagement", "-issue_date", "-id", "status"],
                name="invoice_ws_client_eng",
            ),
            # The dashboard's outstanding/overdue/ageing figures (balances: amount less credits
            # and payments; credits owed back) read only this index: among 5M invoices one
            # workspace's rows are spread over the whole table (issue 19, bench/platform.py).
            models.Index(
                fields=[
                    "workspace",
                    "currency",
                    "status",
                    "due_date",
                    "amount",
                    "credited_amount",
                    "paid_amount",
                    "refunded_amount",
                ],
                name="invoice_ws_figures",
            ),
            # The period's payments joined to their invoices (client, days to pay) in the
            # workspace's range of this index, hashed, instead of one primary-key lookup in
            # the 5M-row table per payment (issue 19, bench/platform.py's EXPLAIN).
            models.Index(
                fields=["workspace", "id"],
                include=["client", "sent_at"],
                name="invoice_ws_id_client_sent",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How a person names the invoice: its number, or "Draft D-1A2B3C" (stable per draft)."""
        return self.number or f"Draft {draft_reference(self.public_id)}"

    def shown_status(self, today: datetime.date) -> str:
        """The status to show: a sent invoice past its due date is Overdue, task or not."""
        return shown_status_of(self.status, self.due_date, today)

    def shown_status_label(self, today: datetime.date) -> str:
        return InvoiceStatus(self.shown_status(today)).label

    @property
    def net(self) -> int:
        """Net of VAT (an invoice from before line items has no VAT: its amount)."""
        return self.amount if self.net_amount is None else self.net_amount

    @property
    def total_after_credits(self) -> int:
        """The total less credit notes: what the client is to pay in all."""
        return max(self.amount - self.credited_amount, 0)

    @property
    def balance_due(self) -> int:
        """What the client still owes: the total less credit notes and payments (never below
        zero). Refunds do not add to it: money given back was given back on purpose."""
        return max(self.amount - self.credited_amount - self.paid_amount, 0)

    @property
    def tax_point(self) -> datetime.date | None:
        """The time of supply: the supply date, or the issue date."""
        return self.supply_date or self.issue_date

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def is_payable(self) -> bool:
        return self.status in PAYABLE


class InvoiceLine(TenantModel):
    """One line of an invoice: quantity x unit price at a VAT rate (DESIGN.md 12).

    ``net`` and ``vat`` are stored as computed by ``vat.line_amounts`` when the line was written;
    the unit price is net, or gross when the invoice's ``prices_include_vat``.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=500, validators=[multi_line])
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.PositiveBigIntegerField()
    vat_rate = models.CharField(max_length=20)
    vat_rate_bps = models.PositiveIntegerField(default=0)
    vat_category = models.CharField(max_length=2)
    net = models.BigIntegerField()
    vat = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="invoice_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description[:40]}"


class CreditNote(TenantModel):
    """A credit against one sent invoice, in its own gapless series (``CN-0001``).

    ``vat_by_rate`` keeps the credit's net and VAT per rate (``[{"rate", "net", "vat"}]``) as
    worked out when it was issued; a credit note, like a sent invoice, never changes.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.CharField(max_length=40)
    issue_date = models.DateField()
    reason = models.CharField(max_length=500, validators=[single_line])
    amount = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    net_amount = models.BigIntegerField()
    vat_amount = models.BigIntegerField(default=0)
    vat_by_rate = models.JSONField(default=list)
    request_key = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="credit_note_number"),
            models.UniqueConstraint(
                fields=["workspace", "request_key"], name="credit_note_request_once"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="credit_note_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class RecordedPaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CHEQUE = "cheque", "Cheque"
    CASH = "cash", "Cash"
    CARD_ELSEWHERE = "card_elsewhere", "Card (outside SecPortal)"
    OTHER = "other", "Other"


class RecordedPayment(TenantModel):
    """A payment received outside Stripe and recorded by hand (issue 16, 5): no platform fee.

    Deleting one (an owner, with a reason) keeps the row with ``deleted_at``: the history and the
    audit trail still show what was recorded and why it went.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="recorded_payments")
    amount = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    received_on = models.DateField()
    method = models.CharField(max_length=20, choices=RecordedPaymentMethod.choices)
    reference = models.CharField(max_length=140, blank=True, validators=[single_line])
    request_key = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delete_reason = models.CharField(max_length=500, blank=True, validators=[single_line])

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "request_key"], name="recorded_payment_request_once"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="recorded_payment_amount_positive"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "received_on"])]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} recorded for {self.invoice_id}"


class ActorType(models.TextChoices):
    USER = "user", "Consultant"
    CONTACT = "contact", "Client contact"
    SYSTEM = "system", "SecPortal"
    STRIPE = "stripe", "Stripe"


class InvoiceEventKind(models.TextChoices):
    """What happened to an invoice; the label is what its history shows."""

    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    SENT = "sent", "Sent"
    EMAIL_RESENT = "email_resent", "Email sent again"
    VIEWED = "viewed", "Viewed by the client"
    BECAME_OVERDUE = "became_overdue", "Became overdue"
    REMINDER_SENT = "reminder_sent", "Reminder sent"
    REMINDERS_PAUSED = "reminders_paused", "Reminders paused"
    REMINDERS_RESUMED = "reminders_resumed", "Reminders resumed"
    CHECKOUT_STARTED = "checkout_started", "Checkout started"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    PAYMENT_PROCESSING = "payment_processing", "Bank payment on its way"
    TRANSFER_AWAITED = "transfer_awaited", "Bank transfer chosen: awaiting the money"
    TRANSFER_PART_RECEIVED = "transfer_part_received", "Part of the bank transfer received"
    PAID = "paid", "Paid"
    PARTIALLY_PAID = "partially_paid", "Part payment received"
    PAYMENT_RECORDED = "payment_recorded", "Payment recorded"
    RECORDED_PAYMENT_DELETED = "recorded_payment_deleted", "Recorded payment deleted"
    PAYMENT_FLAGGED = "payment_flagged", "Payment needs attention"
    REFUND_REQUESTED = "refund_requested", "Refund requested"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partly refunded"
    REFUND_FAILED = "refund_failed", "Refund failed"
    DISPUTE_OPENED = "dispute_opened", "Disputed by the client's bank"
    DISPUTE_WON = "dispute_won", "Dispute won"
    DISPUTE_LOST = "dispute_lost", "Dispute lost"
    VOIDED = "voided", "Voided"
    CREDITED = "credited", "Credit note issued"


class InvoiceEvent(TenantModel):
    """The invoice's append-only history (its audit trail)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=InvoiceEventKind.choices)
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


class InvoiceReminder(TenantModel):
    """One reminder sent about an invoice: for a point of the workspace's schedule
    (``offset_days`` from the due date; unique per invoice, so a point is sent at most once
    however often or late the scheduler runs), or by hand (``offset_days`` empty)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="reminders")
    offset_days = models.SmallIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "offset_days"], name="invoice_reminder_offset_once"
            )
        ]

    def __str__(self) -> str:
        return f"reminder of {self.invoice_id} ({self.offset_days})"
