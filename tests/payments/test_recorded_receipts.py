"""A payment recorded by hand ("Record payment") sends the client a receipt like a payment
through Stripe does (issue 16's rest): the email through the real SMTP server, the receipt PDF
numbered among the invoice's payments, and the "Receipt" button showing the latest one."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from secportal.invoicing import balances
from secportal.invoicing.models import Invoice
from secportal.notifications import mailcatcher
from secportal.notifications.models import EmailMessage

from ..conftest import signed_in, smtp_mailers
from .test_partial_payments import partial_tenant, pay_part

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_recorded_payment_emails_a_numbered_receipt_after_a_stripe_part(sandbox, smtp_server):
    port, mailbox = smtp_server
    with override_settings(MAILERS=smtp_mailers(port)):
        tenant = partial_tenant(sandbox)
        pay_part(sandbox, tenant, 50000)  # R1, through Stripe
        admin = signed_in(tenant.admin)
        url = reverse("invoicing:record_payment", args=[tenant.invoice.public_id])
        form = {
            "amount": "500.00",
            "received_on": tenant.workspace.today().isoformat(),
            "method": "bank_transfer",
            "reference": "BACS 7781",
            "key": "k1",
        }
        assert admin.post(url, form).status_code == 302
        assert admin.post(url, form).status_code == 302  # submitted twice: one email
        number = Invoice.objects.get(pk=tenant.invoice.pk).number
        mails = [
            m
            for m in mailcatcher.read_mailbox(mailbox)
            if m["kind"] == "payment_confirmation" and "R2" in m["text"]
        ]
        assert len(mails) == 1
        (mail,) = mails
        assert mail["to"] == tenant.client.billing_email
        text = " ".join(mail["text"].split())
        for words in (
            "Paid by: Bank transfer",
            "Amount: £500.00",
            "Balance left: £250.50",
            f"Receipt: {number}-R2",
            "recorded the payment they received",
        ):
            assert words in text, (words, text)
        [(name, _content_type, receipt)] = mail["attachments"]
        assert name == f"receipt-{number}-R2.pdf"
        pdf = pdf_text(receipt)
        for words in ("RECEIPT", f"{number}-R2", "Bank transfer", "£500.00", "BACS 7781"):
            assert words in pdf, (words, pdf)
        # The "Receipt" button opens the latest payment's receipt: the recorded one.
        response = admin.get(reverse("payments:receipt", args=[tenant.invoice.public_id]))
        assert f"{number}-R2" in pdf_text(response.content)


def test_a_refused_recorded_payment_sends_nothing_and_a_deleted_one_keeps_its_number(sandbox):
    tenant = partial_tenant(sandbox)
    tenant.invoice.refresh_from_db()
    with pytest.raises(ValidationError):
        balances.record_payment(
            tenant.invoice.pk,
            tenant.admin,
            amount=tenant.invoice.amount + 1,  # overpays: refused, nothing half-saved
            received_on=tenant.workspace.today(),
            method="cheque",
            request_key="over",
        )
    assert not EmailMessage.objects.filter(kind="payment_confirmation").exists()
    first = balances.record_payment(
        tenant.invoice.pk,
        tenant.admin,
        amount=1000,
        received_on=tenant.workspace.today(),
        method="cheque",
        request_key="a",
    )
    balances.delete_recorded_payment(first.pk, tenant.owner, reason="typed twice")
    second = balances.record_payment(
        tenant.invoice.pk,
        tenant.admin,
        amount=1000,
        received_on=tenant.workspace.today(),
        method="cash",
        request_key="b",
    )
    subjects = list(
        EmailMessage.objects.filter(kind="payment_confirmation")
        .order_by("pk")
        .values_list("body_text", flat=True)
    )
    assert len(subjects) == 2
    assert "-R1" in subjects[0] and "-R2" in subjects[1]  # R1 is not given again
    assert second.method == "cash"
