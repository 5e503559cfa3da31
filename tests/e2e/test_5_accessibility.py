"""axe-core (from npm, tests/e2e/package.json) on the main pages: no serious or critical
violations. Skipped when axe-core is not installed (`npm ci --prefix tests/e2e`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import AXE_JS, Screens, SentInvoice, axe_violations, describe_violations

pytestmark = pytest.mark.skipif(
    not AXE_JS.exists(),
    reason=f"axe-core is not installed ({AXE_JS} is missing): run `npm ci --prefix tests/e2e`",
)


@pytest.fixture(scope="module")
def client(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


def check(page: Page, shot: Screens, name: str) -> None:
    expect(page.locator("main")).to_be_visible()
    shot(page, name)
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{describe_violations(violations)}"


def test_sandbox_onboarding_page(owner: Page) -> None:
    """The sandbox's hosted onboarding page (first: this file's demo starts unconnected)."""
    owner.goto("/settings/")
    connect = owner.locator("#stripe").get_by_role("button", name="Connect Stripe Account")
    if not connect.count():
        pytest.skip("Stripe is already connected in this demo")
    connect.click()
    expect(owner.get_by_role("button", name="Complete onboarding")).to_be_visible()
    violations = axe_violations(owner)
    owner.get_by_role("button", name="Complete onboarding").click()
    expect(owner.locator("#stripe")).to_contain_text("Ready to take payments")
    assert not violations, f"axe-core on the onboarding page:\n{describe_violations(violations)}"


def test_dashboard(owner: Page, shot: Screens) -> None:
    owner.goto("/")
    check(owner, shot, "40-axe-dashboard")


def test_invoices_list(owner: Page, shot: Screens, sent_invoice: SentInvoice) -> None:
    owner.goto("/invoices/")
    check(owner, shot, "41-axe-invoices")


def test_invoice_page(owner: Page, shot: Screens, sent_invoice: SentInvoice) -> None:
    owner.goto(sent_invoice.url)
    check(owner, shot, "42-axe-invoice")


def test_settings(owner: Page, shot: Screens) -> None:
    owner.goto("/settings/")
    check(owner, shot, "43-axe-settings")


def test_portal_home(portal: Page, shot: Screens, sent_invoice: SentInvoice) -> None:
    portal.goto("/portal/")
    check(portal, shot, "44-axe-portal-home")


def test_pay_link_page(client: Page, shot: Screens, sent_invoice: SentInvoice) -> None:
    client.goto(sent_invoice.pay_link)
    check(client, shot, "45-axe-pay-link")


def test_axe_finds_violations_when_there_are_some(client: Page) -> None:
    """The check itself works: an image without alt text and an unlabelled input are found."""
    client.set_content('<html lang="en"><main><img src="x.png"><input type="text"></main></html>')
    found = {v["id"] for v in axe_violations(client)}
    assert {"image-alt", "label"} <= found, found


def test_every_app_page(owner: Page, sent_invoice: SentInvoice) -> None:
    """Issue 13: axe on every page of the app (the list the phone checks walk)."""
    from .test_8_phone_pages import _staff_pages

    problems = []
    for url in _staff_pages(owner, sent_invoice):
        owner.goto(url)
        violations = axe_violations(owner)
        if violations:
            problems.append(f"{url}:\n{describe_violations(violations)}")
    assert not problems, "\n".join(problems)


def test_every_portal_and_sandbox_page(
    portal: Page,
    client: Page,
    sent_invoice: SentInvoice,
    new_context: Callable[..., BrowserContext],
) -> None:
    """Issue 13: axe on the portal's pages and on the sandbox's checkout page."""
    portal.goto("/portal/")
    invoice = portal.locator("section.engagement a").first.get_attribute("href")
    assert invoice
    visitor = new_context().new_page()
    pages = [
        (portal, "/portal/"),
        (portal, invoice),
        (visitor, "/portal/sign-in/"),
        (visitor, "/accounts/login/"),
        (visitor, "/accounts/reset/"),
        (client, sent_invoice.pay_link),
    ]
    problems = []
    for page, url in pages:
        page.goto(url)
        violations = axe_violations(page)
        if violations:
            problems.append(f"{url}:\n{describe_violations(violations)}")
    client.goto(sent_invoice.pay_link)
    client.get_by_role("button", name="Pay Invoice").click()
    expect(client.get_by_label("Card number")).to_be_visible()
    violations = axe_violations(client)
    if violations:
        problems.append(f"{client.url}:\n{describe_violations(violations)}")
    assert not problems, "\n".join(problems)
