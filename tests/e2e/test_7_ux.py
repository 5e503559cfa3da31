"""Issue 13 (UX sweep) in a real browser: each test reproduces one numbered bug as it was
described and checks that it is gone. Independent tests: each makes what it needs."""

from __future__ import annotations

import datetime

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from .conftest import ENGAGEMENT, create_invoice, ensure_stripe_connected

MEMBER_EMAIL = "member@demo.secportal.test"
STAFF_PASSWORD = "demo-staff"


def sign_in_member(new_context: Callable[..., BrowserContext]) -> Page:
    """The member: no second factor."""
    page = new_context().new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(MEMBER_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    return page


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


def test_3_send_with_a_past_due_date_looks_disabled_and_links_to_edit(owner: Page) -> None:
    """Item 3: a draft whose due date has passed cannot be sent: Send Invoice looks disabled
    (grey, no pointer) and the message links to Edit, not to Settings."""
    ensure_stripe_connected(owner)
    past = datetime.date.today() - datetime.timedelta(days=2)
    url = create_invoice(
        owner, amount="150", description="Past due (item 3)", due_date=past.isoformat()
    )
    send = owner.get_by_role("button", name="Send Invoice")
    expect(send).to_be_disabled()
    style = send.evaluate(
        "el => { const s = getComputedStyle(el); return [s.cursor, s.backgroundColor]; }"
    )
    primary = owner.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"
    )
    assert style[0] == "not-allowed", style
    assert style[1] not in ("rgb(37, 99, 235)", primary), style
    note = owner.locator("#send-problems")
    expect(note).to_contain_text("due date is in the past")
    expect(note.get_by_role("link", name="Go to Settings")).to_have_count(0)
    note.get_by_role("link", name="Edit the draft").click()
    expect(owner.get_by_label("Due date")).to_have_value(past.isoformat())
    owner.get_by_label("Due date").fill("")
    owner.get_by_role("button", name="Save draft").click()
    expect(owner).to_have_url(url)
    expect(owner.get_by_role("link", name="Send Invoice")).to_be_visible()


def test_15_member_is_told_why_there_is_no_send_button(
    owner: Page, new_context: Callable[..., BrowserContext]
) -> None:
    """Item 15: a member sees, where Send Invoice would be, that sending needs an admin or owner."""
    url = create_invoice(owner, amount="95", description="Member view (item 15)")
    member = sign_in_member(new_context)
    member.goto(url)
    expect(member.locator(".page-head")).to_contain_text("Sending needs an admin or owner.")
    expect(member.get_by_role("link", name="Send Invoice")).to_have_count(0)
