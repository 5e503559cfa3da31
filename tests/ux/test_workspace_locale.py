"""Issue 13, items 8 and 13: one formatting locale per workspace (a setting; by default from
its time zone and currency) for money, dates and times, in the app, the portal and emails."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from secportal.core.locales import default_locale, format_when
from secportal.invoicing.models import Invoice, InvoiceEvent
from secportal.notifications.services import queue_email
from secportal.workspaces.models import Workspace

pytestmark = pytest.mark.django_db

PAID_AT = datetime.datetime(2026, 11, 27, 14, 41, tzinfo=datetime.UTC)


def test_defaults_follow_time_zone_and_currency() -> None:
    assert default_locale("GBP", "Europe/London") == "en_GB"
    assert default_locale("EUR", "Europe/London") == "en_GB"  # a UK firm billing in euros
    assert default_locale("USD", "America/New_York") == "en_US"
    assert default_locale("EUR", "Europe/Berlin") == "de_DE"
    assert default_locale("EUR", "Europe/Dublin") == "en_IE"


def _paid_eur(tenant) -> Invoice:
    Invoice.objects.filter(pk=tenant.invoice.pk).update(
        currency="EUR", amount=310000, status="paid", number="INV-0007", paid_at=PAID_AT
    )
    InvoiceEvent.objects.filter(invoice=tenant.invoice).update(at=PAID_AT)
    return Invoice.objects.get(pk=tenant.invoice.pk)


def test_one_format_for_money_and_times_on_a_page(tenant, owner_client) -> None:
    invoice = _paid_eur(tenant)
    page = owner_client.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()
    assert "€3,100.00" in page and "3.100,00" not in page
    assert "27 Nov 2026, 14:41" in page  # London: GMT in November
    # Whole words: a random CSRF token may hold the letters "PM".
    assert not re.search(r"\bp\.m\.|\bPM\b", page)


def test_a_chosen_locale_changes_every_format(tenant, owner_client) -> None:
    Workspace.objects.filter(pk=tenant.workspace.pk).update(
        formatting_locale="en_US", timezone="America/New_York"
    )
    invoice = _paid_eur(tenant)
    page = owner_client.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()
    assert "€3,100.00" in page
    assert "Nov 27, 2026, 9:41\u202fAM" in page or "Nov 27, 2026, 9:41 AM" in page
    assert not re.search(r"\b\d\d:\d\d\b", page.split("<main", 1)[1])  # no 24-hour times


def test_emails_use_the_workspace_locale(tenant) -> None:
    Workspace.objects.filter(pk=tenant.workspace.pk).update(formatting_locale="de_DE")
    workspace = Workspace.objects.get(pk=tenant.workspace.pk)
    invoice = _paid_eur(tenant)
    message = queue_email(
        kind="test",
        to="x@example.test",
        template="emails/payment_received",
        context={
            "invoice": invoice,
            "workspace": workspace,
            "payment": None,
            "amount": "",
            "fee": "",
            "net": "",
            "paid_on": PAID_AT.date(),
            "portal_url": "",
            "invoice_url": "",
        },
        workspace=workspace,
    )
    assert "27. November 2026" in message.body_text
    with timezone.override(workspace.tz):
        assert format_when(PAID_AT, "de_DE") == "27.11.2026, 14:41"


def test_settings_offer_the_format(tenant, owner_client) -> None:
    page = owner_client.get(reverse("workspaces:settings")).content.decode()
    assert "Number and date format" in page and "Automatic (United Kingdom" in page


def test_one_moment_is_written_in_each_time_zone_even_when_remembered():
    """``format_when`` remembers its texts: one instant seen from two time zones (equal aware
    datetimes) is still two texts."""
    import datetime

    from django.utils import timezone

    from secportal.core.locales import format_when

    moment = datetime.datetime(2026, 3, 29, 0, 30, tzinfo=datetime.UTC)
    seen = {}
    for zone in ("Europe/London", "America/New_York", "Asia/Tokyo", "Europe/London"):
        with timezone.override(zone):
            seen[zone] = format_when(moment, "en_GB")
    assert seen == {
        "Europe/London": "29 Mar 2026, 00:30",
        "America/New_York": "28 Mar 2026, 20:30",
        "Asia/Tokyo": "29 Mar 2026, 09:30",
    }
