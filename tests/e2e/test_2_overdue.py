"""An invoice left unpaid past its due date shows Overdue, to the owner and in the client's portal.

No sleeping: `secportal manage shell` (the demo's database and settings) moves the due date into
the past; every page must say Overdue even before the periodic task runs; then the task runs
(the same way) and the reminder email goes out.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from .conftest import (
    CLIENT_EMAIL,
    ENGAGEMENT,
    WORKSPACE,
    Demo,
    Mailbox,
    Screens,
    create_invoice,
    ensure_stripe_connected,
)
from .conftest import send_invoice as send

pytestmark = pytest.mark.steps

AMOUNT_SHOWN = "£480.00"


@dataclass
class Overdue:
    url: str = ""
    number: str = ""


@pytest.fixture(scope="module")
def overdue() -> Overdue:
    return Overdue()


def test_owner_sends_an_invoice_with_a_due_date(
    owner: Page, shot: Screens, overdue: Overdue
) -> None:
    ensure_stripe_connected(owner)  # this file's own demo starts unconnected
    due = datetime.date.today() + datetime.timedelta(days=30)
    overdue.url = create_invoice(
        owner,
        amount="480",
        description="Retest of fixed findings (overdue story)",
        due_date=due.isoformat(),
    )
    overdue.number = send(owner)
    expect(owner.locator("h1 .badge")).to_have_text("Sent")
    shot(owner, "21-overdue-invoice-sent")


def test_past_due_shows_overdue_before_the_task_runs(
    owner: Page, demo: Demo, shot: Screens, overdue: Overdue
) -> None:
    moved = demo.shell(
        "import datetime\n"
        "from django.utils import timezone\n"
        "from secportal.invoicing.models import Invoice\n"
        "print(Invoice.unscoped.filter(\n"
        f"    workspace__name={WORKSPACE!r}, number={overdue.number!r}\n"
        ").update(due_date=timezone.localdate() - datetime.timedelta(days=3)))\n"
    )
    assert moved == "1", moved
    owner.goto("/invoices/")
    row = owner.locator("tbody tr", has_text=overdue.number)
    expect(row.locator(".badge")).to_have_text("Overdue")
    expect(row).to_contain_text(AMOUNT_SHOWN)
    shot(owner, "22-owner-invoices-overdue")
    owner.goto(overdue.url)
    expect(owner.locator("h1 .badge")).to_have_text("Overdue")


def test_portal_shows_overdue(portal: Page, shot: Screens, overdue: Overdue) -> None:
    portal.goto("/portal/")
    section = portal.locator("section.engagement").filter(
        has=portal.get_by_role("heading", name=ENGAGEMENT)
    )
    item = section.locator("li", has_text=overdue.number)
    expect(item.locator(".badge")).to_have_text("Overdue")
    expect(item.get_by_role("button", name="Pay Invoice")).to_be_visible()
    shot(portal, "23-portal-overdue")


def test_overdue_task_records_it_and_reminds_the_client(
    owner: Page, demo: Demo, mailbox: Mailbox, shot: Screens, overdue: Overdue
) -> None:
    moved = demo.shell(
        "from secportal.invoicing.tasks import mark_overdue_invoices\n"
        "print(mark_overdue_invoices.call())\n"
    )
    # 1, or 0 if the demo's scheduler got there first (it runs the task every ten minutes).
    assert moved in ("0", "1"), moved
    owner.goto(overdue.url)
    expect(owner.locator("h1 .badge")).to_have_text("Overdue")
    expect(owner.locator(".history")).to_contain_text("Became overdue")
    page = mailbox.open(
        f"Reminder: invoice {overdue.number} from {WORKSPACE} is overdue", to=CLIENT_EMAIL
    )
    shot(page, "24-mailbox-overdue-reminder")
