"""The invoice email really passes through an SMTP server, with the right Pay Invoice link."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import override_settings

from secportal.core.signing import read_pay_token
from secportal.invoicing import services
from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.notifications import mailcatcher
from secportal.notifications.models import EmailMessage, EmailStatus

from ..conftest import make_tenant, smtp_mailers
from .conftest import connect_stripe


@pytest.mark.django_db(transaction=True)
def test_invoice_email_has_details_and_a_signed_pay_invoice_button(smtp_server):
    port, mailbox = smtp_server
    tenant = make_tenant("Redline Security")
    connect_stripe(tenant)
    tenant.workspace.billing_reply_to = "accounts@redline.example"
    tenant.workspace.save()
    with override_settings(MAILERS=smtp_mailers(port), SITE_URL="https://portal.example"):
        services.send_invoice(tenant.invoice.pk, tenant.admin)
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    [caught] = mailcatcher.read_mailbox(mailbox)
    assert caught["to"] == tenant.client.billing_email
    assert caught["subject"].startswith("Invoice INV-0001 from Redline Security: £1,250.50 due")
    for part in (caught["text"], caught["html"]):
        assert "INV-0001" in part and "£1,250.50" in part and "Pentest" in part
    assert "Pay Invoice" in caught["html"] and "Pay Invoice" in caught["text"]
    button = re.search(
        r'href="(https://portal\.example/portal/pay/[^"]+/)"[^>]*>Pay Invoice<', caught["html"]
    )
    assert button, caught["html"]
    assert button.group(1) in caught["text"]  # the same link in both versions
    token = button.group(1).rsplit("/", 2)[-2]
    link = read_pay_token(token)
    assert (link.invoice_public_id, link.amount, link.currency) == (
        str(invoice.public_id),
        125050,
        "GBP",
    )
    message = EmailMessage.objects.get()
    assert message.status == EmailStatus.SENT and message.reply_to == "accounts@redline.example"


@pytest.mark.django_db(transaction=True)
def test_failed_invoice_email_is_shown_and_resend_delivers_it(smtp_server):
    from django.test import Client as HttpClient
    from django.urls import reverse

    port, mailbox = smtp_server
    tenant = make_tenant()
    connect_stripe(tenant)
    dead = smtp_mailers(1)  # nothing listens on port 1
    with override_settings(MAILERS=dead, EMAIL_MAX_ATTEMPTS=2):
        services.send_invoice(tenant.invoice.pk, tenant.admin)
    message = EmailMessage.objects.get()
    assert message.status == EmailStatus.FAILED and message.attempts == 2
    from ..conftest import verify_two_factor

    browser = HttpClient()
    browser.force_login(tenant.admin)
    verify_two_factor(browser, tenant.admin)
    page = browser.get(
        reverse("invoicing:detail", args=[tenant.invoice.public_id])
    ).content.decode()
    assert "Failed" in page and "Resend" in page
    with override_settings(MAILERS=smtp_mailers(port)):
        browser.post(reverse("invoicing:resend", args=[tenant.invoice.public_id]))
    message.refresh_from_db()
    assert message.status == EmailStatus.SENT
    assert len(mailcatcher.read_mailbox(mailbox)) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_draft_give_one_number_and_one_email():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL; SQLite serialises writers")
    tenant = make_tenant()
    connect_stripe(tenant)
    barrier = threading.Barrier(4)
    outcomes: list[bool] = []

    def send() -> None:
        barrier.wait()
        try:
            outcomes.append(services.send_invoice(tenant.invoice.pk, tenant.admin).sent_now)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [False, False, False, True]
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert (invoice.status, invoice.number) == (InvoiceStatus.SENT, "INV-0001")
    assert EmailMessage.objects.filter(kind="invoice").count() == 1
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.next_invoice_number == 2
