"""Issue 13, item 14: Refund and Void ask for confirmation stating the amount and the
consequence; an empty refund amount means "choose one", never "refund everything"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.invoicing.services import send_invoice
from secportal.payments.models import RefundRequest

from ..conftest import signed_in
from ..invoicing.conftest import connect_stripe
from .test_refunds import paid_tenant

pytestmark = pytest.mark.django_db(transaction=True)


def test_empty_amount_refunds_nothing_and_asks_for_one(sandbox) -> None:
    tenant, _payment = paid_tenant(sandbox)
    browser = signed_in(tenant.admin)
    url = reverse("payments:refund", args=[tenant.invoice.public_id])
    page = browser.post(url, {"amount": "", "confirm": "yes"}, follow=True).content.decode()
    assert "Enter the amount to refund (at most £1,250.50). Nothing was refunded." in page
    assert not RefundRequest.objects.exists()


def test_refund_asks_for_confirmation_with_amount_and_consequence(sandbox) -> None:
    tenant, _payment = paid_tenant(sandbox)
    browser = signed_in(tenant.admin)
    detail = reverse("invoicing:detail", args=[tenant.invoice.public_id])
    form_id = re.search(r'name="request_id" value="([^"]+)"', browser.get(detail).content.decode())
    assert form_id
    url = reverse("payments:refund", args=[tenant.invoice.public_id])
    page = browser.post(url, {"amount": "200", "request_id": form_id.group(1)}).content.decode()
    assert "Refund £200.00?" in page
    assert "goes back to the card" in page and "cannot be undone" in page
    assert "The invoice stays <strong>Paid</strong>" in page
    assert f'name="request_id" value="{form_id.group(1)}"' in page  # the same request
    assert not RefundRequest.objects.exists()
    page = browser.post(url, {"amount": "1,250.50"}).content.decode()
    assert "the invoice becomes <strong>Refunded</strong>" in page
    browser.post(url, {"amount": "200", "request_id": form_id.group(1), "confirm": "yes"})
    assert RefundRequest.objects.get().amount == 20000


def test_void_asks_for_confirmation_with_amount_and_consequence(tenant) -> None:
    connect_stripe(tenant)
    send_invoice(tenant.invoice.pk, tenant.admin)
    browser = signed_in(tenant.admin)
    url = reverse("invoicing:void", args=[tenant.invoice.public_id])
    page = browser.post(url, {"reason": "Wrong client"}).content.decode()
    assert "Void invoice INV-0001 for £1,250.50?" in page
    assert "stop working" in page and "cannot be undone" in page and "Wrong client" in page
    assert Invoice.objects.get(pk=tenant.invoice.pk).status == InvoiceStatus.SENT
    browser.post(url, {"reason": "Wrong client", "confirm": "yes"})
    assert Invoice.objects.get(pk=tenant.invoice.pk).status == InvoiceStatus.VOID
