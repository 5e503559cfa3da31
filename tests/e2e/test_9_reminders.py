"""Reminders (issue 17): the owner sets the schedule and its wording in Settings → Reminders,
an invoice falls due, and the reminder, in the owner's words, arrives in the demo's Mailbox.

No sleeping: `secportal manage shell` (the demo's database and settings) moves the due date into
the past and runs the reminder task, as the scheduler would.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from .conftest import (
    CLIENT_EMAIL,
    WORKSPACE,
    Demo,
    Mailbox,
    Screens,
    create_invoice,
    ensure_stripe_connected,
)
from .conftest import send_invoice as send

pytestmark = pytest.mark.steps

WORDING = "Dear {client}, invoice {invoice_number} for {amount_due} {status}. Thank you, {company}"


@dataclass
class Story:
    url: str = ""
    number: str = ""


@pytest.fixture(scope="module")
def story() -> Story:
    return Story()


def test_owner_sets_the_reminder_schedule_and_wording(owner: Page, shot: Screens) -> None:
    owner.goto("/settings/")
    section = owner.locator("#reminders")
    expect(section.get_by_role("heading", name="Reminders")).to_be_visible()
    # The default schedule: 7 days before due, on the due date, 3, 14 and 30 days after.
    expect(section.get_by_label("Days (reminder 1)")).to_have_value("7")
    expect(section.get_by_label("When (reminder 1)")).to_have_value("before")
    expect(section.locator("option:checked", has_text="days before due")).to_have_count(1)
    for row, days in ((2, "0"), (3, "3"), (4, "14"), (5, "30")):
        expect(section.get_by_label(f"Days (reminder {row})")).to_have_value(days)
        expect(section.get_by_label(f"When (reminder {row})")).to_have_value("after")
    # An unknown placeholder is refused beside the field; nothing is saved.
    section.get_by_label("Reminder wording").fill("Pay {total} now")
    section.get_by_role("button", name="Save reminders").click()
    expect(owner.locator("#id_wording_error")).to_contain_text("Unknown placeholder {total}")
    section = owner.locator("#reminders")
    section.get_by_label("Reminder wording").fill(WORDING)
    section.get_by_label("Days (reminder 2)").fill("1")  # on the due date → 1 day before
    section.get_by_label("When (reminder 2)").select_option("before")
    section.get_by_label("Late payment interest").check()
    shot(owner, "91-settings-reminders")
    section.get_by_role("button", name="Save reminders").click()
    expect(owner.locator(".messages, [role=status]").first).to_contain_text("Reminders saved.")
    section = owner.locator("#reminders")
    expect(section.get_by_label("Days (reminder 1)")).to_have_value("7")
    expect(section.get_by_label("Days (reminder 2)")).to_have_value("1")
    expect(section.get_by_label("Reminder wording")).to_have_value(WORDING)
    expect(section.get_by_label("Late payment interest")).to_be_checked()


def test_an_invoice_falls_due_and_its_reminder_arrives(
    owner: Page, demo: Demo, mailbox: Mailbox, shot: Screens, story: Story
) -> None:
    ensure_stripe_connected(owner)
    due = datetime.date.today() + datetime.timedelta(days=30)
    story.url = create_invoice(
        owner, amount="640", description="Reminder story retest", due_date=due.isoformat()
    )
    story.number = send(owner)
    expect(owner.get_by_role("button", name="Send reminder")).to_be_visible()
    expect(owner.get_by_role("button", name="Pause reminders")).to_be_visible()
    moved = demo.shell(
        "import datetime\n"
        "from django.utils import timezone\n"
        "from secportal.invoicing.models import Invoice\n"
        "from secportal.invoicing.services import mark_overdue, send_overdue_reminders\n"
        "Invoice.unscoped.filter(\n"
        f"    workspace__name={WORKSPACE!r}, number={story.number!r}\n"
        ").update(due_date=timezone.localdate() - datetime.timedelta(days=3))\n"
        "mark_overdue()\n"
        "print(send_overdue_reminders())\n"
    )
    # 1, or more if other demo invoices reached a point of the schedule at the same moment.
    assert moved.isdigit() and int(moved) >= 1, moved
    page = mailbox.open(
        f"Reminder: invoice {story.number} from {WORKSPACE} is overdue", to=CLIENT_EMAIL
    )
    html = page.frame_locator("iframe.mail-html")
    expect(html.locator("body")).to_contain_text(f"invoice {story.number} for £640.00 was due on")
    expect(html.locator("body")).to_contain_text("is now 3 days overdue")
    expect(html.locator("body")).to_contain_text("Late Payment of Commercial Debts")
    expect(html.get_by_role("link", name="Pay Invoice", exact=True)).to_be_visible()
    shot(page, "92-mailbox-reminder")
    owner.goto(story.url)
    expect(owner.locator(".history")).to_contain_text("Reminder sent")
    expect(owner.locator(".history")).to_contain_text("3 days after due")
