from __future__ import annotations

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


class CheckoutAttempt(TenantModel):
    """One Stripe Checkout Session for an invoice; its amount and fee rate are frozen here."""

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.CASCADE, related_name="checkout_attempts"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=AttemptStatus.choices, default=AttemptStatus.CREATING
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
    net = models.BigIntegerField()
    paid_at = models.DateTimeField()
    refunded_amount = models.PositiveBigIntegerField(default=0)
    refunded_fee = models.PositiveBigIntegerField(default=0)
    # A second payment of an already-paid (or void) invoice: refunded automatically, retried
    # with backoff; when it cannot be done the owners are emailed and the date is kept here.
    duplicate = models.BooleanField(default=False)
    auto_refund_attempts = models.PositiveSmallIntegerField(default=0)
    auto_refund_error = models.TextField(blank=True)
    auto_refund_failed_at = models.DateTimeField(null=True, blank=True)
    payer_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "paid_at"]),
            models.Index(fields=["workspace", "currency", "paid_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for {self.invoice_id}"

    @property
    def fully_refunded(self) -> bool:
        return self.refunded_amount >= self.amount


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


class Refund(TenantModel):
    """Money returned to the client for a payment, when Stripe says it was refunded."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    stripe_refund_id = models.CharField(max_length=255, unique=True)
    amount = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    # The platform fee given back with it (refunded in proportion).
    fee_refunded = models.PositiveBigIntegerField(default=0)
    refunded_at = models.DateTimeField()

    class Meta:
        ordering = ["refunded_at", "id"]
        indexes = [models.Index(fields=["workspace", "currency", "refunded_at"])]

    def __str__(self) -> str:
        return self.stripe_refund_id
