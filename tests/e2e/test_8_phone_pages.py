"""Issue 13, item 10: on phones (360 and 390 px wide) no page of the app or the portal
overflows sideways or cuts off a control; lists become stacked cards; the invoice list's
filters collapse behind one button."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import ENGAGEMENT, SentInvoice, assert_fits_viewport, create_invoice

WIDTHS = [360, 390]


def _staff_pages(owner: Page, sent_invoice: SentInvoice) -> list[str]:
    owner.goto("/engagements/")
    engagement = owner.get_by_role("link", name=ENGAGEMENT).get_attribute("href")
    owner.goto("/clients/")
    client = owner.locator("tbody a").first.get_attribute("href")
    draft = re.sub(r"^https?://[^/]+", "", create_invoice(owner, amount="42", description="Phone"))
    assert engagement and client and draft
    path = re.sub(r"^https?://[^/]+", "", sent_invoice.url)
    return [
        "/",
        "/invoices/",
        "/invoices/new/",
        path,
        draft,
        f"{draft}edit/",
        f"{draft}send/",
        "/engagements/",
        "/engagements/new/",
        engagement,
        f"{engagement}edit/",
        "/clients/",
        "/clients/new/",
        client,
        f"{client}edit/",
        "/settings/",
        "/accounts/",
        "/accounts/password/",
        "/mailbox/",
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_10_every_app_page_fits_a_phone(
    owner: Page, sent_invoice: SentInvoice, new_context: Callable[..., BrowserContext], width: int
) -> None:
    pages = _staff_pages(owner, sent_invoice)
    phone = new_context(
        viewport={"width": width, "height": 800},
        is_mobile=True,
        has_touch=True,
        storage_state=owner.context.storage_state(),
    ).new_page()
    problems = []
    for url in pages:
        response = phone.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        try:
            assert_fits_viewport(phone)
        except AssertionError as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_10_every_portal_page_fits_a_phone(
    portal: Page,
    sent_invoice: SentInvoice,
    new_context: Callable[..., BrowserContext],
    width: int,
) -> None:
    portal.goto("/portal/")
    invoice = portal.locator("section.engagement a").first.get_attribute("href")
    assert invoice
    signed_in = new_context(
        viewport={"width": width, "height": 800},
        is_mobile=True,
        has_touch=True,
        storage_state=portal.context.storage_state(),
    ).new_page()
    signed_out = new_context(viewport={"width": width, "height": 800}, is_mobile=True).new_page()
    problems = []
    for page, url in [
        (signed_in, "/portal/"),
        (signed_in, invoice),
        (signed_out, sent_invoice.pay_link),
        (signed_out, "/portal/sign-in/"),
        (signed_out, "/accounts/login/"),
        (signed_out, "/accounts/reset/"),
    ]:
        page.goto(url)
        try:
            assert_fits_viewport(page)
        except AssertionError as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)


def test_10_invoice_list_is_cards_with_filters_behind_a_button(
    owner: Page, sent_invoice: SentInvoice, new_context: Callable[..., BrowserContext]
) -> None:
    phone = new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        storage_state=owner.context.storage_state(),
    ).new_page()
    phone.goto("/invoices/")
    toggle = phone.locator("details.filter-box > summary")
    expect(toggle).to_be_visible()
    expect(phone.get_by_label("Status")).to_be_hidden()
    toggle.click()
    expect(phone.get_by_label("Status")).to_be_visible()
    card = phone.locator("#invoice-rows tbody tr", has_text=sent_invoice.number)
    for label in ("Number", "Client", "Amount", "Status", "Due date"):
        cell = card.locator(f'td[data-label="{label}"]')
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (label, box)
    expect(card).to_contain_text("£2,400.00")
