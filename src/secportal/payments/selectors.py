"""Reads about the workspace's ability to take payments, and its payments."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from secportal.core import prepared
from secportal.core.prepared import PreparedRead
from secportal.invoicing.models import Invoice
from secportal.invoicing.page_reads import page_extra
from secportal.workspaces.models import Workspace

from .models import (
    CheckoutAttempt,
    ConnectedAccount,
    Dispute,
    Payment,
    Refund,
    RefundRequest,
)


def connected_account(workspace: Workspace) -> ConnectedAccount | None:
    return ConnectedAccount.objects.filter(workspace=workspace).first()


def can_take_payments(workspace: Workspace) -> bool:
    """The one check that sending an invoice and starting a checkout rely on."""
    account = connected_account(workspace)
    return account is not None and account.ready


def account_state(account: ConnectedAccount | None) -> tuple[str, str]:
    """(key, words) for Settings: not connected, onboarding incomplete, ready, restricted."""
    if account is None or account.disconnected_at is not None:
        return "not_connected", "Not connected"
    if account.ready:
        return "ready", "Ready to take payments"
    if not account.details_submitted:
        return "incomplete", "Onboarding incomplete"
    return "restricted", "Restricted: Stripe needs more information before you can take payments"


def payments_of(invoice: Invoice) -> QuerySet[Payment]:
    return Payment.unscoped.filter(invoice=invoice).order_by("paid_at")


_PAGE_PAYMENTS = "_page_payments"


def page_payments(invoice: Invoice) -> list[Payment]:
    """The invoice's payments, read once per invoice object: the invoice page's "Receipt"
    button, its payments table and its refund form share one query (on the invoice page, the
    page's own round trip: ``invoicing.page_reads.page_rows``)."""
    cached = getattr(invoice, _PAGE_PAYMENTS, None)
    if cached is None:
        cached = page_extra(invoice, "payments")
    if cached is None:
        cached = prepared.run_one(_PAYMENTS, invoice.pk)
    setattr(invoice, _PAGE_PAYMENTS, cached)
    return cached


# ``payments_of``, compiled once (``core.prepared``): the invoice page's read.
_PAYMENTS: PreparedRead[Payment] = PreparedRead(
    lambda invoice_id: Payment.unscoped.filter(invoice_id=invoice_id).order_by("paid_at")
)


def refundable_of(payments: list[Payment]) -> int:
    """``refundable`` over payments already read."""
    return max((p.refundable for p in payments if not p.duplicate), default=0)


def refundable(invoice: Invoice) -> int:
    """The most one refund can give back: what is left of the invoice's Stripe payment with the
    most left (paid in parts, each part is refunded on its own)."""
    payments = Payment.unscoped.filter(invoice=invoice, duplicate=False)
    return max((p.refundable for p in payments), default=0)


def credit_to_refund(invoice: Invoice) -> int:
    """What the invoice's credit notes still owe the client through Stripe (issue 15, 6): the
    credited amount not yet covered by refunds, at most what is left to refund; 0 unless paid.
    Analytics' "credits owed back" uses the same rule."""
    if invoice.status != "paid" or invoice.credited_amount <= invoice.refunded_amount:
        return 0
    return min(invoice.credited_amount - invoice.refunded_amount, refundable(invoice))


def attempt_for_session(session_id: str) -> CheckoutAttempt | None:
    return (
        CheckoutAttempt.unscoped.select_related("invoice", "invoice__workspace")
        .filter(session_id=session_id)
        .first()
    )


def refund_requests_of(invoice: Invoice) -> QuerySet[RefundRequest]:
    return (
        RefundRequest.unscoped.filter(payment__invoice=invoice)
        .select_related("payment", "requested_by")
        .order_by("created_at", "pk")
    )


# The invoice page's refund requests, refunds and disputes (``page_payment_details``).
_REFUND_REQUESTS: PreparedRead[RefundRequest] = PreparedRead(
    lambda invoice_id: (
        RefundRequest.unscoped.filter(payment__invoice_id=invoice_id)
        .select_related("payment", "requested_by")
        .order_by("created_at", "pk")
    )
)
_STRIPE_REFUNDS: PreparedRead[Refund] = PreparedRead(
    lambda invoice_id: Refund.unscoped.filter(payment__invoice_id=invoice_id).order_by(
        "refunded_at", "pk"
    )
)
_DISPUTES: PreparedRead[Dispute] = PreparedRead(
    lambda invoice_id: Dispute.unscoped.filter(payment__invoice_id=invoice_id).order_by(
        "opened_at", "pk"
    )
)


def page_payment_details(
    invoice: Invoice,
) -> tuple[list[RefundRequest], list[Refund], list[Dispute]]:
    """``refund_requests_of``, ``stripe_refunds_of`` and ``disputes_of`` for the invoice page,
    compiled once and read in one round trip on PostgreSQL (``core.prepared``), the page's own
    when ``invoicing.page_reads.page_rows`` read them with it."""
    read = [page_extra(invoice, name) for name in ("refund_requests", "refunds", "disputes")]
    found = [rows for rows in read if rows is not None]
    if len(found) != len(read):
        found = prepared.run(
            [(_REFUND_REQUESTS, invoice.pk), (_STRIPE_REFUNDS, invoice.pk), (_DISPUTES, invoice.pk)]
        )
    requests, refunds, disputes = found
    return requests, refunds, disputes


#: Read in the invoice page's own round trip (``invoicing.page_reads.page_rows``).
PAGE_READS: dict[str, PreparedRead[Any]] = {
    "payments": _PAYMENTS,
    "refund_requests": _REFUND_REQUESTS,
    "refunds": _STRIPE_REFUNDS,
    "disputes": _DISPUTES,
}


def named_refund_request(invoice: Invoice, public_id: object) -> RefundRequest | None:
    """The invoice's refund request named in the address (after "Stripe has not answered")."""
    try:
        request_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return RefundRequest.unscoped.filter(payment__invoice=invoice, public_id=request_id).first()


def stripe_refunds_of(invoice: Invoice) -> QuerySet[Refund]:
    return Refund.unscoped.filter(payment__invoice=invoice).order_by("refunded_at", "pk")


def disputes_of(invoice: Invoice) -> QuerySet[Dispute]:
    return Dispute.unscoped.filter(payment__invoice=invoice).order_by("opened_at", "pk")
