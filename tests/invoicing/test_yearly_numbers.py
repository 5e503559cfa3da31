"""Issue 15 (9): an optional yearly reset of invoice numbers (INV-2026-0001), still gapless."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest

from secportal.invoicing import services
from secportal.invoicing.models import Invoice

from .conftest import connect_stripe

pytestmark = pytest.mark.django_db


def draft(tenant):
    return Invoice.objects.create(
        workspace=tenant.workspace,
        client=tenant.client,
        amount=10000,
        currency="GBP",
        description="Retest",
    )


def send_on(tenant, invoice, day):
    with mock.patch.object(type(tenant.workspace), "today", return_value=day):
        return services.send_invoice(invoice.pk, tenant.admin).invoice.number


def test_yearly_reset_restarts_the_series_each_year(tenant):
    connect_stripe(tenant)
    workspace = tenant.workspace
    assert send_on(tenant, tenant.invoice, datetime.date(2026, 3, 1)) == "INV-0001"
    workspace.number_yearly_reset = True
    workspace.save()
    numbers = [
        send_on(tenant, draft(tenant), day)
        for day in (
            datetime.date(2026, 6, 1),
            datetime.date(2026, 12, 31),
            datetime.date(2027, 1, 1),
            datetime.date(2027, 1, 2),
        )
    ]
    assert numbers == ["INV-2026-0001", "INV-2026-0002", "INV-2027-0001", "INV-2027-0002"]
    workspace.refresh_from_db()
    workspace.number_yearly_reset = False
    workspace.save()
    # Back to the plain series: a number already issued is never issued again.
    assert send_on(tenant, draft(tenant), datetime.date(2027, 2, 1)) == "INV-0003"
