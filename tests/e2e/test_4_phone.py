"""The client's part on a phone (390x844): the invoice via the pay link and the sandbox checkout
fit the screen: nothing cut off, nothing overflowing sideways."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import (
    CLIENT_EMAIL,
    PHONE,
    WORKSPACE,
    Demo,
    Mailbox,
    Screens,
    SentInvoice,
    assert_fits_viewport,
    create_invoice,
    local,
    send_invoice,
)

pytestmark = pytest.mark.steps


@pytest.fixture(scope="module")
def phone(new_context: Callable[..., BrowserContext]) -> Page:
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    return context.new_page()


def test_pay_link_page_fits_a_phone(phone: Page, sent_invoice: SentInvoice, shot: Screens) -> None:
    phone.goto(sent_invoice.pay_link)
    expect(phone.get_by_role("heading", level=1)).to_contain_text(sent_invoice.number)
    assert phone.evaluate("window.innerWidth") == PHONE["width"]
    pay = phone.get_by_role("button", name="Pay Invoice")
    expect(pay).to_be_visible()
    shot(phone, "29-phone-invoice-via-pay-link")
    assert_fits_viewport(phone)


def test_sandbox_checkout_fits_a_phone(phone: Page, demo: Demo, shot: Screens) -> None:
    phone.get_by_role("button", name="Pay Invoice").click()
    expect(phone).to_have_url(re.compile("^" + re.escape(demo.stripe_url) + "/c/pay/"))
    expect(phone.locator(".merchant")).to_have_text(WORKSPACE)
    for label in ("Email", "Card number", "Expiry", "CVC", "Name on card"):
        expect(phone.get_by_label(label)).to_be_visible()
    shot(phone, "30-phone-sandbox-checkout")
    assert_fits_viewport(phone)
    # The decline message must fit too.
    phone.get_by_label("Card number").fill("4000 0000 0000 0002")
    phone.get_by_label("Expiry").fill("12 / 34")
    phone.get_by_label("CVC").fill("123")
    phone.get_by_label("Name on card").fill("Dana Client")
    phone.get_by_role("button", name="Pay", exact=True).click()
    expect(phone.get_by_role("alert")).to_contain_text("declined")
    shot(phone, "31-phone-checkout-declined")
    assert_fits_viewport(phone)


def _advance_sandbox_clock(demo: Demo, seconds: int) -> None:
    import json
    import urllib.request

    request = urllib.request.Request(
        demo.stripe_url + "/_sandbox/clock",
        data=json.dumps({"advance": seconds}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_client_pays_by_bacs_on_a_phone_and_sees_processing_then_paid(
    phone: Page, owner: Page, mailbox: Mailbox, demo: Demo, shot: Screens
) -> None:
    """Issue 16: the owner offers Bacs; the client pays a new invoice by Bacs Direct Debit on a
    phone, sees Processing (with when it should clear), then Paid once Stripe says it cleared."""
    owner.goto("/settings/")
    owner.get_by_label("Bacs Direct Debit").check()
    owner.get_by_role("button", name="Save payment methods").click()
    expect(owner.get_by_text("Clients can now pay by: Card, Bacs Direct Debit.")).to_be_visible()
    create_invoice(owner, amount="8,400", description="Red team exercise (Bacs on a phone)")
    number = send_invoice(owner)
    link = local(
        mailbox.link(f"Invoice {number} from {WORKSPACE}", "Pay Invoice", to=CLIENT_EMAIL), demo
    )
    phone.goto(link)
    phone.get_by_role("button", name="Pay Invoice").click()
    expect(phone).to_have_url(re.compile("^" + re.escape(demo.stripe_url) + "/c/pay/"))
    phone.get_by_label("Bacs Direct Debit").check()
    phone.get_by_label("Email").fill(CLIENT_EMAIL)
    phone.get_by_label("Sort code").fill("10-88-00")
    phone.get_by_label("Account number").last.fill("00012345")
    shot(phone, "32-phone-bacs-debit")
    assert_fits_viewport(phone)
    phone.get_by_role("button", name="Pay", exact=True).click()
    expect(phone.locator("body")).to_contain_text("processing")
    phone.goto(link)
    expect(phone.locator("h1 .badge")).to_have_text("Processing", timeout=15_000)
    expect(phone.locator("body")).to_contain_text("usually clears by")
    shot(phone, "33-phone-bacs-processing")
    assert_fits_viewport(phone)
    _advance_sandbox_clock(demo, 4 * 24 * 3600)
    for _ in range(30):
        phone.goto(link)
        if phone.locator("h1 .badge").inner_text() == "Paid":
            break
        phone.wait_for_timeout(500)
    expect(phone.locator("h1 .badge")).to_have_text("Paid")
    shot(phone, "34-phone-bacs-paid")
