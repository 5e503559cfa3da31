"""Emails that say what happened (issue 17, 3), through the sandbox and the real SMTP server:
the payment's receipt (a real PDF, also behind the "Receipt" buttons) and the refund."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.notifications import mailcatcher
from secportal.notifications.models import EmailMessage
from secportal.payments import checkout
from secportal.payments.models import CheckoutAttempt

from ..conftest import signed_in, smtp_mailers
from ..portal.conftest import portal_browser
from .conftest import URLS, onboarded_tenant

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_text(data: bytes) -> str:
    import io

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_payment_receipt_and_refund_emails_with_the_receipt_pdf(sandbox, smtp_server):
    port, mailbox = smtp_server
    with override_settings(MAILERS=smtp_mailers(port)):
        tenant = onboarded_tenant(sandbox)
        invoice = tenant.invoice
        checkout.start_checkout(invoice.pk, **URLS)
        attempt = CheckoutAttempt.objects.get()
        assert sandbox.pay(attempt.session_id)["outcome"] == "succeeded"
        assert sandbox.drain(timeout=10)
        invoice = Invoice.objects.get(pk=invoice.pk)
        assert invoice.status == InvoiceStatus.PAID
        [paid] = [
            m for m in mailcatcher.read_mailbox(mailbox) if m["kind"] == "payment_confirmation"
        ]
        assert paid["to"] == tenant.client.billing_email
        assert "Paid by: Card" in " ".join(paid["text"].split())
        assert "Balance left: £0.00" in " ".join(paid["text"].split())
        [(name, content_type, receipt)] = paid["attachments"]
        assert (name, content_type) == (f"receipt-{invoice.number}-R1.pdf", "application/pdf")
        text = pdf_text(receipt)
        for words in ("RECEIPT", f"{invoice.number}-R1", "Card", "£1,250.50", "Balance left"):
            assert words in text, (words, text)
        assert f"For invoice {invoice.number}" in text

        # The "Receipt" buttons open the same receipt.
        admin = signed_in(tenant.admin)
        page = admin.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()
        assert ">Receipt</a>" in page
        response = admin.get(reverse("payments:receipt", args=[invoice.public_id]))
        assert response["Content-Type"] == "application/pdf"
        assert pdf_text(response.content) == text
        contact = portal_browser(tenant.contact)
        portal_page = contact.get(reverse("portal:invoice", args=[invoice.public_id]))
        assert ">Receipt</a>" in portal_page.content.decode()
        from_portal = contact.get(reverse("portal:receipt_pdf", args=[invoice.public_id]))
        assert pdf_text(from_portal.content) == text

        # A partial refund: the client hears of it, once.
        form = admin.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()
        import re

        request_id = re.search(r'name="request_id" value="([^"]+)"', form).group(1)
        admin.post(
            reverse("payments:refund", args=[invoice.public_id]),
            {"amount": "250.50", "request_id": request_id, "confirm": "yes"},
        )
        assert sandbox.drain(timeout=10)
        refunds = [m for m in mailcatcher.read_mailbox(mailbox) if m["kind"] == "refund_issued"]
        assert len(refunds) == 1
        assert refunds[0]["subject"] == (
            f"Refund of £250.50 for invoice {invoice.number} from {tenant.workspace.name}"
        )
        assert "(£250.50 of £1,250.50 refunded so far)" in refunds[0]["html"]
        assert EmailMessage.objects.filter(kind="refund_issued").count() == 1
