"""Issue 13, item 11: the client's Paid page (Checkout's success page) is not a dead end: it
links to the invoice, its paid PDF and the client portal, and has no staff sign-in link."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from secportal.payments.models import CheckoutAttempt

from .test_refunds import paid_tenant

pytestmark = pytest.mark.django_db(transaction=True)


def test_paid_page_links_to_the_invoice_its_pdf_and_the_portal(sandbox) -> None:
    paid_tenant(sandbox)
    attempt = CheckoutAttempt.objects.get()
    payer = HttpClient()
    page = payer.get(
        reverse("payments:checkout_success"), {"session_id": attempt.session_id}
    ).content.decode()
    assert "<h1>Paid</h1>" in page
    assert reverse("accounts:login") not in page  # no staff sign-in
    assert f'href="{reverse("portal:home")}">Go to your client portal</a>' in page
    pdf = re.search(r'href="([^"]+)">Download paid invoice \(PDF\)</a>', page)
    view = re.search(r'href="([^"]+)">View invoice ', page)
    assert pdf and view
    response = payer.get(pdf.group(1))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert payer.get(view.group(1)).status_code == 200
    assert payer.get(reverse("portal:home")).status_code == 302  # to the portal's sign-in
