"""Issue 13, item 5: with Stripe disconnected the portal tells the truth (no online payment now;
contact the consultancy at its reply-to address), hides Pay Invoice, and the owners are told
once by email."""

from __future__ import annotations

import pytest
from django.urls import reverse

from secportal.invoicing import links
from secportal.notifications.models import EmailMessage
from secportal.payments import connect

from ..invoicing.conftest import connect_stripe
from .conftest import make_sent

pytestmark = pytest.mark.django_db

NOTE = "Online payment is not available for this invoice right now."


def _disconnected(tenant):
    tenant.workspace.billing_reply_to = "billing@redline.example"
    tenant.workspace.save()
    account = connect_stripe(tenant)
    connect.apply_deauthorized(account.stripe_account_id)
    return account


def test_portal_hides_pay_and_says_whom_to_contact(tenant, contact_browser) -> None:
    _disconnected(tenant)
    invoice = make_sent(tenant.invoice)
    pages = [
        contact_browser.get(reverse("portal:home")),
        contact_browser.get(reverse("portal:invoice", args=[invoice.public_id])),
        contact_browser.get(links.pay_link(invoice).removeprefix("http://testserver")),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert NOTE in html and "mailto:billing@redline.example" in html
        assert "Pay Invoice</button>" not in html
        assert "bank transfer" not in html and "details on the invoice" not in html
    # Pressing an old Pay button (a stale page) says the same.
    page = contact_browser.post(reverse("portal:pay", args=[invoice.public_id])).content.decode()
    assert NOTE in page and "bank transfer" not in page


def test_connected_portal_keeps_pay(tenant, contact_browser) -> None:
    connect_stripe(tenant)
    make_sent(tenant.invoice)
    html = contact_browser.get(reverse("portal:home")).content.decode()
    assert NOTE not in html and "Pay Invoice</button>" in html


def test_owners_are_emailed_once_when_disconnected(tenant) -> None:
    account = _disconnected(tenant)
    connect.apply_deauthorized(account.stripe_account_id)  # Stripe's event again
    emails = EmailMessage.objects.filter(kind="stripe_disconnected")
    assert [m.to for m in emails] == [tenant.owner.email]
    assert "clients cannot pay online" in emails[0].subject
    assert reverse("workspaces:settings") in emails[0].body_text
