"""Statement of account (issue 17, 4): activity over a period, open invoices, the balance; a PDF,
a portal page and an emailed copy."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from secportal.invoicing.models import CreditNote, Invoice, InvoiceStatus
from secportal.notifications import mailcatcher
from secportal.payments.models import Payment
from secportal.payments.statements import statement_of

from ..conftest import make_tenant, signed_in, smtp_mailers
from ..portal.conftest import portal_browser

TODAY = datetime.date(2026, 6, 30)


def sent(tenant, number: str, amount: int, issued: datetime.date, **fields) -> Invoice:
    return Invoice.objects.create(
        workspace=tenant.workspace,
        client=tenant.client,
        amount=amount,
        currency="GBP",
        description="Pentest",
        status=fields.pop("status", InvoiceStatus.SENT),
        number=number,
        issue_date=issued,
        due_date=issued + datetime.timedelta(days=30),
        **fields,
    )


def history(tenant) -> None:
    """Before the period: INV-0001 (still open). In it: INV-0002 paid, credited £100 first;
    INV-0003 open; INV-0004 voided without a credit note (never asked for money)."""
    sent(tenant, "INV-0001", 50000, datetime.date(2026, 2, 1))
    paid = sent(tenant, "INV-0002", 120000, datetime.date(2026, 5, 1), status=InvoiceStatus.PAID)
    CreditNote.objects.create(
        workspace=tenant.workspace,
        invoice=paid,
        number="CN-0001",
        issue_date=datetime.date(2026, 5, 10),
        reason="Discount",
        amount=10000,
        net_amount=10000,
        request_key="k1",
    )
    Invoice.objects.filter(pk=paid.pk).update(credited_amount=10000)
    Payment.objects.create(
        workspace=tenant.workspace,
        invoice=paid,
        stripe_account_id="acct_1",
        checkout_session_id="cs_statement_1",
        amount=110000,
        currency="GBP",
        application_fee=440,
        net=109560,
        paid_at=datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC),
    )
    sent(tenant, "INV-0003", 30000, datetime.date(2026, 6, 15))
    sent(tenant, "INV-0004", 99900, datetime.date(2026, 6, 16), status=InvoiceStatus.VOID)


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.django_db
def test_statement_lists_the_period_and_the_balance_of_open_invoices(tenant):
    history(tenant)
    statement = statement_of(tenant.client, datetime.date(2026, 4, 1), TODAY)
    assert [(e.day.isoformat(), e.what, e.charge, e.credit) for e in statement.entries] == [
        ("2026-05-01", "Invoice INV-0002", 120000, 0),
        ("2026-05-10", "Credit note CN-0001 (INV-0002)", 0, 10000),
        ("2026-05-20", "Payment (INV-0002)", 0, 110000),
        ("2026-06-15", "Invoice INV-0003", 30000, 0),
    ]
    assert [i.number for i in statement.open_invoices] == ["INV-0001", "INV-0003"]
    assert statement.balances == {"GBP": 80000}


@pytest.mark.django_db
def test_statement_pdf_page_buttons_and_portal(tenant):
    history(tenant)
    owner = signed_in(tenant.owner)
    page = owner.get(reverse("clients:detail", args=[tenant.client.public_id])).content.decode()
    assert ">Statement</a>" in page and "Email statement</button>" in page
    url = reverse("payments:statement", args=[tenant.client.public_id])
    response = owner.get(url, {"start": "2026-04-01", "end": "2026-06-30"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for words in (
        "STATEMENT OF ACCOUNT",
        "1 April 2026 to 30 June 2026",
        "Invoice INV-0002",
        "Credit note CN-0001 (INV-0002)",
        "Payment (INV-0002)",
        "£1,100.00",
        "Balance owed: £800.00",
    ):
        assert words in text, (words, text)
    assert "INV-0004" not in text
    # The member can read it, not email it.
    member = signed_in(tenant.member)
    assert member.get(url).status_code == 200
    email_url = reverse("payments:statement_email", args=[tenant.client.public_id])
    assert member.post(email_url).status_code == 403
    # The contact's portal page: their own client's statement.
    contact = portal_browser(tenant.contact)
    home = contact.get(reverse("portal:home")).content.decode()
    assert reverse("portal:statement") in home
    portal = contact.get(reverse("portal:statement"), {"start": "2026-04-01", "end": "2026-06-30"})
    body = portal.content.decode()
    assert "Statement of account" in body and "Payment (INV-0002)" in body
    assert "Balance owed: £800.00" in body
    pdf = contact.get(reverse("portal:statement_pdf"), {"start": "2026-04-01", "end": "2026-06-30"})
    assert pdf_text(pdf.content) == text


@pytest.mark.django_db(transaction=True)
def test_email_statement_sends_the_pdf_once(smtp_server):
    port, mailbox = smtp_server
    tenant = make_tenant("Redline Security")
    history(tenant)
    admin = signed_in(tenant.admin)
    url = reverse("payments:statement_email", args=[tenant.client.public_id])
    today = timezone.now().date()
    with override_settings(MAILERS=smtp_mailers(port)):
        admin.post(url, {"start": "2026-01-01", "end": today.isoformat()})
        admin.post(url, {"start": "2026-01-01", "end": today.isoformat()})  # pressed twice
    [message] = mailcatcher.read_mailbox(mailbox)
    assert message["to"] == tenant.client.billing_email
    assert message["subject"].startswith("Statement of account from Redline Security")
    assert "Balance owed: £800.00" in message["text"]
    [(name, content_type, pdf)] = message["attachments"]
    assert name.endswith(".pdf") and content_type == "application/pdf"
    assert "Balance owed: £800.00" in pdf_text(pdf)
