"""Issue 13, items 3 and 15: a draft that cannot be sent shows a disabled Send Invoice that
says why and links to where it is fixed; a member is told that sending needs an admin or owner."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from secportal.invoicing.models import Invoice

from ..invoicing.conftest import connect_stripe

pytestmark = pytest.mark.django_db


def _past_due(tenant) -> None:
    Invoice.objects.filter(pk=tenant.invoice.pk).update(due_date=datetime.date(2020, 1, 1))


def test_past_due_date_disables_send_and_links_to_edit(tenant, owner_client) -> None:
    connect_stripe(tenant)
    _past_due(tenant)
    edit = reverse("invoicing:edit", args=[tenant.invoice.public_id])
    for name in ("invoicing:detail", "invoicing:send"):
        body = owner_client.get(reverse(name, args=[tenant.invoice.public_id])).content.decode()
        assert "due date is in the past" in body
        assert f'<a href="{edit}">Edit the draft</a>' in body
        assert 'disabled aria-describedby="send-problems">Send Invoice</button>' in body
        assert "Go to Settings" not in body  # Settings does not fix a due date
    # The detail page no longer links to the review page while it cannot be sent.
    detail = reverse("invoicing:detail", args=[tenant.invoice.public_id])
    send = reverse("invoicing:send", args=[tenant.invoice.public_id])
    assert f'href="{send}"' not in owner_client.get(detail).content.decode()


def test_stripe_problem_still_links_owners_to_settings(tenant, owner_client, admin_client_):
    url = reverse("invoicing:send", args=[tenant.invoice.public_id])
    assert "Go to Settings" in owner_client.get(url).content.decode()
    admin_page = admin_client_.get(url).content.decode()
    assert "Ask an owner to do this in Settings." in admin_page


def test_disabled_buttons_look_disabled() -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("secportal/app.css")
    assert path
    with open(path) as f:
        css = f.read()
    assert "button:disabled" in css and "cursor: not-allowed" in css


def test_member_is_told_why_there_is_no_send_button(tenant, member_client) -> None:
    connect_stripe(tenant)
    url = reverse("invoicing:detail", args=[tenant.invoice.public_id])
    body = member_client.get(url).content.decode()
    assert "Sending needs an admin or owner." in body
    assert ">Send Invoice<" not in body
