"""Issue 13, item 18: the dashboard answers "how are we doing": headline figures per currency
first, charts and tables behind a disclosure, an empty ageing chart that says so, no repeats."""

from __future__ import annotations

import pytest
from django.urls import reverse

from secportal.invoicing.models import Invoice

from ..conftest import signed_in

pytestmark = pytest.mark.django_db


def test_headline_then_disclosure_and_no_repeats(tenant) -> None:
    Invoice.objects.filter(pk=tenant.invoice.pk).update(status="paid", number="INV-0001")
    page = signed_in(tenant.owner).get(reverse("analytics:dashboard")).content.decode()
    section = page.split('data-currency="GBP">', 1)[1].split("</section>", 1)[0]
    headline, rest = section.split('<details class="more">', 1)
    for name in ("revenue", "net", "outstanding", "overdue", "avg_days_to_pay"):
        assert f'data-figure="{name}"' in headline, name
    assert 'data-chart="monthly"' in rest and 'data-chart="ageing"' in rest
    assert "Revenue this month" not in page


def test_empty_ageing_says_nothing_outstanding(tenant) -> None:
    Invoice.objects.filter(pk=tenant.invoice.pk).update(status="paid", number="INV-0001")
    page = signed_in(tenant.owner).get(reverse("analytics:dashboard")).content.decode()
    assert "Nothing outstanding in GBP" in page
