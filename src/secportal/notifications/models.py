from __future__ import annotations

import uuid

from django.db import models


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    # Claimed by a delivery that is talking to the mail server now (``claimed_at``); a claim
    # older than EMAIL_SEND_LEASE belongs to a worker that died, and is delivered again.
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # The mail server refused the recipient (a 5xx answer to RCPT): not tried again.
    BOUNCED = "bounced", "Bounced"


#: Deliveries that ended without the email being accepted (the daily digest lists them).
UNDELIVERED = (EmailStatus.FAILED, EmailStatus.BOUNCED)


EMAIL_KINDS = {
    "invoice": "Invoice",
    "invoice_fresh_link": "Invoice (fresh link)",
    "overdue_reminder": "Overdue reminder",
    "reminder": "Reminder",
    "payment_confirmation": "Payment confirmation",
    "payment_received": "Payment received",
    "credit_note": "Credit note",
    "auto_refund_failed": "Refund of a second payment failed",
    "payment_failed": "Payment failed (to the client)",
    "payment_failed_owner": "Payment failed",
    "portal_sign_in": "Portal sign-in link",
    "stripe_disconnected": "Stripe account disconnected",
    "delivery_digest": "Undelivered emails (daily digest)",
    "invoice_voided": "Invoice voided",
    "refund_issued": "Refund issued",
    "statement": "Statement of account",
}


class EmailMessage(models.Model):
    """The outbox: one row per email, written in the transaction that decides to send it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(
        "workspaces.Workspace", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=40)
    to = models.EmailField()
    # An email to several people is one delivery per person (each with its own state); these
    # are the To and Cc headers every copy shows, and whether this person is in Cc.
    to_header = models.TextField(blank=True, default="", db_default="")
    cc_header = models.TextField(blank=True, default="", db_default="")
    is_cc = models.BooleanField(default=False, db_default=False)
    reply_to = models.EmailField(blank=True)
    # The display name of the From header ("Redline Security via SecPortal"); the address is
    # always the platform's (DEFAULT_FROM_EMAIL). Empty: DEFAULT_FROM_EMAIL as it is.
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # The invoice the email is about (sent, reminder, paid, fresh pay link), so that the invoice's
    # page shows its deliveries. A lazy reference: the outbox never imports invoicing.
    invoice = models.ForeignKey(
        "invoicing.Invoice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
    )
    # Attachments drawn when the email is first delivered, outside any transaction, rather than
    # in the one that queues it (a receipt PDF takes a while): {"path": dotted name of a function
    # returning [(filename, bytes, content type)], "args": [...]}. Stored once drawn.
    attachment_builder = models.JSONField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    # A caller-chosen key that makes queueing idempotent (e.g. "invoice-sent:<id>:<to>").
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a delivery claimed the email (status Sending): the lease of that claim starts here.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When the delivery ended Failed or Bounced (the daily digest's window).
    failed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"

    @property
    def kind_label(self) -> str:
        return EMAIL_KINDS.get(self.kind, self.kind.replace("_", " ").capitalize())


class EmailAttachment(models.Model):
    """A file sent with an email, stored when the email is queued: a retry sends the same bytes."""

    message = models.ForeignKey(EmailMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename
