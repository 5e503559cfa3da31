"""Issue 13, item 12: the portal showed Receipt and PDF buttons opening the same URL. Until real
receipts exist there is one button per invoice, labelled for what it opens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from secportal.invoicing.models import InvoiceStatus

from .conftest import make_sent, new_invoice

pytestmark = pytest.mark.django_db


def test_one_pdf_button_per_invoice_with_an_honest_label(tenant, contact_browser) -> None:
    paid = make_sent(tenant.invoice, status=InvoiceStatus.PAID)
    sent = make_sent(new_invoice(tenant, amount=40000))
    home = contact_browser.get(reverse("portal:home")).content.decode()
    for invoice in (paid, sent):
        assert home.count(reverse("portal:invoice_pdf", args=[invoice.public_id])) == 1
    assert ">Paid invoice (PDF)<span" in home and ">Invoice PDF<span" in home
    assert "Receipt" not in home
    page = contact_browser.get(reverse("portal:invoice", args=[paid.public_id])).content.decode()
    assert "Download paid invoice (PDF)" in page and "Receipt" not in page
