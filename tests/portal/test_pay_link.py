"""The signed Pay Invoice link from the email: no sign-in, bound to the invoice's amount."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from secportal.core.signing import make_pay_token
from secportal.invoicing import links
from secportal.invoicing.models import InvoiceEvent, InvoiceStatus
from secportal.invoicing.services import send_invoice
from secportal.notifications.models import EmailMessage
from secportal.payments.models import ConnectedAccount

from .conftest import make_sent

pytestmark = pytest.mark.django_db


def token_of(invoice) -> str:
    return make_pay_token(invoice.public_id, invoice.amount, invoice.currency)


def test_the_emailed_link_opens_the_invoice_without_signing_in(tenant):
    ConnectedAccount.objects.create(
        workspace=tenant.workspace,
        stripe_account_id="acct_test1",
        details_submitted=True,
        charges_enabled=True,
    )
    send_invoice(tenant.invoice.pk, tenant.owner)
    email = EmailMessage.objects.get(kind="invoice", to=tenant.client.billing_email)
    path = re.search(r"http://testserver(/portal/pay/[^/\s]+/)", email.body_text).group(1)
    browser = HttpClient()
    response = browser.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    invoice = tenant.invoice
    invoice.refresh_from_db()
    assert invoice.number in page and "£1,250.50" in page and "Pay Invoice" in page
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert reverse("portal:pay_link_pay", args=[token]) in page
    assert reverse("portal:pay_link_pdf", args=[token]) in page
    assert "Sign out" not in page
    viewed = InvoiceEvent.objects.get(invoice=invoice, kind="viewed")
    assert viewed.actor_contact is None and viewed.details["via"] == "pay link"
    # Opened again: still one "viewed", and the repeat neither locks the invoice nor writes.
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(path).status_code == 200
    assert InvoiceEvent.objects.filter(invoice=invoice, kind="viewed").count() == 1
    statements = [q["sql"].upper() for q in queries.captured_queries]
    written = ("SAVEPOINT", "BEGIN", "INSERT")  # a transaction opened (a savepoint in tests)
    assert not [sql for sql in statements if "FOR UPDATE" in sql or sql.startswith(written)]

    # The account stops taking charges: Pay Invoice explains instead of starting a checkout.
    ConnectedAccount.objects.filter(workspace=tenant.workspace).update(charges_enabled=False)
    response = browser.post(reverse("portal:pay_link_pay", args=[token]))
    assert response.status_code == 200
    assert "Online payment is not available" in response.content.decode()
    assert browser.get(reverse("portal:pay_link_pay", args=[token])).status_code == 405


@pytest.mark.parametrize("status", [InvoiceStatus.PAID, InvoiceStatus.VOID])
def test_the_link_stops_paying_once_paid_or_void(tenant, status):
    from secportal.payments.models import CheckoutAttempt

    invoice = make_sent(tenant.invoice)
    token = token_of(invoice)
    make_sent(invoice, status=status)
    page = HttpClient().get(reverse("portal:pay_link", args=[token])).content.decode()
    assert "Pay Invoice" not in page
    assert ("Paid on" if status == InvoiceStatus.PAID else "voided") in page
    response = HttpClient().post(reverse("portal:pay_link_pay", args=[token]))
    assert response["Location"] == reverse("portal:pay_link", args=[token])
    assert not CheckoutAttempt.objects.exists()


def test_tampered_link_is_not_valid_with_404(tenant):
    invoice = make_sent(tenant.invoice)
    token = token_of(invoice)
    for bad in (token[:-2] + ("xx" if token[-2:] != "xx" else "yy"), "nonsense", "a:b:c"):
        for name in ("portal:pay_link", "portal:pay_link_pdf"):
            response = HttpClient().get(reverse(name, args=[bad]))
            assert response.status_code == 404
            assert "This link is not valid" in response.content.decode()


def test_a_link_whose_amount_or_currency_no_longer_matches_is_invalid(tenant):
    invoice = make_sent(tenant.invoice)
    for token in (
        make_pay_token(invoice.public_id, invoice.amount + 1, invoice.currency),
        make_pay_token(invoice.public_id, invoice.amount, "USD"),
    ):
        response = HttpClient().get(reverse("portal:pay_link", args=[token]))
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()


def test_expired_link_offers_a_fresh_one_by_email(tenant, settings):
    tenant.contact.receives_invoices = True
    tenant.contact.save()
    invoice = make_sent(tenant.invoice)
    token = links.pay_link(invoice).rstrip("/").rsplit("/", 1)[1]
    settings.PAY_LINK_MAX_AGE = -1
    response = HttpClient().get(reverse("portal:pay_link", args=[token]))
    assert response.status_code == 410
    page = response.content.decode()
    assert "This link has expired" in page
    assert reverse("portal:fresh_link", args=[token]) in page
    assert "Pay Invoice" not in page
    assert HttpClient().post(reverse("portal:pay_link_pay", args=[token])).status_code == 410

    assert HttpClient().get(reverse("portal:fresh_link", args=[token])).status_code == 405
    response = HttpClient().post(reverse("portal:fresh_link", args=[token]))
    assert response.status_code == 200
    assert "emailed a fresh link" in response.content.decode()
    fresh = EmailMessage.objects.get(kind="invoice_fresh_link")
    assert fresh.to == tenant.client.billing_email  # the billing address only
    assert invoice.number in fresh.subject
    new_path = re.search(r"http://testserver(/portal/pay/[^/\s]+/)", fresh.body_text).group(1)
    settings.PAY_LINK_MAX_AGE = 3600
    assert HttpClient().get(new_path).status_code == 200
    # Asking again the same day sends nothing more.
    HttpClient().post(reverse("portal:fresh_link", args=[token]))
    assert EmailMessage.objects.filter(kind="invoice_fresh_link").count() == 1


def test_no_fresh_link_for_a_paid_invoice_or_a_bad_token(tenant):
    invoice = make_sent(tenant.invoice, status=InvoiceStatus.PAID)
    response = HttpClient().post(reverse("portal:fresh_link", args=[token_of(invoice)]))
    assert "nothing to pay" in response.content.decode()
    assert HttpClient().post(reverse("portal:fresh_link", args=["bogus"])).status_code == 404
    assert EmailMessage.objects.count() == 0


@pytest.mark.skipif(
    __import__("importlib").util.find_spec("secportal.invoicing.pdf") is None,
    reason="invoicing/pdf.py (the PDF renderer) is not in the tree yet",
)
def test_pdf_through_the_link(tenant):
    invoice = make_sent(tenant.invoice)
    response = HttpClient().get(reverse("portal:pay_link_pdf", args=[token_of(invoice)]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
