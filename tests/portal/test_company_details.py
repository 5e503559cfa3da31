"""Issue 15 (1): the portal invoice shows the consultancy's company details; bank details for a
transfer only to a signed-in contact (the pay link, which anyone holding it can open, points to
the PDF and to signing in)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from secportal.core.signing import make_pay_token

from .conftest import make_sent

pytestmark = pytest.mark.django_db

BANK = "Sort code 12-34-56, account 87654321"


@pytest.fixture
def company(tenant):
    workspace = tenant.workspace
    workspace.legal_name = "Redline Security Ltd"
    workspace.registered_address = "1 Fleet Street\nLondon EC4Y 1AA"
    workspace.company_number = "12345678"
    workspace.registered_in = "England and Wales"
    workspace.vat_number = "GB980780684"
    workspace.bank_details = BANK
    workspace.save()
    return tenant


def test_the_signed_in_portal_shows_company_and_bank_details(company, contact_browser):
    invoice = make_sent(company.invoice)
    page = contact_browser.get(reverse("portal:invoice", args=[invoice.public_id]))
    text = page.content.decode()
    for words in (
        "Company details",
        "Redline Security Ltd",
        "1 Fleet Street<br>London EC4Y 1AA",
        "12345678, registered in England and Wales",
        "GB980780684",
        "Pay by bank transfer",
        BANK,
    ):
        assert words in text, words


def test_the_pay_link_page_shows_company_details_but_not_bank_details(company):
    invoice = make_sent(company.invoice)
    token = make_pay_token(invoice.public_id, invoice.amount, invoice.currency)
    text = HttpClient().get(reverse("portal:pay_link", args=[token])).content.decode()
    assert "Redline Security Ltd" in text and "GB980780684" in text and "12345678" in text
    assert BANK not in text and "Sort code" not in text
    assert "bank details for a transfer are on the PDF" in text
