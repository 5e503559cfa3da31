"""Send to and CC (issue 17, 2): chosen at send, remembered per client, every copy through the
real SMTP server with the PDF and the Pay Invoice link; bad lists refused beside the field."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from secportal.clients.models import Client, ClientContact
from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.notifications import mailcatcher
from secportal.notifications.models import EmailMessage

from ..conftest import make_tenant, signed_in, smtp_mailers
from .conftest import connect_stripe


@pytest.mark.django_db(transaction=True)
def test_send_to_and_cc_each_receive_the_invoice_with_the_pdf_and_the_choice_is_remembered(
    smtp_server,
):
    port, mailbox = smtp_server
    tenant = make_tenant("Redline Security")
    connect_stripe(tenant)
    other = ClientContact.objects.create(
        workspace=tenant.workspace,
        client=tenant.client,
        name="Not Chosen",
        email="no@client.example",
    )
    admin = signed_in(tenant.admin)
    send_url = reverse("invoicing:send", args=[tenant.invoice.public_id])
    page = admin.get(send_url).content.decode()
    assert "Send to" in page and ">CC<" in page and tenant.contact.email in page
    with override_settings(MAILERS=smtp_mailers(port)):
        response = admin.post(
            send_url,
            {
                "choose_recipients": "1",
                "to": [tenant.contact.email],
                "cc": "payables@client.example,\nfinance@parent.example",
            },
        )
    assert response.status_code == 302
    caught = mailcatcher.read_mailbox(mailbox)
    billing, contact = tenant.client.billing_email, tenant.contact.email
    assert sorted(m["to"] for m in caught) == sorted([f"{billing}, {contact}"] * 4)
    for message in caught:
        assert str(message.get("cc", "")) in ("", "payables@client.example, finance@parent.example")
        assert [name for name, _, _ in message["attachments"]] == ["invoice-INV-0001.pdf"]
        assert message["attachments"][0][2].startswith(b"%PDF")
        assert "/portal/pay/" in message["html"]  # the pay link works without signing in
    assert other.email not in str([m["to"] for m in caught])
    rows = EmailMessage.objects.filter(kind="invoice").order_by("pk")
    assert [(m.to, m.is_cc) for m in rows] == [
        (billing, False),
        (contact, False),
        ("payables@client.example", True),
        ("finance@parent.example", True),
    ]
    detail = admin.get(
        reverse("invoicing:detail", args=[tenant.invoice.public_id])
    ).content.decode()
    assert "<dt>Send to</dt><dd>" + f"{billing}, {contact}</dd>" in detail
    assert "<dt>CC</dt><dd>payables@client.example, finance@parent.example</dd>" in detail
    # Remembered for the client's next invoice.
    client = Client.objects.get(pk=tenant.client.pk)
    assert client.invoice_to == contact
    assert client.invoice_cc == "payables@client.example\nfinance@parent.example"
    nxt = Invoice.objects.create(
        workspace=tenant.workspace, client=client, amount=1000, currency="GBP", description="Retest"
    )
    page = admin.get(reverse("invoicing:send", args=[nxt.public_id])).content.decode()
    assert "payables@client.example\nfinance@parent.example</textarea>" in page
    assert f'value="{contact}"' in page and "checked" in page


@pytest.mark.django_db
def test_bad_recipient_lists_are_refused_beside_the_field_and_nothing_is_sent():
    tenant = make_tenant()
    connect_stripe(tenant)
    admin = signed_in(tenant.admin)
    send_url = reverse("invoicing:send", args=[tenant.invoice.public_id])

    def refused(data: dict, message: str) -> None:
        response = admin.post(send_url, {"choose_recipients": "1", **data})
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page, page
        assert 'id="id_cc_error"' in page or 'id="id_to_error"' in page

    refused({"cc": "payables@client, x@y.example"}, "Not an email address: payables@client")
    refused({"cc": "a@b.example, A@b.example"}, "A@b.example is listed twice.")
    refused(
        {"to": [tenant.contact.email], "cc": tenant.contact.email},
        f"{tenant.contact.email} is listed in Send to.",
    )
    refused(
        {"cc": ", ".join(f"payables{n}@client.example" for n in range(10))},
        "At most 10 recipients for one invoice (11 chosen).",
    )
    refused({"to": ["forged@evil.example"]}, "Select a valid choice.")
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert invoice.status == InvoiceStatus.DRAFT and invoice.number is None
    assert not EmailMessage.objects.exists()
