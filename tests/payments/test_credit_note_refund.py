"""Issue 15 (6): after a credit note on an invoice paid through Stripe, owners and admins are
offered to refund the credited amount, through the refund flow and its confirmation page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from secportal.invoicing import credits
from secportal.invoicing.models import Invoice
from secportal.payments import refunds
from secportal.payments.models import RefundRequest, RefundRequestState

from ..conftest import signed_in
from .test_refunds import paid_tenant

pytestmark = pytest.mark.django_db(transaction=True)

OFFER = re.compile(
    r'data-offer="credit-refund">.*?name="request_id" value="([^"]+)">\s*'
    r'<input type="hidden" name="amount" value="([^"]+)">.*?'
    r"Refund ([^<]+) through Stripe</button>",
    re.S,
)


def test_a_credit_note_offers_its_refund_through_stripe(sandbox) -> None:
    tenant, _payment = paid_tenant(sandbox)
    browser = signed_in(tenant.admin)
    detail = reverse("invoicing:detail", args=[tenant.invoice.public_id])
    assert "through Stripe" not in browser.get(detail).content.decode()  # no credit, no offer
    credit = reverse("invoicing:credit", args=[tenant.invoice.public_id])
    answer = browser.post(credit, {"amount": "250", "reason": "Retest not needed", "key": "k"})
    assert answer.status_code == 302
    page = browser.get(detail).content.decode()
    offer = OFFER.search(page)
    assert offer, page
    request_id, amount, words = offer.groups()
    assert (amount, words) == ("250.00", "£250.00")
    # A member sees no offer.
    assert "through Stripe" not in signed_in(tenant.member).get(detail).content.decode()
    # The offer is the refund form: the confirmation page, then the refund, once.
    url = reverse("payments:refund", args=[tenant.invoice.public_id])
    confirm = browser.post(url, {"amount": amount, "request_id": request_id}).content.decode()
    assert "Refund £250.00?" in confirm and "cannot be undone" in confirm
    assert f'name="request_id" value="{request_id}"' in confirm
    assert not RefundRequest.objects.exists()
    browser.post(url, {"amount": amount, "request_id": request_id, "confirm": "yes"})
    browser.post(url, {"amount": amount, "request_id": request_id, "confirm": "yes"})
    assert sandbox.drain(timeout=10)
    request = RefundRequest.objects.get()
    assert (request.amount, request.state) == (25000, RefundRequestState.SUCCEEDED)
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert invoice.refunded_amount == invoice.credited_amount == 25000
    assert "through Stripe" not in browser.get(detail).content.decode()  # the credit is refunded


def test_refunds_already_made_count_against_the_offer(sandbox) -> None:
    tenant, _payment = paid_tenant(sandbox)
    refunds.refund_invoice(tenant.invoice.pk, tenant.owner, 50000)
    assert sandbox.drain(timeout=10)
    assert Invoice.objects.get(pk=tenant.invoice.pk).refunded_amount == 50000
    credits.issue_credit_note(tenant.invoice.pk, tenant.admin, reason="Discount", amount=100000)
    browser = signed_in(tenant.owner)
    detail = reverse("invoicing:detail", args=[tenant.invoice.public_id])
    _, amount, words = OFFER.search(browser.get(detail).content.decode()).groups()
    assert (amount, words) == ("500.00", "£500.00")
