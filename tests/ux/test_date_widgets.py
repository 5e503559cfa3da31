"""Issue 13, item 1: every date widget renders an ISO value, which `<input type=date>` accepts;
a locale value such as 15/01/2027 shows an empty field and Save then clears the date."""

from __future__ import annotations

import datetime
import importlib
import pkgutil

import pytest
from django import forms
from django.urls import reverse

import secportal
from secportal.core.widgets import ISO_DATE
from secportal.engagements.models import Engagement
from secportal.invoicing.models import Invoice

pytestmark = pytest.mark.django_db


def test_every_date_input_of_every_form_renders_iso() -> None:
    """A guard for new forms too: every DateField of every form class in the project."""
    checked = 0
    for module in pkgutil.walk_packages(secportal.__path__, "secportal."):
        if not module.name.endswith(".forms"):
            continue
        mod = importlib.import_module(module.name)
        for value in vars(mod).values():
            if not (isinstance(value, type) and issubclass(value, forms.BaseForm)):
                continue
            declared = dict(getattr(value, "base_fields", {}))
            for name, field in declared.items():
                if isinstance(field, forms.DateField):
                    widget = field.widget
                    assert getattr(widget, "input_type", "") == "date", (value, name)
                    assert getattr(widget, "format", None) == ISO_DATE, (value, name)
                    checked += 1
    assert checked >= 3  # due date, engagement start and end


def test_draft_edit_renders_the_due_date_in_iso_and_save_keeps_it(tenant, owner_client) -> None:
    invoice = tenant.invoice
    Invoice.objects.filter(pk=invoice.pk).update(due_date=datetime.date(2027, 1, 15))
    url = reverse("invoicing:edit", args=[invoice.public_id])
    body = owner_client.get(url).content.decode()
    assert 'type="date"' in body and 'value="2027-01-15"' in body
    assert "15/01/2027" not in body


def test_engagement_edit_renders_iso_dates_and_save_keeps_them(tenant, owner_client) -> None:
    engagement = tenant.engagement
    Engagement.objects.filter(pk=engagement.pk).update(
        start_date=datetime.date(2026, 10, 5), end_date=datetime.date(2026, 10, 16)
    )
    url = reverse("engagements:edit", args=[engagement.public_id])
    body = owner_client.get(url).content.decode()
    assert 'value="2026-10-05"' in body and 'value="2026-10-16"' in body
    response = owner_client.post(
        url,
        {
            "client": tenant.client.pk,
            "name": engagement.name,
            "reference": engagement.reference,
            "status": engagement.status,
            "start_date": "2026-10-05",
            "end_date": "2026-10-16",
        },
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.start_date == datetime.date(2026, 10, 5)
    assert engagement.end_date == datetime.date(2026, 10, 16)
