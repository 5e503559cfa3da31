from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from secportal.core.tenancy import TenantModel


class ConnectedAccount(models.Model):
    """The workspace's own Stripe account (Stripe Connect, Standard-like)."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="connected_account"
    )
    stripe_account_id = models.CharField(max_length=64, unique=True)
    details_submitted = models.BooleanField(default=False)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    links_created = models.PositiveIntegerField(default=0)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.stripe_account_id

    @property
    def ready(self) -> bool:
        """Ready to take payments: onboarding done and charges enabled (DESIGN.md 7)."""
        return self.disconnected_at is None and self.details_submitted and self.charges_enabled


class AttemptStatus(models.TextChoices):
    CREATING = "creating", "Being created"
    OPEN = "open", "Open"
    COMPLETE = "complete", "Complete"
    EXPIRED = "expired", "Expired"
    ABANDONED = "abandoned", "Abandoned"
    PROCESSING = "processing", "Paid by bank debit, clearing"
    AWAITING_TRANSFER = "awaiting_transfer", "Awaiting the client's bank transfer"


class CheckoutAttempt(TenantModel):
    """One Stripe Checkout Session for an invoice; its amount and fee rate are frozen here."""

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.CASCADE, related_name="checkout_attempts"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.CREATING
    )
    stripe_account_id = models.CharField(max_length=64)
    session_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    url = models.URLField(max_length=2000, blank=True)
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    application_fee = models.PositiveBigIntegerField()
    fee_bps = models.PositiveIntegerField()
    idempotency_key = models.CharField(max_length=255, unique=True)
    # Everything sent to Stripe to create the session (gateway.CheckoutRequest), saved before
    # the first call and sent verbatim on every retry, whichever page the payer retries from.
    request = models.JSONField(default=dict)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # A bank transfer (customer_balance): Checkout completed unpaid; the client sends money to
    # the account Stripe gave (``display_bank_transfer_instructions``, kept as Stripe sent it,
    # ``amount_remaining`` going down as parts arrive) until the payment intent succeeds.
    payment_intent_id = models.CharField(max_length=255, blank=True, db_default="", db_index=True)
    transfer_instructions = models.JSONField(default=dict, blank=True, db_default={})
    # What of that transfer already counts towards the invoice (parts funded before it is paid).
    transfer_counted = models.PositiveBigIntegerField(default=0, db_default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "number"], name="one_attempt_number")
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.session_id or f"attempt {self.number}"


class Payment(TenantModel):
    """Money Stripe says it took for an invoice (one per paid Checkout Session)."""

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="payments"
    )
    attempt = models.OneToOneField(
        CheckoutAttempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="payment"
    )
    stripe_account_id = models.CharField(max_length=64)
    checkout_session_id = models.CharField(max_length=255, unique=True)
    payment_intent_id = models.CharField(max_length=255, blank=True)
    charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    application_fee = models.PositiveBigIntegerField()
    net = models.BigIntegerField()  # the amount less the platform fee
    # Stripe's own processing fee, from the charge's balance transaction (None: not known yet).
    stripe_fee = models.PositiveBigIntegerField(null=True, blank=True)
    paid_at = models.DateTimeField()
    refunded_amount = models.PositiveBigIntegerField(default=0)
    refunded_fee = models.PositiveBigIntegerField(default=0)
    # A second payment of an already-paid (or void) invoice: refunded automatically, retried
    # with backoff; when it cannot be done the owners are emailed and the date is kept here.
    duplicate = models.BooleanField(default=False)
    # Paid beyond the balance (two parts racing): this much is given back automatically, like a
    # double payment; the rest counts towards the invoice.
    excess = models.PositiveBigIntegerField(default=0, db_default=0)
    auto_refund_attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    auto_refund_error = models.TextField(blank=True, db_default="")
    auto_refund_failed_at = models.DateTimeField(null=True, blank=True)
    payer_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_at", "-id"]
        indexes = [
            # A workspace's payments by date; it holds what the dashboard's period payments and
            # monthly revenue read (index-only): among 10,000 workspaces one workspace's
            # payments of a year lie on ~5,000 heap pages (issue 19, bench/platform.py).
            models.Index(
                fields=["workspace", "paid_at"],
                include=["currency", "amount", "application_fee", "duplicate", "invoice", "id"],
                name="payment_ws_paid_figures",
            ),
            models.Index(fields=["workspace", "currency", "paid_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for {self.invoice_id}"

    @property
    def fully_refunded(self) -> bool:
        return self.refunded_amount >= self.amount

    @property
    def to_give_back(self) -> int:
        """What is refunded automatically: all of a double payment, or the excess of a part."""
        return self.amount if self.duplicate else self.excess

    @property
    def applied(self) -> int:
        """What counts towards the invoice."""
        return 0 if self.duplicate else self.amount - self.excess

    @property
    def refunded_of_applied(self) -> int:
        """Refunded beyond what is given back automatically: the invoice's own refunds."""
        return 0 if self.duplicate else max(self.refunded_amount - self.excess, 0)

    @property
    def refundable(self) -> int:
        """What is left to refund of what counted towards the invoice."""
        return self.applied - self.refunded_of_applied


class StripeEvent(models.Model):
    """Every webhook Stripe sent us, stored before it is processed (dj-stripe's lesson)."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    account = models.CharField(max_length=64, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    deliveries = models.PositiveIntegerField(default=1)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    # Processing that failed: how often, the last error, and when it was given up on (the
    # dead-letter list in the admin, from where an operator reprocesses it).
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    dead_lettered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["type", "received_at"])]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"

    @property
    def dead_lettered(self) -> bool:
        return self.dead_lettered_at is not None


class RefundStatus(models.TextChoices):
    """A Stripe refund's status; pending and succeeded refunds count as money given back
    (as Stripe's ``amount_refunded`` counts them), a failed or canceled one gave nothing back."""

    PENDING = "pending", "Pending"
    REQUIRES_ACTION = "requires_action", "Needs action"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


COUNTED_REFUNDS = (RefundStatus.PENDING, RefundStatus.SUCCEEDED)


class Refund(TenantModel):
    """One of Stripe's refunds of a payment (asked from the app or made in the Dashboard), as
    Stripe last told us: its id, amount, status and the date Stripe made it."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    stripe_refund_id = models.CharField(max_length=255, unique=True)
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20,
        choices=RefundStatus.choices,
        default=RefundStatus.SUCCEEDED,
        db_default=RefundStatus.SUCCEEDED,
    )
    # Its share of the platform fee that Stripe's application fee says was refunded.
    fee_refunded = models.PositiveBigIntegerField(default=0)
    refunded_at = models.DateTimeField()

    class Meta:
        ordering = ["refunded_at", "id"]
        indexes = [models.Index(fields=["workspace", "currency", "refunded_at"])]

    def __str__(self) -> str:
        return self.stripe_refund_id


class RefundRequestState(models.TextChoices):
    REQUESTED = "requested", "Sent to Stripe, waiting for its answer"
    PENDING = "pending", "Pending at Stripe"
    SUCCEEDED = "succeeded", "Refunded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


class RefundRequest(TenantModel):
    """A person's request to refund (part of) a payment, saved before Stripe is called: its
    idempotency key is sent on every retry until Stripe's answer is known."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refund_requests")
    amount = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=40, default="requested_by_customer")
    idempotency_key = models.CharField(max_length=255, unique=True)
    state = models.CharField(
        max_length=20, choices=RefundRequestState.choices, default=RefundRequestState.REQUESTED
    )
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"refund of {self.amount} ({self.state})"

    @property
    def unresolved(self) -> bool:
        return self.state == RefundRequestState.REQUESTED


class DisputeStatus(models.TextChoices):
    WARNING_NEEDS_RESPONSE = "warning_needs_response", "Inquiry: needs a response"
    WARNING_UNDER_REVIEW = "warning_under_review", "Inquiry under review"
    WARNING_CLOSED = "warning_closed", "Inquiry closed"
    NEEDS_RESPONSE = "needs_response", "Needs a response"
    UNDER_REVIEW = "under_review", "Under review"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    PREVENTED = "prevented", "Prevented"


CLOSED_DISPUTES = (
    DisputeStatus.WARNING_CLOSED,
    DisputeStatus.WON,
    DisputeStatus.LOST,
    DisputeStatus.PREVENTED,
)


class Dispute(TenantModel):
    """The client's bank took a payment back (a chargeback), as Stripe tells it; a lost dispute
    reduces revenue in the month it closed."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="disputes")
    stripe_dispute_id = models.CharField(max_length=255, unique=True)
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=30, choices=DisputeStatus.choices)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "id"]
        indexes = [models.Index(fields=["workspace", "status", "closed_at"])]

    def __str__(self) -> str:
        return self.stripe_dispute_id

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_DISPUTES

    @property
    def reason_words(self) -> str:
        return self.reason.replace("_", " ") or "no reason given"


class PaymentMethod(models.TextChoices):
    """The ways to pay on Stripe Checkout that a workspace can offer (Stripe's type names)."""

    CARD = "card", "Card"
    BACS_DEBIT = "bacs_debit", "Bacs Direct Debit"
    SEPA_DEBIT = "sepa_debit", "SEPA Direct Debit"
    US_BANK_ACCOUNT = "us_bank_account", "ACH Direct Debit"
    BANK_TRANSFER = "customer_balance", "Bank transfer"


#: The currencies each method takes (Stripe's rules); card takes every currency we invoice in.
METHOD_CURRENCIES: dict[str, tuple[str, ...]] = {
    PaymentMethod.CARD: ("GBP", "EUR", "USD"),
    PaymentMethod.BACS_DEBIT: ("GBP",),
    PaymentMethod.SEPA_DEBIT: ("EUR",),
    PaymentMethod.US_BANK_ACCOUNT: ("USD",),
    PaymentMethod.BANK_TRANSFER: ("GBP", "EUR", "USD"),
}
#: Methods for which Stripe needs a Customer on the connected account.
NEEDS_CUSTOMER = (PaymentMethod.BANK_TRANSFER,)


class PaymentMethodSettings(models.Model):
    """Which ways to pay a workspace offers on Checkout (card only until an owner chooses)."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="payment_method_settings"
    )
    methods = models.JSONField(default=list)
    # Partial payments (issue 16, 4): off by default; a part is at least this share of the
    # invoice's total (the whole balance may always be paid, however small).
    allow_partial_payments = models.BooleanField(default=False, db_default=False)
    minimum_part_percent = models.PositiveSmallIntegerField(
        default=10, db_default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return ", ".join(self.methods)


class StripeCustomer(TenantModel):
    """The Stripe Customer of a client on a connected account, created once and reused."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="stripe_customers"
    )
    stripe_account_id = models.CharField(max_length=64)
    customer_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "stripe_account_id"], name="one_customer_per_client_account"
            )
        ]

    def __str__(self) -> str:
        return self.customer_id
