"""Emails that say what happened to an invoice (issue 17, 3): voided (the PDF attached, or the
cancelling credit note's for a VAT invoice) and credit note issued, through the real SMTP server."""

from __future__ import annotations

import pytest
from django.test import override_settings

from secportal.invoicing import credits, services
from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.notifications import mailcatcher

from ..conftest import make_tenant, smtp_mailers
from .conftest import connect_stripe

pytestmark = pytest.mark.django_db(transaction=True)


def test_voiding_emails_the_client_with_the_void_invoice_pdf(smtp_server):
    port, mailbox = smtp_server
    tenant = make_tenant("Redline Security")
    connect_stripe(tenant)
    with override_settings(MAILERS=smtp_mailers(port)):
        services.send_invoice(tenant.invoice.pk, tenant.admin)
        services.void_invoice(tenant.invoice.pk, tenant.admin, "Issued twice")
        services.void_invoice(tenant.invoice.pk, tenant.admin, "Issued twice")  # a repeat
    voided = [m for m in mailcatcher.read_mailbox(mailbox) if m["kind"] == "invoice_voided"]
    assert len(voided) == 1
    [message] = voided
    assert message["subject"] == "Invoice INV-0001 from Redline Security has been cancelled"
    assert "There is nothing to pay" in message["text"] and "nothing to pay" in message["html"]
    [(name, content_type, pdf)] = message["attachments"]
    assert content_type == "application/pdf"
    assert name == "invoice-INV-0001.pdf" and pdf.startswith(b"%PDF")


def test_a_vat_invoice_voided_sends_one_email_with_the_credit_note(smtp_server):
    port, mailbox = smtp_server
    tenant = make_tenant(
        "Redline Security",
        vat_number="GB980780684",
        legal_name="Redline Security Ltd",
        registered_address="1 High Street\nLondon",
    )
    connect_stripe(tenant)
    with override_settings(MAILERS=smtp_mailers(port)):
        services.send_invoice(tenant.invoice.pk, tenant.admin)
        services.void_invoice(tenant.invoice.pk, tenant.admin, "Wrong client")
    kinds = sorted(m["kind"] for m in mailcatcher.read_mailbox(mailbox))
    assert kinds == ["invoice", "invoice_voided"]  # no separate credit note email
    [voided] = [m for m in mailcatcher.read_mailbox(mailbox) if m["kind"] == "invoice_voided"]
    assert "credit note CN-0001 cancels it in full" in voided["text"]
    assert [a[0] for a in voided["attachments"]] == ["credit-note-CN-0001.pdf"]


def test_a_credit_note_on_a_paid_invoice_is_emailed_with_its_pdf(smtp_server):
    port, mailbox = smtp_server
    tenant = make_tenant("Redline Security")
    connect_stripe(tenant)
    with override_settings(MAILERS=smtp_mailers(port)):
        services.send_invoice(tenant.invoice.pk, tenant.admin)
        Invoice.objects.filter(pk=tenant.invoice.pk).update(status=InvoiceStatus.PAID)
        credits.issue_credit_note(tenant.invoice.pk, tenant.admin, reason="Discount", amount=5000)
    [note] = [m for m in mailcatcher.read_mailbox(mailbox) if m["kind"] == "credit_note"]
    assert note["subject"].startswith("Credit note CN-0001 from Redline Security: £50.00")
    assert note["html"] and note["text"]
    assert [a[0] for a in note["attachments"]] == ["credit-note-CN-0001.pdf"]
