"""Issue 13 (UX sweep) in a real browser: each test reproduces one numbered bug as it was
described and checks that it is gone. Independent tests: each makes what it needs."""

from __future__ import annotations

import datetime

from playwright.sync_api import Page, expect

from .conftest import ENGAGEMENT, create_invoice


def _open_engagement(page: Page) -> None:
    page.goto("/engagements/")
    page.get_by_role("link", name=ENGAGEMENT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ENGAGEMENT)


def test_1_editing_keeps_every_date(owner: Page) -> None:
    """Item 1: date inputs show ISO values, so Edit then Save keeps the due date and the
    engagement's start and end dates."""
    due = datetime.date.today() + datetime.timedelta(days=40)
    url = create_invoice(
        owner, amount="310", description="Date check (item 1)", due_date=due.isoformat()
    )
    shown = f"{due.day} {due:%b %Y}"
    expect(owner.locator(".facts")).to_contain_text(shown)
    owner.get_by_role("link", name="Edit").click()
    expect(owner.get_by_label("Due date")).to_have_value(due.isoformat())
    owner.get_by_role("button", name="Save draft").click()
    expect(owner).to_have_url(url)
    expect(owner.locator(".facts")).to_contain_text(shown)

    _open_engagement(owner)
    owner.get_by_role("link", name="Edit engagement").click()
    owner.get_by_label("Start date").fill("2026-10-05")
    owner.get_by_label("End date").fill("2026-10-16")
    owner.get_by_role("button", name="Save engagement").click()
    expect(owner.locator(".facts")).to_contain_text("5 Oct 2026")
    # Save again with no change: the dates stay.
    owner.get_by_role("link", name="Edit engagement").click()
    expect(owner.get_by_label("Start date")).to_have_value("2026-10-05")
    expect(owner.get_by_label("End date")).to_have_value("2026-10-16")
    owner.get_by_role("button", name="Save engagement").click()
    expect(owner.locator(".facts")).to_contain_text("5 Oct 2026")
    expect(owner.locator(".facts")).to_contain_text("16 Oct 2026")
