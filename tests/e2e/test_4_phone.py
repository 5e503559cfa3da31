"""The client's part on a phone (390x844): the invoice via the pay link and the sandbox checkout
fit the screen: nothing cut off, nothing overflowing sideways."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import PHONE, WORKSPACE, Demo, Screens, SentInvoice, assert_fits_viewport

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
