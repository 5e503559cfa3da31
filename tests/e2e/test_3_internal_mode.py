"""Internal mode hides invoicing: no Invoices in the nav, every invoicing URL answers 404;
switching back to Consulting shows everything again."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from .conftest import OWNER_EMAIL, WORKSPACE, Demo, Screens, create_invoice

pytestmark = pytest.mark.steps

INVOICING_URLS = [
    "/invoices/",
    "/invoices/new/",
    "/invoices/export.csv",
    "/payments/connect/return/",
    "/dashboard/summary.json",
]


def set_mode(page: Page, mode: str) -> None:
    page.goto("/settings/")
    page.get_by_label("Mode", exact=True).select_option(label=mode)
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_label("Mode", exact=True).locator("option:checked")).to_have_text(mode)


@pytest.fixture(scope="module", autouse=True)
def nothing_open(demo: Demo) -> None:
    """Internal mode is refused while invoices are open (issue 13, item 6): this file's own
    demo voids its sample invoices first, through the service, as an owner would."""
    demo.shell(
        "from django.contrib.auth import get_user_model\n"
        "from secportal.invoicing.models import Invoice\n"
        "from secportal.invoicing.services import void_invoice\n"
        f"owner = get_user_model().objects.get(email={OWNER_EMAIL!r})\n"
        f"for pk in Invoice.unscoped.filter(workspace__name={WORKSPACE!r},\n"
        "        status__in=['sent', 'overdue']).values_list('pk', flat=True):\n"
        "    void_invoice(pk, owner, 'closed before switching to Internal mode')\n"
    )


@pytest.fixture(scope="module")
def invoice_url(owner: Page) -> str:
    """An invoice page (a draft of our own, so that this module also runs on its own)."""
    url = create_invoice(owner, amount="99", description="Internal mode check")
    return urlparse(url).path


@pytest.fixture(scope="module")
def consulting_again(owner: Page) -> Iterator[None]:
    """Whatever happens, leave the workspace in Consulting mode for the tests after these."""
    yield
    set_mode(owner, "Consulting")


def nav(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("navigation", name="Main")


def test_consulting_mode_shows_invoicing(owner: Page, invoice_url: str) -> None:
    owner.goto("/")
    expect(nav(owner).get_by_role("link", name="Invoices")).to_be_visible()
    for url in [*INVOICING_URLS, invoice_url]:
        response = owner.request.get(url, max_redirects=0)
        assert response.status != 404, f"{url} answers 404 in Consulting mode"


def test_internal_mode_hides_invoicing(
    owner: Page, invoice_url: str, shot: Screens, consulting_again: None
) -> None:
    set_mode(owner, "Internal")
    shot(owner, "25-settings-internal-mode")
    expect(nav(owner).get_by_role("link", name="Invoices")).to_have_count(0)
    expect(owner.locator("#stripe")).to_have_count(0)
    owner.goto("/")
    expect(nav(owner).get_by_role("link", name="Invoices")).to_have_count(0)
    shot(owner, "26-dashboard-internal-mode")
    answers = {}
    for url in [*INVOICING_URLS, invoice_url]:
        response = owner.goto(url)
        assert response is not None
        answers[url] = response.status
    assert answers == dict.fromkeys(answers, 404), answers
    owner.goto(invoice_url)
    shot(owner, "27-invoice-404-in-internal-mode")


def test_switching_back_shows_everything_again(
    owner: Page, invoice_url: str, shot: Screens
) -> None:
    set_mode(owner, "Consulting")
    expect(owner.locator("#stripe")).to_be_visible()
    nav(owner).get_by_role("link", name="Invoices").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Invoices")
    shot(owner, "28-invoices-back-in-consulting-mode")
    for url in [*INVOICING_URLS, invoice_url]:
        response = owner.request.get(url, max_redirects=0)
        assert response.status != 404, f"{url} still answers 404 back in Consulting mode"
