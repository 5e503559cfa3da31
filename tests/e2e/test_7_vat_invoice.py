"""Issue 15 in a real browser: company details, a UK VAT invoice with three lines made with
"Add line" (htmx), sent, paid by card and partly credited; a reverse-charge invoice to an EU
client; e-invoice downloads. Runs last: it makes the demo workspace VAT-registered."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from .conftest import (
    CLIENT,
    CLIENT_EMAIL,
    WORKSPACE,
    Demo,
    Mailbox,
    ensure_stripe_connected,
    local,
    send_invoice,
)

pytestmark = pytest.mark.steps

LINES = [
    ("Web application test (days)", "4.5", "1,200.00", "Standard 20%"),
    ("Travel expenses", "1", "150.25", "Standard 20%"),
    ("Training materials", "2", "40.00", "Zero-rated 0%"),
]
TOTAL = "£6,740.30"


@dataclass
class VatStory:
    invoice_url: str = ""
    number: str = ""


@pytest.fixture(scope="module")
def vat_story() -> VatStory:
    return VatStory()


def test_owner_fills_in_the_company_details(owner: Page) -> None:
    ensure_stripe_connected(owner)
    owner.goto("/settings/")
    company = owner.locator("#company")
    expect(company.get_by_role("heading", name="Company details")).to_be_visible()
    company.get_by_label("Legal name").fill("Redline Security Ltd")
    company.get_by_label("Registered address").fill("1 Fleet Street\nLondon EC4Y 1AA")
    company.get_by_label("Company number").fill("12345678")
    company.get_by_label("VAT number").fill("GB 123")
    company.get_by_role("button", name="Save company details").click()
    expect(owner.locator("#id_vat_number_error")).to_contain_text("not a valid GB VAT number")
    owner.locator("#company").get_by_label("VAT number").fill("GB 980 7806 84")
    owner.locator("#company").get_by_role("button", name="Save company details").click()
    expect(owner.get_by_text("Company details saved.")).to_be_visible()


def test_owner_creates_a_three_line_vat_invoice(owner: Page, vat_story: VatStory) -> None:
    owner.goto("/invoices/new/")
    owner.get_by_label("Description", exact=True).first.fill("Web application test, October")
    with owner.expect_response(re.compile(r"/invoices/new/engagements/")):
        owner.get_by_label("Client").select_option(label=CLIENT)
    for _ in LINES:
        with owner.expect_response(re.compile(r"/invoices/new/line/")):
            owner.get_by_role("button", name="Add line").click()
    rows = owner.locator("#lines-body tr.line")
    expect(rows).to_have_count(len(LINES))
    for index, (description, quantity, price, rate) in enumerate(LINES):
        row = rows.nth(index)
        row.locator("textarea").fill(description)
        row.get_by_label("Quantity").fill(quantity)
        row.get_by_label("Unit price").fill(price)
        row.get_by_label("VAT rate").select_option(label=rate)
    # The live totals (htmx) as typed.
    expect(owner.locator("#invoice-totals")).to_contain_text(TOTAL)
    owner.get_by_label("PO number").fill("PO-42")
    owner.get_by_role("button", name="Create draft").click()
    expect(owner.locator("h1 .badge")).to_have_text("Draft")
    totals = owner.locator(".invoice-lines .totals").first
    expect(totals).to_contain_text("£5,630.25")
    expect(totals).to_contain_text("£1,110.05")
    expect(totals).to_contain_text(TOTAL)
    vat_story.invoice_url = owner.url
    vat_story.number = send_invoice(owner)
    expect(owner.locator("h1 .badge")).to_have_text("Sent")
    expect(owner.get_by_role("link", name="Download Factur-X")).to_be_visible()
    expect(owner.get_by_role("link", name="Download UBL")).to_be_visible()


def test_the_client_pays_the_vat_invoice(
    new_context, mailbox: Mailbox, demo: Demo, vat_story: VatStory
) -> None:
    link = mailbox.link(
        f"Invoice {vat_story.number} from {WORKSPACE}", "Pay Invoice", to=CLIENT_EMAIL
    )
    page = new_context().new_page()
    page.goto(local(link, demo))
    expect(page.locator(".amount")).to_have_text(TOTAL)
    page.get_by_role("button", name="Pay Invoice").click()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    for label, value in {"Expiry": "12 / 34", "CVC": "123", "Name on card": "Dana"}.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid")


def test_owner_partly_credits_the_paid_invoice(owner: Page, vat_story: VatStory) -> None:
    owner.goto(vat_story.invoice_url)
    expect(owner.locator("h1 .badge")).to_have_text("Paid")
    owner.get_by_text("Issue credit note", exact=True).first.click()
    form = owner.locator("#credit-notes form")
    form.get_by_label("Amount to credit").fill("9,000.00")
    form.get_by_label("Reason").fill("Half a day not delivered")
    form.get_by_role("button", name="Issue credit note").click()
    expect(owner.locator("#id_amount_error")).to_contain_text("is left to credit")
    form = owner.locator("#credit-notes form")
    form.get_by_label("Amount to credit").fill("1,200.00")
    form.get_by_role("button", name="Issue credit note").click()
    expect(owner.get_by_text(re.compile(r"Credit note CN-\d{4} issued"))).to_be_visible()
    expect(owner.locator(".invoice-lines")).to_contain_text("£5,540.30")  # the balance
    expect(owner.locator("#credit-notes")).to_contain_text("Half a day not delivered")


def test_a_reverse_charge_invoice_to_an_eu_client(owner: Page) -> None:
    owner.goto("/clients/new/")
    owner.get_by_label("Name", exact=True).fill("Acme GmbH")
    owner.get_by_label("Billing email").fill("ap@acme.example")
    owner.get_by_label("Billing address").fill("Hauptstraße 1\n10115 Berlin")
    owner.get_by_label("Country").select_option("DE")
    owner.get_by_label("VAT number").fill("DE 136695976")
    owner.get_by_role("button", name="Save client").click()
    expect(owner.get_by_role("heading", level=1)).to_contain_text("Acme GmbH")
    owner.goto("/invoices/new/")
    owner.get_by_label("Amount").fill("5,000.00")
    owner.get_by_label("Currency").select_option("EUR")
    owner.get_by_label("Description", exact=True).fill("Cloud configuration review")
    with owner.expect_response(re.compile(r"/invoices/new/engagements/")):
        owner.get_by_label("Client").select_option(label="Acme GmbH")
    owner.get_by_label("VAT rate", exact=True).select_option(label="Reverse charge")
    owner.get_by_role("button", name="Create draft").click()
    expect(owner.locator("h1 .badge")).to_have_text("Draft")
    expect(owner.locator(".invoice-lines")).to_contain_text("Reverse charge")
    send_invoice(owner)
    expect(owner.locator("h1 .badge")).to_have_text("Sent")
