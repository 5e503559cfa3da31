"""Issue 13 (UX sweep) in a real browser: each test reproduces one numbered bug as it was
described and checks that it is gone. Independent tests: each makes what it needs."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import (
    CLIENT_EMAIL,
    ENGAGEMENT,
    OWNER_EMAIL,
    WORKSPACE,
    Demo,
    Mailbox,
    create_invoice,
    ensure_stripe_connected,
    local,
    send_invoice,
)

MEMBER_EMAIL = "member@demo.secportal.test"
STAFF_PASSWORD = "demo-staff"


@dataclass
class Paid:
    number: str
    url: str  # the owner's invoice page
    pay_link: str
    client: Page  # the client's browser
    paid_page: str  # where Checkout sent the client back to


def pay_by_card(page: Page, demo: Demo) -> None:
    """On the invoice (pay link): Pay Invoice, then the sandbox Checkout with the test card."""
    page.get_by_role("button", name="Pay Invoice").click()
    expect(page).to_have_url(re.compile("^" + re.escape(demo.stripe_url) + "/c/pay/"))
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Name on card").fill("Dana Client")
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page).to_have_url(re.compile("^" + re.escape(demo.url) + "/"))


def sent(
    owner: Page, mailbox: Mailbox, demo: Demo, amount: str, description: str
) -> tuple[str, str, str]:
    """A new sent invoice: (number, owner's URL, pay link)."""
    ensure_stripe_connected(owner)
    url = create_invoice(owner, amount=amount, description=description)
    number = send_invoice(owner)
    link = mailbox.link(f"Invoice {number} from {WORKSPACE}", "Pay Invoice", to=CLIENT_EMAIL)
    return number, url, local(link, demo)


@pytest.fixture(scope="module")
def paid(
    owner: Page, mailbox: Mailbox, demo: Demo, new_context: Callable[..., BrowserContext]
) -> Paid:
    number, url, link = sent(owner, mailbox, demo, "1,000", "Paid invoice (issue 13 checks)")
    client = new_context().new_page()
    client.goto(link)
    pay_by_card(client, demo)
    expect(client.get_by_role("heading", level=1)).to_have_text("Paid")
    return Paid(number=number, url=url, pay_link=link, client=client, paid_page=client.url)


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
    expect(owner.locator("dl.facts:not(.totals)")).to_contain_text(shown)
    owner.get_by_role("link", name="Edit").click()
    expect(owner.get_by_label("Due date")).to_have_value(due.isoformat())
    owner.get_by_role("button", name="Save draft").click()
    expect(owner).to_have_url(url)
    expect(owner.locator("dl.facts:not(.totals)")).to_contain_text(shown)

    _open_engagement(owner)
    owner.get_by_role("link", name="Edit engagement").click()
    owner.get_by_label("Start date").fill("2026-10-05")
    owner.get_by_label("End date").fill("2026-10-16")
    owner.get_by_role("button", name="Save engagement").click()
    expect(owner.locator("dl.facts:not(.totals)")).to_contain_text("5 Oct 2026")
    # Save again with no change: the dates stay.
    owner.get_by_role("link", name="Edit engagement").click()
    expect(owner.get_by_label("Start date")).to_have_value("2026-10-05")
    expect(owner.get_by_label("End date")).to_have_value("2026-10-16")
    owner.get_by_role("button", name="Save engagement").click()
    expect(owner.locator("dl.facts:not(.totals)")).to_contain_text("5 Oct 2026")
    expect(owner.locator("dl.facts:not(.totals)")).to_contain_text("16 Oct 2026")


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


def test_14_refund_and_void_ask_for_confirmation(
    owner: Page, paid: Paid, mailbox: Mailbox, demo: Demo
) -> None:
    """Item 14: an empty refund amount refunded the whole invoice in one click, and Void had no
    confirmation. Now both confirm, stating the amount and the consequence."""
    owner.goto(paid.url)
    expect(owner.locator("h1 .badge")).to_have_text("Paid")
    owner.locator("details.refund summary").click()
    amount = owner.get_by_label("Amount to refund")
    expect(amount).to_have_value("")
    owner.get_by_role("button", name="Refund").click()
    # Nothing sent: the browser asks for an amount (and so would the server).
    expect(owner).to_have_url(paid.url)
    assert amount.evaluate("el => el.validity.valueMissing")
    amount.fill("250")
    owner.get_by_role("button", name="Refund").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Refund £250.00?")
    expect(owner.locator("main")).to_contain_text("goes back to the card")
    expect(owner.locator("main")).to_contain_text("A refund cannot be undone.")
    owner.get_by_role("link", name="Cancel: refund nothing").click()
    expect(owner.locator("h1 .badge")).to_have_text("Paid")
    expect(owner.locator("main")).not_to_contain_text("Refund of")
    owner.locator("details.refund summary").click()
    owner.get_by_label("Amount to refund").fill("250")
    owner.get_by_role("button", name="Refund").click()
    owner.get_by_role("button", name="Refund £250.00").click()
    expect(owner.locator("main")).to_contain_text("Refund of £250.00")

    number, _url, _link = sent(owner, mailbox, demo, "640", "Void check (item 14)")
    owner.locator("details.void summary").click()
    owner.get_by_role("button", name="Void invoice").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text(
        f"Void invoice {number} for £640.00?"
    )
    expect(owner.locator("main")).to_contain_text("stop working")
    owner.get_by_role("link", name="Cancel: keep the invoice").click()
    expect(owner.locator("h1 .badge")).to_have_text("Sent")
    owner.locator("details.void summary").click()
    owner.get_by_role("button", name="Void invoice").click()
    owner.get_by_role("button", name=f"Void invoice {number}").click()
    expect(owner.locator("h1 .badge")).to_have_text("Void")


def test_11_paid_page_leads_to_the_portal_and_the_receipt(paid: Paid) -> None:
    """Item 11: the client's Paid page had one link, to the staff sign-in. Now it leads to the
    paid invoice (and its PDF) and to the client portal."""
    page = paid.client
    page.goto(paid.paid_page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_have_count(0)
    href = page.get_by_role("link", name="Download paid invoice (PDF)").get_attribute("href")
    assert href
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    page.get_by_role("link", name=f"View invoice {paid.number}").click()
    expect(page.locator("h1 .badge")).to_have_text("Paid")
    page.goto(paid.paid_page)
    page.get_by_role("link", name="Go to your client portal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to your client portal")


def test_12_portal_shows_one_pdf_button_with_an_honest_label(portal: Page, paid: Paid) -> None:
    """Item 12: Receipt and PDF opened the same URL; now one button, named for what it opens."""
    portal.goto("/portal/")
    item = portal.locator("li", has_text=paid.number)
    expect(item.locator(".acts a")).to_have_count(1)
    link = item.locator(".acts a")
    expect(link).to_have_accessible_name(
        re.compile(r"^Paid invoice \(PDF\)\s*,\s*" + re.escape(paid.number) + "$")
    )
    expect(link.locator(".visually-hidden")).to_have_text(f", {paid.number}")
    expect(item.get_by_role("link", name="Receipt")).to_have_count(0)


def test_16_drafts_have_a_stable_reference_with_client_and_amount(owner: Page) -> None:
    """Item 16: every draft was titled "Draft"; now each has its own reference, shown with the
    client and amount, the same in the list and on its page."""
    first = create_invoice(owner, amount="111", description="Draft label one (item 16)")
    title = owner.get_by_role("heading", level=1).inner_text()
    found = re.match(r"(Draft D-[0-9A-F]{6}) · Northwind Bank · £111\.00", title)
    assert found, title
    create_invoice(owner, amount="222", description="Draft label two (item 16)")
    second = owner.get_by_role("heading", level=1).inner_text()
    assert second.startswith("Draft D-") and not second.startswith(found.group(1)), second
    owner.goto("/invoices/")
    row = owner.locator("tbody tr", has_text=found.group(1))
    expect(row).to_contain_text("Northwind Bank")
    expect(row).to_contain_text("£111.00")
    owner.goto(first)
    expect(owner.get_by_role("heading", level=1)).to_contain_text(found.group(1))


def test_7_help_and_errors_reach_screen_readers_and_focus_moves(owner: Page) -> None:
    """Item 7: fields pointed at `id_*_helptext` while the help was `id_*_help`; after a
    validation error focus stayed on the button. Now the help and the error are the fields'
    accessible descriptions and focus goes to the error summary."""
    owner.goto("/invoices/new/")
    amount = owner.get_by_label("Amount")
    expect(amount).to_have_accessible_description(re.compile("The invoice total"))
    amount.fill("-5")
    owner.get_by_role("button", name="Create draft").click()
    summary = owner.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Amount:")
    amount = owner.get_by_label("Amount")
    expect(amount).to_have_accessible_description(re.compile("The invoice total.+", re.S))
    description = amount.evaluate(
        "el => el.getAttribute('aria-describedby').split(' ')"
        ".map(id => document.getElementById(id).textContent).join(' | ')"
    )
    assert "The invoice total" in description and "|" in description, description
    summary.get_by_role("link", name=re.compile("^Amount:")).click()
    expect(amount).to_be_focused()


def test_2_mailbox_links_open_in_a_new_tab(owner: Page, mailbox: Mailbox, demo: Demo) -> None:
    """Item 2: the email's Pay Invoice opened inside the Mailbox's frame, which the app refuses
    to be shown in. Now it opens the invoice in a new tab."""
    number, _url, _link = sent(owner, mailbox, demo, "75", "Mailbox link (item 2)")
    message = mailbox.open(f"Invoice {number} from {WORKSPACE}", to=CLIENT_EMAIL)
    frame = message.frame_locator("iframe.mail-html")
    with message.context.expect_page() as opened:
        frame.get_by_role("link", name="Pay Invoice", exact=True).click()
    tab = opened.value
    expect(tab.get_by_role("heading", level=1)).to_contain_text(number)
    expect(tab.get_by_role("button", name="Pay Invoice")).to_be_visible()
    tab.close()
    expect(message).to_have_url(re.compile(r"/mailbox/"))


def _paid_invoice(
    owner: Page, mailbox: Mailbox, demo: Demo, new_context: Callable[..., BrowserContext], what: str
) -> tuple[str, str]:
    number, url, link = sent(owner, mailbox, demo, "180", what)
    client = new_context().new_page()
    client.goto(link)
    pay_by_card(client, demo)
    expect(client.get_by_role("heading", level=1)).to_have_text("Paid")
    client.close()
    return number, url


def test_4_stripe_errors_are_plain_sentences(
    owner: Page, mailbox: Mailbox, demo: Demo, new_context: Callable[..., BrowserContext]
) -> None:
    """Item 4: after a reconnect, a refund showed Stripe's raw "The provided key 'sk_test_…'
    does not have access to account …". Now a plain sentence says what to do; Stripe's text is
    in the log."""
    number, url = _paid_invoice(owner, mailbox, demo, new_context, "Raw error check (item 4)")
    # The payment's account is one our key can no longer reach (as after a reconnect).
    moved = demo.shell(
        "from secportal.payments.models import Payment\n"
        "print(Payment.unscoped.filter(\n"
        f"    invoice__workspace__name={WORKSPACE!r}, invoice__number={number!r}\n"
        ").update(stripe_account_id='acct_1nothere'))\n"
    )
    assert moved == "1", moved
    owner.goto(url)
    owner.locator("details.refund summary").click()
    owner.get_by_label("Amount to refund").fill("10")
    owner.get_by_role("button", name="Refund").click()
    owner.get_by_role("button", name="Refund £10.00").click()
    message = owner.locator(".msg-error").first
    expect(message).to_contain_text("SecPortal cannot reach your Stripe account any more")
    expect(message).to_contain_text("connect it again in Settings")
    expect(owner.locator("main")).not_to_contain_text("does not have access")
    expect(owner.locator("main")).not_to_contain_text("sk_test")
    assert "does not have access to account 'acct_1nothere'" in demo.log.read_text(errors="replace")


def _set_connection(demo: Demo, connected: bool) -> None:
    """Stripe's account.application.deauthorized as the app applies it, or its undoing (the
    same account back, so that the invoices it was paid on stay refundable)."""
    code = (
        "from secportal.payments.models import ConnectedAccount\n"
        "from secportal.payments import connect\n"
        f"account = ConnectedAccount.objects.get(workspace__name={WORKSPACE!r})\n"
    )
    if connected:
        code += (
            "ConnectedAccount.objects.filter(pk=account.pk)"
            ".update(disconnected_at=None, charges_enabled=True)\n"
        )
    else:
        code += "connect.apply_deauthorized(account.stripe_account_id)\n"
    demo.shell(code)


def test_5_disconnected_stripe_tells_the_truth(
    owner: Page, portal: Page, mailbox: Mailbox, demo: Demo
) -> None:
    """Item 5: with Stripe disconnected, the portal promised bank details that do not exist,
    kept its Pay buttons, and owners heard nothing."""
    number, _url, link = sent(owner, mailbox, demo, "90", "Disconnected check (item 5)")
    _set_connection(demo, connected=False)
    try:
        portal.goto("/portal/")
        expect(portal.locator("main")).to_contain_text(
            "Online payment is not available for this invoice right now."
        )
        expect(portal.locator("main")).not_to_contain_text("bank details")
        expect(portal.get_by_role("button", name="Pay Invoice")).to_have_count(0)
        portal.goto(link)
        expect(portal.get_by_role("heading", level=1)).to_contain_text(number)
        expect(portal.get_by_role("button", name="Pay Invoice")).to_have_count(0)
        expect(portal.locator("main")).to_contain_text("Please contact")
        email = mailbox.open(re.compile("Your Stripe account was disconnected"), to=OWNER_EMAIL)
        expect(email.locator(".mail-text")).to_contain_text("Connect Stripe Account")
    finally:
        _set_connection(demo, connected=True)
    portal.goto(link)
    expect(portal.get_by_role("button", name="Pay Invoice")).to_be_visible()


def test_6_internal_mode_is_refused_while_invoices_are_open(
    owner: Page, mailbox: Mailbox, demo: Demo, new_context: Callable[..., BrowserContext]
) -> None:
    """Item 6: switching to Internal silently broke open invoices (pay links said "copied
    incompletely"). Now the switch is refused, naming them; a pay link of an Internal
    workspace's invoice says plainly that online payment is closed."""
    number, _url, link = sent(owner, mailbox, demo, "66", "Mode switch check (item 6)")
    owner.goto("/settings/")
    owner.get_by_label("Mode", exact=True).select_option(label="Internal")
    owner.get_by_role("button", name="Save settings").click()
    summary = owner.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(f"{number} (sent)")
    expect(summary).to_contain_text("void them")
    owner.goto("/settings/")
    expect(owner.get_by_label("Mode", exact=True).locator("option:checked")).to_have_text(
        "Consulting"
    )
    # A workspace that is Internal anyway (switched before this rule): its links say so.
    mode = "from secportal.workspaces.models import Workspace\n"
    mode += f"Workspace.objects.filter(name={WORKSPACE!r}).update(mode=%r)\n"
    demo.shell(mode % "internal")
    try:
        payer = new_context().new_page()
        payer.goto(link)
        expect(payer.get_by_role("heading", level=1)).to_have_text("Online payment is closed")
        expect(payer.locator("main")).not_to_contain_text("copied incompletely")
        payer.close()
    finally:
        demo.shell(mode % "consulting")


def test_9_search_finds_client_and_engagement(owner: Page) -> None:
    """Item 9: "northwind" and "NWB-2026-01" found nothing; search now covers the client's
    name and the engagement's name and reference."""
    create_invoice(owner, amount="123.45", description="Search check (item 9)")
    label = owner.get_by_role("heading", level=1).inner_text().split(" · ")[0]
    for q in ("northwind", "NWB-2026-01", "external penetration"):
        owner.goto("/invoices/")
        with owner.expect_response(re.compile(r"/invoices/\?")):
            owner.get_by_label("Search").fill(q)
        expect(owner.locator("#invoice-rows tbody tr", has_text=label)).to_have_count(1)
        expect(owner).to_have_url(re.compile(r"q=" + re.escape(q.split()[0])))
    owner.goto("/invoices/?q=globex")
    expect(owner.locator("#invoice-rows tbody tr", has_text=label)).to_have_count(0)


def test_17_invoice_list_sorts_totals_and_keeps_filters_in_the_url(owner: Page) -> None:
    """Item 17: the list sorts by its columns (keyset pages), totals the filtered set per
    currency, shows issue date, paid date and description, and keeps filters in the URL."""
    create_invoice(owner, amount="999,999.99", description="Biggest (item 17)")
    owner.goto("/invoices/")
    expect(owner.locator(".totals")).to_contain_text("Total of all invoices")
    owner.get_by_label("Currency").select_option("GBP")
    expect(owner).to_have_url(re.compile(r"currency=GBP"))
    expect(owner.locator(".totals")).to_contain_text("Total of these invoices")
    owner.get_by_role("link", name="Amount", exact=True).click()
    expect(owner).to_have_url(re.compile(r"currency=GBP.*sort=amount|sort=amount.*currency=GBP"))
    owner.get_by_role("link", name="Amount", exact=True).click()
    expect(owner).to_have_url(re.compile(r"sort=-amount"))
    first = owner.locator("#invoice-rows tbody tr").first
    expect(first).to_contain_text("£999,999.99")
    expect(first).to_contain_text("Biggest (item 17)")
    header = owner.locator("th", has_text="Amount")
    expect(header).to_have_attribute("aria-sort", "descending")
    owner.reload()
    expect(owner.get_by_label("Currency")).to_have_value("GBP")
    expect(owner.locator("#invoice-rows tbody tr").first).to_contain_text("£999,999.99")
    for column in ("Issued", "Paid", "Due date"):
        expect(owner.locator("thead")).to_contain_text(column)


def test_8_and_13_one_locale_for_money_and_times(
    owner: Page, mailbox: Mailbox, demo: Demo, new_context: Callable[..., BrowserContext]
) -> None:
    """Item 8: EUR showed as "3.100,00 €" in the app and emails but "€3,100.00" at Checkout.
    Item 13: "2:41 p.m." next to "14:41". Now one locale per workspace (London: en_GB)."""
    ensure_stripe_connected(owner)
    url = create_invoice(owner, amount="3,100", description="Euro check (items 8 and 13)")
    owner.get_by_role("link", name="Edit").click()
    owner.get_by_label("Currency").select_option("EUR")
    owner.get_by_role("button", name="Save draft").click()
    expect(owner.locator("dl.facts:not(.totals)")).to_contain_text("€3,100.00")
    number = send_invoice(owner)
    history = owner.locator(".history time").first.inner_text()
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d", history), history
    link = mailbox.link(f"Invoice {number} from {WORKSPACE}", "Pay Invoice", to=CLIENT_EMAIL)
    expect(mailbox.page.locator(".mail-text")).to_contain_text("€3,100.00")
    payer = new_context().new_page()
    payer.goto(local(link, demo))
    expect(payer.locator(".amount")).to_have_text("€3,100.00")
    pay_by_card(payer, demo)
    owner.goto(url)
    expect(owner.locator("h1 .badge")).to_have_text("Paid")
    main = owner.locator("main").inner_text()
    assert "p.m." not in main and "a.m." not in main, main
    assert "3.100,00" not in main
    payer.close()


def test_18_dashboard_headline_fits_one_desktop_screen(
    owner: Page, paid: Paid, new_context: Callable[..., BrowserContext]
) -> None:
    """Item 18: the headline figures per currency are on the first screen of a desktop; the
    charts and tables open on demand; "Revenue this month" no longer repeats "Revenue
    collected"."""
    desk = new_context(
        viewport={"width": 1366, "height": 900}, storage_state=owner.context.storage_state()
    ).new_page()
    desk.goto("/")
    gbp = desk.locator('[data-currency="GBP"]')
    for name in ("revenue", "net", "outstanding", "overdue"):
        box = gbp.locator(f'[data-figure="{name}"]').bounding_box()
        assert box and box["y"] + box["height"] <= 900, (name, box)
    expect(desk.get_by_text("Revenue this month")).to_have_count(0)
    chart = gbp.locator('[data-chart="monthly"]')
    expect(chart).to_be_hidden()
    gbp.locator("details.more > summary").click()
    expect(chart).to_be_visible()
    desk.close()


def test_20_timezones_by_region_and_a_centred_sign_in(
    owner: Page, new_context: Callable[..., BrowserContext]
) -> None:
    """Item 20: the time zone picker offered "Factory" and "localtime" in one long list; the
    sign-in card sat at the left."""
    owner.goto("/settings/")
    picker = owner.get_by_label("Timezone")
    expect(picker.locator('optgroup[label="Europe"] option[value="Europe/London"]')).to_have_count(
        1
    )
    expect(picker.locator('option[value="Factory"], option[value="localtime"]')).to_have_count(0)
    visitor = new_context(viewport={"width": 1366, "height": 900}).new_page()
    visitor.goto("/accounts/login/")
    box = visitor.locator("main .card").first.bounding_box()
    assert box, "no sign-in card"
    left, right = box["x"], 1366 - (box["x"] + box["width"])
    assert abs(left - right) <= 2, (left, right)
    visitor.close()
