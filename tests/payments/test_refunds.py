"""Refunds as requests with a life of their own, and Stripe's refunds as the truth: retried
after a timeout, failing later, made in the Stripe Dashboard (all against the sandbox)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from secportal.invoicing.models import Invoice, InvoiceEvent, InvoiceStatus
from secportal.payments import checkout, gateway, refunds
from secportal.payments.models import (
    CheckoutAttempt,
    Payment,
    Refund,
    RefundRequest,
    RefundRequestState,
    RefundStatus,
)

from ..conftest import signed_in
from .conftest import URLS, onboarded_tenant

pytestmark = pytest.mark.django_db(transaction=True)


def paid_tenant(sandbox):
    tenant = onboarded_tenant(sandbox)
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    attempt = CheckoutAttempt.objects.get()
    assert sandbox.pay(attempt.session_id)["outcome"] == "succeeded"
    assert sandbox.drain(timeout=10)
    assert Invoice.objects.get(pk=tenant.invoice.pk).status == InvoiceStatus.PAID
    return tenant, Payment.objects.get()


def refund_creates(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["method"] == "POST" and r["path"] == "/v1/refunds"]


def test_a_refund_that_timed_out_after_stripe_made_it_clicked_again_is_one_refund(
    sandbox, settings
):
    settings.STRIPE_TIMEOUT = 1
    tenant, payment = paid_tenant(sandbox)
    browser = signed_in(tenant.admin)
    detail = reverse("invoicing:detail", args=[tenant.invoice.public_id])
    form_id = re.search(r'name="request_id" value="([^"]+)"', browser.get(detail).content.decode())
    sandbox.set_faults(
        timeout_count=3,
        timeout_seconds=2,
        timeout_after_processing=True,
        path="/v1/refunds$",
        method="POST",
    )
    url = reverse("payments:refund", args=[tenant.invoice.public_id])
    answer = browser.post(
        url, {"amount": "500.00", "request_id": form_id.group(1), "confirm": "yes"}, follow=True
    )
    page = answer.content.decode()
    assert "Stripe has not answered yet" in page
    sandbox.clear_faults()
    # The person tries again from the page the error left them on: the same request.
    retry_id = re.search(r'name="request_id" value="([^"]+)"', page).group(1)
    assert retry_id == form_id.group(1)
    browser.post(url, {"amount": "500.00", "request_id": retry_id, "confirm": "yes"})
    # ...and once more, as people do.
    browser.post(url, {"amount": "500.00", "request_id": retry_id, "confirm": "yes"})
    assert sandbox.drain(timeout=10)
    request = RefundRequest.objects.get()
    assert request.state == RefundRequestState.SUCCEEDED
    assert len(sandbox.objects("refund")) == 1
    assert {r["idempotency_key"] for r in refund_creates(sandbox)} == {request.idempotency_key}
    payment.refresh_from_db()
    assert payment.refunded_amount == 50_000
    assert InvoiceEvent.objects.filter(kind="refund_requested").count() == 1


def test_a_request_waiting_for_stripe_is_sent_again_before_any_new_refund(sandbox, settings):
    settings.STRIPE_TIMEOUT = 1
    tenant, _payment = paid_tenant(sandbox)
    # Stripe did not get it at all (the connection failed before it executed).
    sandbox.set_faults(timeout_count=3, timeout_seconds=2, path="/v1/refunds$", method="POST")
    with pytest.raises(gateway.PaymentsUnavailable):
        refunds.refund_invoice(tenant.invoice.pk, tenant.admin, 50_000)
    assert RefundRequest.objects.get().state == RefundRequestState.REQUESTED
    sandbox.clear_faults()
    # A new form, another amount: the waiting request goes first, and is the answer.
    again = refunds.refund_invoice(tenant.invoice.pk, tenant.admin, 20_000)
    assert again.amount == 50_000 and again.state == RefundRequestState.SUCCEEDED
    assert RefundRequest.objects.count() == 1 and len(sandbox.objects("refund")) == 1


def test_a_refund_that_fails_after_succeeding_puts_the_invoice_back(sandbox):
    tenant, payment = paid_tenant(sandbox)
    request = refunds.refund_invoice(tenant.invoice.pk, tenant.admin, None)
    assert sandbox.drain(timeout=10)
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert invoice.status == InvoiceStatus.REFUNDED and invoice.refunded_amount == payment.amount
    sandbox.control("POST", f"refunds/{request.stripe_refund_id}/fail", {})
    assert sandbox.drain(timeout=10)
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.refunded_amount == 0
    assert payment.refunded_amount == 0
    # Whatever Stripe did with the fee refund is what we count (read, never assumed).
    fee = gateway.application_fee_of(payment.charge_id)
    assert fee is not None and payment.refunded_fee == fee["amount_refunded"]
    assert Refund.objects.get().status == RefundStatus.FAILED
    request.refresh_from_db()
    assert request.state == RefundRequestState.FAILED
    assert InvoiceEvent.objects.filter(invoice=invoice, kind="refund_failed").exists()


def test_a_dashboard_refund_without_the_fee_is_stripes_refund_and_keeps_the_fee(sandbox):
    tenant, payment = paid_tenant(sandbox)
    made = sandbox.control("POST", f"charges/{payment.charge_id}/refund", {"amount": 25_050})
    assert sandbox.drain(timeout=10)
    refund = Refund.objects.get()
    assert refund.stripe_refund_id == made["id"] and refund.amount == 25_050
    payment.refresh_from_db()
    assert payment.refunded_amount == 25_050
    assert payment.refunded_fee == 0  # Stripe gave the platform's fee back only if asked
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert invoice.status == InvoiceStatus.PAID and invoice.refunded_amount == 25_050
    assert not RefundRequest.objects.exists()


def test_an_app_refund_gives_back_the_fee_stripe_says_it_gave_back(sandbox):
    tenant, payment = paid_tenant(sandbox)
    refunds.refund_invoice(tenant.invoice.pk, tenant.admin, payment.amount // 2)
    assert sandbox.drain(timeout=10)
    payment.refresh_from_db()
    fee = gateway.application_fee_of(payment.charge_id)
    assert fee is not None and fee["amount_refunded"] > 0
    assert payment.refunded_fee == fee["amount_refunded"]
    assert Refund.objects.get().fee_refunded == fee["amount_refunded"]


def test_a_500_after_stripe_refunded_is_recognised_and_never_refunded_twice(sandbox):
    tenant, _payment = paid_tenant(sandbox)
    # Stripe made the refund, then answered 500 and stored that answer under the key: every
    # retry of the key (the SDK's own included) is that 500, replayed.
    sandbox.set_faults(
        error_count=1,
        error_status=500,
        error_after_processing=True,
        path="/v1/refunds$",
        method="POST",
    )
    request = refunds.refund_invoice(tenant.invoice.pk, tenant.admin, 10_000)
    sandbox.clear_faults()
    replayed = [r for r in refund_creates(sandbox) if r.get("replayed")]
    assert replayed, "the SDK's retry must have been answered from Stripe's idempotency store"
    # Our request's id is on the refund Stripe made: it is recognised, not made again.
    assert request.state == RefundRequestState.SUCCEEDED and request.stripe_refund_id
    assert len(sandbox.objects("refund")) == 1
    again = refunds.refund_invoice(
        tenant.invoice.pk, tenant.admin, 10_000, request_id=request.public_id
    )
    assert again.pk == request.pk and len(sandbox.objects("refund")) == 1


def test_refund_page_shows_requests_and_stripes_refunds(sandbox):
    tenant, _payment = paid_tenant(sandbox)
    browser = signed_in(tenant.admin)
    url = reverse("payments:refund", args=[tenant.invoice.public_id])
    response = browser.post(url, {"amount": "100.00", "confirm": "yes"}, follow=True)
    page = response.content.decode()
    assert "Refund of £100.00: refunded." in page
    assert sandbox.drain(timeout=10)
    page = browser.get(reverse("invoicing:detail", args=[tenant.invoice.public_id])).content
    text = page.decode()
    assert "Refunds" in text and Refund.objects.get().stripe_refund_id in text
    assert "Net of platform fee" in text and "is taken separately in your Stripe account" in text
