"""Home, the invoice page, the PDF and Pay Invoice for a signed-in contact."""

from __future__ import annotations

import datetime
import importlib.util

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from secportal.engagements.models import Engagement
from secportal.invoicing.models import InvoiceEvent, InvoiceStatus

from ..invoicing.conftest import connect_stripe
from .conftest import make_sent, new_invoice, portal_browser

pytestmark = pytest.mark.django_db

PDF_READY = importlib.util.find_spec("secportal.invoicing.pdf") is not None
needs_pdf = pytest.mark.skipif(
    not PDF_READY, reason="invoicing/pdf.py (the PDF renderer) is not in the tree yet"
)


def test_home_lists_engagements_with_non_draft_invoices_only(tenant, contact_browser):
    connect_stripe(tenant)  # Pay Invoice shows only when the client can pay online
    sent = make_sent(tenant.invoice)
    draft = new_invoice(tenant, description="Secret draft", amount=77700)
    loose = make_sent(new_invoice(tenant, engagement=None, amount=30000))
    quiet = Engagement.objects.create(
        workspace=tenant.workspace, client=tenant.client, name="Cloud review", reference="ENG-Q"
    )
    page = contact_browser.get(reverse("portal:home")).content.decode()
    assert str(tenant.engagement) in page and str(quiet) in page
    assert sent.number in page and "£1,250.50" in page
    assert "Other invoices" in page and loose.number in page and "£300.00" in page
    assert page.index(str(tenant.engagement)) < page.index(sent.number) < page.index("Other")
    assert "Draft" not in page and "£777.00" not in page and str(draft.public_id) not in page
    assert "No invoices for this engagement yet." in page
    assert f"Due {sent.due_date:%-d %b %Y}" in page
    assert reverse("portal:pay", args=[sent.public_id]) in page
    assert reverse("portal:invoice_pdf", args=[sent.public_id]) in page
    assert tenant.workspace.name in page  # the consultancy, not the consultant nav
    assert f'href="{reverse("invoicing:list")}"' not in page
    assert "Sign out" in page


def test_other_clients_and_workspaces_do_not_show_on_home(tenant, other_tenant, contact_browser):
    from secportal.clients.models import Client

    make_sent(other_tenant.invoice)
    sister = Client.objects.create(workspace=tenant.workspace, name="Sister Co")
    theirs = make_sent(new_invoice(tenant, client=sister, description="Sister work"))
    page = contact_browser.get(reverse("portal:home")).content.decode()
    assert other_tenant.invoice.number not in page and other_tenant.engagement.name not in page
    assert theirs.number not in page and "Sister work" not in page


def test_sent_past_due_shows_overdue_before_the_task_runs(tenant, contact_browser):
    connect_stripe(tenant)
    yesterday = timezone.now().date() - datetime.timedelta(days=2)
    invoice = make_sent(tenant.invoice, due=yesterday)
    assert invoice.status == InvoiceStatus.SENT
    home = contact_browser.get(reverse("portal:home")).content.decode()
    assert "Overdue" in home and reverse("portal:pay", args=[invoice.public_id]) in home
    page = contact_browser.get(reverse("portal:invoice", args=[invoice.public_id])).content
    assert b"Overdue" in page and b"Pay Invoice" in page


def test_paid_and_void_show_their_state_and_no_pay_button(tenant, contact_browser):
    paid = make_sent(tenant.invoice, status=InvoiceStatus.PAID)
    void = make_sent(new_invoice(tenant, amount=40000), status=InvoiceStatus.VOID)
    home = contact_browser.get(reverse("portal:home")).content.decode()
    assert "Pay Invoice" not in home
    paid_on = paid.paid_at.astimezone(tenant.workspace.tz)
    assert f"Paid on {paid_on:%-d %b %Y}" in home and "Paid invoice (PDF)" in home
    assert "Void" in home
    page = contact_browser.get(reverse("portal:invoice", args=[paid.public_id])).content.decode()
    assert "Pay Invoice" not in page and "Paid on" in page
    page = contact_browser.get(reverse("portal:invoice", args=[void.public_id])).content.decode()
    assert "Pay Invoice" not in page and "voided" in page
    for invoice in (paid, void):
        response = contact_browser.post(reverse("portal:pay", args=[invoice.public_id]))
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:invoice", args=[invoice.public_id])


def test_invoice_page_shows_everything_escaped_and_records_one_view(tenant, contact_browser):
    tenant.workspace.billing_reply_to = "billing@redline.example"
    tenant.workspace.save()
    invoice = make_sent(tenant.invoice, description='Fieldwork <script>alert("x")</script>\nDay 2')
    url = reverse("portal:invoice", args=[invoice.public_id])
    page = contact_browser.get(url).content.decode()
    for fact in (
        tenant.workspace.name,
        invoice.number,
        "£1,250.50",
        f"{invoice.issue_date:%-d %B %Y}",
        f"{invoice.due_date:%-d %B %Y}",
        "Sent",
        str(tenant.engagement),
        "billing@redline.example",
    ):
        assert fact in page, fact
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    contact_browser.get(url)
    viewed = InvoiceEvent.objects.filter(invoice=invoice, kind="viewed")
    assert viewed.count() == 1
    assert viewed.get().actor_contact == tenant.contact


def test_pay_invoice_without_card_payments_says_how_else_to_pay(tenant, contact_browser):
    """No connected Stripe account that can take charges: no checkout, a clear page instead."""
    from secportal.payments.models import CheckoutAttempt

    tenant.workspace.billing_reply_to = "billing@redline.example"
    tenant.workspace.save()
    invoice = make_sent(tenant.invoice)
    url = reverse("portal:pay", args=[invoice.public_id])
    assert contact_browser.get(url).status_code == 405
    response = contact_browser.post(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Online payment is not available" in page
    # The truth (issue 13, item 5): no promise of bank details; whom to contact.
    assert "bank transfer" not in page and "billing@redline.example" in page
    assert not CheckoutAttempt.objects.exists()


def test_pay_invoice_needs_the_csrf_token(tenant):
    invoice = make_sent(tenant.invoice)
    browser = portal_browser(tenant.contact, enforce_csrf_checks=True)
    assert browser.post(reverse("portal:pay", args=[invoice.public_id])).status_code == 403


def test_internal_mode_shows_no_invoices(tenant, contact_browser):
    invoice = make_sent(tenant.invoice)
    tenant.workspace.mode = "internal"
    tenant.workspace.save()
    home = contact_browser.get(reverse("portal:home")).content.decode()
    assert invoice.number not in home
    assert (
        contact_browser.get(reverse("portal:invoice", args=[invoice.public_id])).status_code == 404
    )


def test_not_signed_in_goes_to_sign_in(tenant):
    from django.test import Client as HttpClient

    invoice = make_sent(tenant.invoice)
    for url in (reverse("portal:home"), reverse("portal:invoice", args=[invoice.public_id])):
        assert HttpClient().get(url)["Location"] == reverse("portal:login")


@needs_pdf
def test_pdf_download(tenant, contact_browser):
    invoice = make_sent(tenant.invoice)
    response = contact_browser.get(reverse("portal:invoice_pdf", args=[invoice.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert invoice.number in response["Content-Disposition"]


@override_settings(PORTAL_TRUSTED_PROXY_HOPS=1)
def test_client_ip_behind_one_trusted_proxy(rf):
    from secportal.portal.access import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "198.51.100.4"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


def test_home_shows_the_newest_invoices_per_engagement_and_show_more(tenant, contact_browser):
    """Issue 19: a client with hundreds of invoices gets a bounded page, newest first per
    engagement, and "Show more" for the rest of one engagement (the others stay short)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from secportal.portal.selectors import MORE_STEP, SECTION_SIZE

    today = timezone.now().date()
    numbers = []
    for n in range(SECTION_SIZE + 3):
        invoice = make_sent(new_invoice(tenant, amount=10000 + n))
        invoice.issue_date = today - datetime.timedelta(days=n)
        invoice.save(update_fields=["issue_date"])
        numbers.append(invoice.number)
    loose = [make_sent(new_invoice(tenant, engagement=None)).number for _ in range(2)]
    home = reverse("portal:home")
    with CaptureQueriesContext(connection) as ctx:
        page = contact_browser.get(home).content.decode()
    shown, hidden = numbers[:SECTION_SIZE], numbers[SECTION_SIZE:]
    assert all(n in page for n in shown) and not any(n in page for n in hidden)
    assert page.index(shown[0]) < page.index(shown[-1])  # newest first
    assert all(n in page for n in loose)
    total = len(numbers)
    assert f"Showing the newest {SECTION_SIZE} of {total} invoices." in page
    key = tenant.engagement.public_id
    more = f"?more={key}&amp;shown={SECTION_SIZE + MORE_STEP}"
    assert more in page and "Show more" in page
    assert page.count("Show more") == 1  # "Other invoices" shows all of its two
    page = contact_browser.get(home, {"more": str(key), "shown": SECTION_SIZE + MORE_STEP})
    assert all(n in page.content.decode() for n in numbers + loose)
    assert "Show more" not in page.content.decode()
    # The number of queries does not grow with the invoices.
    for _ in range(20):
        make_sent(new_invoice(tenant))
    with CaptureQueriesContext(connection) as again:
        contact_browser.get(home)
    assert len(again.captured_queries) == len(ctx.captured_queries)
