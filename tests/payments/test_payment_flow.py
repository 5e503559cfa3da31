"""The seed's payment flow end to end over HTTP: connect, onboard, create, send, email link,
Pay Invoice, sandbox checkout with 4242…, webhook, Paid, emails, payment and fee, refund."""

from __future__ import annotations

import re

import pytest
import requests
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from secportal.invoicing.models import Invoice, InvoiceEvent, InvoiceStatus
from secportal.payments.models import (
    CheckoutAttempt,
    ConnectedAccount,
    Payment,
    Refund,
    StripeEvent,
)

from ..conftest import make_tenant, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def path_of(url: str, base: str) -> str:
    assert url.startswith(base), (url, base)
    return url[len(base) :]


def connect_and_onboard(owner: HttpClient, sandbox, live_url: str) -> ConnectedAccount:
    response = owner.post(reverse("payments:connect"))
    assert response.status_code == 302
    onboarding = response["Location"]
    assert onboarding.startswith(sandbox.url)
    page = requests.get(onboarding, timeout=10)
    assert "Complete onboarding" in page.text and "Return without finishing" in page.text
    action = re.search(r'<form method=post action="([^"]+)"', page.text).group(1)
    done = requests.post(sandbox.url + action, allow_redirects=False, timeout=10)
    assert done.status_code == 303
    back = owner.get(path_of(done.headers["Location"], live_url), follow=True)
    assert "Ready to take payments" in back.content.decode()
    return ConnectedAccount.objects.get()


def send_new_invoice(owner: HttpClient, tenant, amount: str = "1,250.50") -> Invoice:
    owner.post(
        reverse("invoicing:create") + f"?engagement={tenant.engagement.public_id}",
        {
            "amount": amount,
            "currency": "GBP",
            "description": "External penetration test",
            "client": tenant.client.pk,
            "engagement": tenant.engagement.pk,
            "due_date": "",
        },
    )
    invoice = Invoice.objects.filter(
        workspace=tenant.workspace, description="External penetration test"
    ).latest("pk")
    assert invoice.status == InvoiceStatus.DRAFT
    owner.post(reverse("invoicing:send", args=[invoice.public_id]))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.SENT
    return invoice


def pay_link_from_email(invoice: Invoice, live_url: str) -> str:
    [email] = [
        m
        for m in mail.outbox
        if m.extra_headers.get("X-SecPortal-Kind") == "invoice" and invoice.number in m.subject
    ]
    html = email.alternatives[0][0]
    href = re.search(r'href="([^"]+)"[^>]*>Pay Invoice<', html).group(1)
    return path_of(href, live_url)


def open_checkout(client: HttpClient, pay_link: str, live_url: str) -> str:
    page = client.get(pay_link)
    assert page.status_code == 200 and "Pay Invoice" in page.content.decode()
    token = pay_link.rstrip("/").rsplit("/", 1)[1]
    response = client.post(reverse("portal:pay_link_pay", args=[token]))
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def test_seed_payment_flow_end_to_end(sandbox, live_server):
    tenant = make_tenant("Redline Security")
    owner = signed_in(tenant.owner)
    account = connect_and_onboard(owner, sandbox, live_server.url)
    assert account.ready and account.stripe_account_id.startswith("acct_")
    settings_page = owner.get(reverse("workspaces:settings")).content.decode()
    assert "4%" in settings_page

    invoice = send_new_invoice(owner, tenant)
    pay_link = pay_link_from_email(invoice, live_server.url)
    payer = HttpClient()
    checkout_url = open_checkout(payer, pay_link, live_server.url)
    assert checkout_url.startswith(sandbox.url)
    attempt = CheckoutAttempt.objects.get()
    assert (attempt.amount, attempt.application_fee, attempt.fee_bps) == (125050, 5002, 400)

    page = requests.get(checkout_url, timeout=10).text
    for label in ("Email", "Card number", "Expiry", "CVC", "Name on card"):
        assert f">{label}</label>" in page
    assert "Redline Security" in page and "£1,250.50" in page
    action = sandbox.url + re.search(r'<form method=post action="([^"]+)"', page).group(1)
    card = {"email": "dana@client.example", "expiry": "12 / 34", "cvc": "123", "name": "Dana"}
    declined = requests.post(
        action,
        data=card | {"card_number": "4000 0000 0000 0002"},
        allow_redirects=False,
        timeout=10,
    )
    assert declined.status_code in (200, 402) and "declined" in declined.text
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.SENT

    paid = requests.post(
        action,
        data=card | {"card_number": "4242 4242 4242 4242"},
        allow_redirects=False,
        timeout=10,
    )
    assert paid.status_code == 303
    success = path_of(paid.headers["Location"], live_server.url)
    assert "session_id=cs_test_" in success
    assert sandbox.drain(timeout=10)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.paid_at is not None
    landing = payer.get(success).content.decode()
    assert "Paid" in landing
    payment = Payment.objects.get()
    assert (payment.amount, payment.application_fee, payment.net, payment.currency) == (
        125050,
        5002,
        120048,
        "GBP",
    )
    assert payment.charge_id.startswith("ch_") and payment.payment_intent_id.startswith("pi_")
    assert InvoiceEvent.objects.filter(invoice=invoice, kind="paid").count() == 1
    kinds = sorted(m.extra_headers["X-SecPortal-Kind"] for m in mail.outbox)
    assert kinds.count("payment_confirmation") == 2  # billing email + the payer's own
    assert kinds.count("payment_received") == 2  # owner and admin
    assert "Paid" in owner.get(reverse("invoicing:list")).content.decode()
    portal_page = payer.get(pay_link).content.decode()
    assert "Paid on" in portal_page and "Pay Invoice</button>" not in portal_page
    # The application fee is on the platform's books at Stripe.
    fees = sandbox.client().v1.application_fees.list()
    assert [fee.amount for fee in fees.data] == [5002]

    # Partial refund, then the rest: Stripe's charge.refunded decides what the invoice shows.
    owner.post(
        reverse("payments:refund", args=[invoice.public_id]), {"amount": "250.50", "confirm": "yes"}
    )
    assert sandbox.drain(timeout=10)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.refunded_amount) == (InvoiceStatus.PAID, 25050)
    owner.post(
        reverse("payments:refund", args=[invoice.public_id]), {"amount": "1,000", "confirm": "yes"}
    )
    assert sandbox.drain(timeout=10)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.refunded_amount) == (InvoiceStatus.REFUNDED, 125050)
    assert sorted(Refund.objects.values_list("amount", flat=True)) == [25050, 100000]
    payment.refresh_from_db()
    assert payment.refunded_fee == 5002
    assert StripeEvent.objects.filter(type="checkout.session.completed").count() == 1


def test_pay_invoice_reuses_the_open_session_and_paid_invoices_never_start_one(
    sandbox, live_server
):
    tenant = make_tenant()
    owner = signed_in(tenant.owner)
    connect_and_onboard(owner, sandbox, live_server.url)
    invoice = send_new_invoice(owner, tenant)
    link = pay_link_from_email(invoice, live_server.url)
    first = open_checkout(HttpClient(), link, live_server.url)
    second = open_checkout(HttpClient(), link, live_server.url)
    assert first == second
    assert CheckoutAttempt.objects.count() == 1
    creates = [
        r
        for r in sandbox.requests()
        if r["path"] == "/v1/checkout/sessions" and r["method"] == "POST"
    ]
    assert len(creates) == 1 and creates[0]["idempotency_key"] == f"checkout:{invoice.public_id}:1"
    assert creates[0]["account"] == ConnectedAccount.objects.get().stripe_account_id
    session_id = CheckoutAttempt.objects.get().session_id
    assert sandbox.pay(session_id)["outcome"] == "succeeded"
    assert sandbox.drain(timeout=10)
    token = link.rstrip("/").rsplit("/", 1)[1]
    response = HttpClient().post(reverse("portal:pay_link_pay", args=[token]))
    assert response["Location"] == reverse("portal:pay_link", args=[token])
    assert CheckoutAttempt.objects.count() == 1


def test_sending_is_refused_until_onboarding_is_complete(sandbox, live_server):
    tenant = make_tenant()
    owner = signed_in(tenant.owner)
    response = owner.post(reverse("payments:connect"))
    onboarding = response["Location"]
    page = requests.get(onboarding, timeout=10).text
    back = re.search(r'<a href="([^"]+)">Return without finishing', page).group(1)
    settings_page = owner.get(path_of(back, live_server.url), follow=True).content.decode()
    assert "Onboarding incomplete" in settings_page
    assert "Continue Stripe onboarding" in settings_page
    refused = owner.post(reverse("invoicing:send", args=[tenant.invoice.public_id]))
    assert refused.status_code == 400
    assert reverse("workspaces:settings") in refused.content.decode()
    # Connecting twice makes one account; the refresh URL gives a fresh link.
    owner.post(reverse("payments:connect"))
    assert len(sandbox.objects("account")) == 1
    refresh = owner.get(reverse("payments:connect_refresh"))
    assert refresh["Location"].startswith(sandbox.url)
    # account.updated keeps it current, even without the person coming back.
    account = ConnectedAccount.objects.get()
    sandbox.complete_onboarding(account.stripe_account_id)
    assert sandbox.drain(timeout=10)
    account.refresh_from_db()
    assert account.ready
    assert owner.post(reverse("invoicing:send", args=[tenant.invoice.public_id])).status_code == 302


def test_voiding_expires_the_open_session(sandbox, live_server):
    tenant = make_tenant()
    owner = signed_in(tenant.owner)
    connect_and_onboard(owner, sandbox, live_server.url)
    invoice = send_new_invoice(owner, tenant)
    open_checkout(HttpClient(), pay_link_from_email(invoice, live_server.url), live_server.url)
    owner.post(
        reverse("invoicing:void", args=[invoice.public_id]),
        {"reason": "Wrong client", "confirm": "yes"},
    )
    assert sandbox.drain(timeout=10)
    session = CheckoutAttempt.objects.get()
    assert session.status == "expired"
    [stored] = sandbox.objects("checkout.session")
    assert stored["object"]["status"] == "expired"
    assert stored["owner"] == ConnectedAccount.objects.get().stripe_account_id
