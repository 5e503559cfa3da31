"""Issue 15 (1, 7, 8): the invoice and credit note emails carry their PDF (and the chosen
e-invoice), come from "<consultancy> via SecPortal" with the platform's address and reply to the
workspace's billing address; bank details stay out of email bodies."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.test import override_settings
from django.utils import timezone
from facturx import get_facturx_xml_from_pdf, xml_check_xsd

from secportal.invoicing import credits, services
from secportal.notifications import delivery, mailcatcher
from secportal.notifications.models import EmailAttachment, EmailMessage, EmailStatus

from ..conftest import smtp_mailers
from .test_lines import THREE_LINES, with_lines
from .test_vat_invoice_pdf import create_and_send, vat_workspace  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

FROM = "billing@platform.example"


def pdf_text(content: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def deliver_all(port: int) -> None:
    with override_settings(MAILERS=smtp_mailers(port), DEFAULT_FROM_EMAIL=f"SecPortal <{FROM}>"):
        for message in EmailMessage.objects.filter(status=EmailStatus.QUEUED):
            delivery.deliver(message.pk)


def test_the_invoice_email_attaches_the_pdf_and_names_the_consultancy(vat_workspace, smtp_server):  # noqa: F811
    port, mailbox = smtp_server
    tenant = vat_workspace
    tenant.workspace.billing_reply_to = "accounts@redline.example"
    tenant.workspace.save()
    # A first attempt fails; the retry sends the bytes stored when the email was queued.
    invoice = create_and_send(tenant, with_lines(tenant, THREE_LINES))
    message = EmailMessage.objects.get(kind="invoice")
    (stored,) = EmailAttachment.objects.filter(message=message)
    with override_settings(MAILERS=smtp_mailers(1), EMAIL_MAX_ATTEMPTS=3):
        assert delivery.deliver(message.pk).status == EmailStatus.QUEUED
    services.send_invoice(invoice.pk, tenant.admin)  # again: no second email, no new files
    assert EmailAttachment.objects.count() == 1
    deliver_all(port)
    [caught] = mailcatcher.read_mailbox(mailbox)
    assert caught["from"] == f"{tenant.workspace.name} via SecPortal <{FROM}>"
    assert caught["reply_to"] == "accounts@redline.example"
    [(filename, content_type, content)] = caught["attachments"]
    assert (filename, content_type) == (f"invoice-{invoice.number}.pdf", "application/pdf")
    assert content == bytes(stored.content)
    text = pdf_text(content)
    assert invoice.number in text and "6,740.30" in text and "Sort code 12-34-56" in text
    for body in (caught["text"], caught["html"]):  # bank details: the PDF, never the body
        assert "Sort code" not in body and "account 12345678" not in body


@pytest.mark.parametrize("choice", ["facturx", "ubl"])
def test_the_invoice_email_attaches_the_chosen_e_invoice(vat_workspace, smtp_server, choice):  # noqa: F811
    port, mailbox = smtp_server
    tenant = vat_workspace
    tenant.workspace.attach_einvoice = choice
    tenant.workspace.save()
    invoice = create_and_send(tenant, with_lines(tenant, THREE_LINES))
    deliver_all(port)
    [caught] = mailcatcher.read_mailbox(mailbox)
    names = [name for name, _, _ in caught["attachments"]]
    if choice == "facturx":
        assert names == [f"invoice-{invoice.number}.pdf", f"invoice-{invoice.number}-facturx.pdf"]
        _, xml = get_facturx_xml_from_pdf(io.BytesIO(caught["attachments"][1][2]), check_xsd=True)
        assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    else:
        assert names == [f"invoice-{invoice.number}.pdf", f"invoice-{invoice.number}.xml"]
        assert xml_check_xsd(caught["attachments"][1][2], flavor="ubl-2.1-invoice")


def test_the_credit_note_email_attaches_its_pdf(vat_workspace, smtp_server):  # noqa: F811
    port, mailbox = smtp_server
    tenant = vat_workspace
    tenant.workspace.billing_reply_to = "accounts@redline.example"
    tenant.workspace.save()
    invoice = create_and_send(tenant, with_lines(tenant, THREE_LINES))
    services.mark_paid(invoice.pk, paid_at=timezone.now())
    EmailMessage.objects.all().delete()
    note = credits.issue_credit_note(invoice.pk, tenant.admin, reason="Rework", amount=120000)
    deliver_all(port)
    [caught] = mailcatcher.read_mailbox(mailbox)
    assert caught["kind"] == "credit_note"
    assert caught["from"] == f"{tenant.workspace.name} via SecPortal <{FROM}>"
    assert caught["reply_to"] == "accounts@redline.example"
    [(filename, content_type, content)] = caught["attachments"]
    assert (filename, content_type) == (f"credit-note-{note.number}.pdf", "application/pdf")
    text = pdf_text(content)
    assert "CREDIT NOTE" in text and note.number in text and "1,200.00" in text
    assert "Sort code" not in caught["text"] and "Sort code" not in caught["html"]


def test_the_trading_name_is_printed_on_the_pdf_the_portal_and_the_email(vat_workspace):  # noqa: F811
    from django.urls import reverse

    from ..conftest import signed_in
    from ..portal.conftest import portal_browser

    tenant = vat_workspace
    browser = signed_in(tenant.admin)
    page = browser.get(reverse("workspaces:settings")).content.decode()
    assert "Trading name" in page
    tenant.workspace.trading_name = "Redline"
    tenant.workspace.save()
    invoice = create_and_send(tenant, with_lines(tenant, THREE_LINES))
    pdf = browser.get(reverse("invoicing:pdf", args=[invoice.public_id])).content
    assert "Redline Security Ltd" in pdf_text(pdf) and "Trading as Redline" in pdf_text(pdf)
    message = EmailMessage.objects.get(kind="invoice")
    footer = (
        "Redline Security Ltd, trading as Redline · registered in England and Wales, "
        "company number 12345678 · 1 Fleet Street, London EC4Y 1AA · VAT number GB980780684"
    )
    assert footer in message.body_text and footer in message.body_html
    assert "Sort code" not in message.body_text and "Sort code" not in message.body_html
    portal = portal_browser(tenant.contact).get(reverse("portal:invoice", args=[invoice.public_id]))
    text = portal.content.decode()
    assert "Trading name" in text and "<dd>Redline</dd>" in text
