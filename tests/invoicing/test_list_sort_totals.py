"""Issue 13, item 17: the invoice list sorts by number, client, amount, issue date, due date and
status with keyset pagination; shows totals per currency of the filtered set; shows issue date,
paid date and description; filters and sort live in the URL."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from secportal.core.tenancy import use_workspace
from secportal.invoicing import selectors
from secportal.invoicing.models import Invoice
from secportal.invoicing.selectors import PAGE_SIZE

from ..conftest import make_tenant, signed_in

pytestmark = pytest.mark.django_db


def _many(tenant, n):
    Invoice.objects.bulk_create(
        Invoice(
            workspace=tenant.workspace,
            client=tenant.client,
            amount=1000 + (i * 7919) % 500,  # many ties and no order
            currency="GBP" if i % 3 else "EUR",
            description=f"Batch {i}",
            due_date=datetime.date(2027, 1, 1) + datetime.timedelta(days=i % 11) if i % 4 else None,
            number=f"INV-{i:04d}" if i % 5 else None,
            status="sent" if i % 5 else "draft",
        )
        for i in range(n)
    )


def _walk(tenant, sort):
    """Every page forwards by Older, then back by Newer: each invoice once, in order."""
    today = tenant.workspace.today()
    with use_workspace(tenant.workspace.pk):
        invoices = selectors.filtered_invoices({}, today)
        pages = [selectors.invoice_page(invoices, today, sort=sort)]
        while pages[-1].next_after:
            pages.append(
                selectors.invoice_page(invoices, today, after=pages[-1].next_after, sort=sort)
            )
        back = [pages[-1]]
        while back[-1].prev_before:
            back.append(
                selectors.invoice_page(invoices, today, before=back[-1].prev_before, sort=sort)
            )
    return pages, back


@pytest.mark.parametrize(
    "sort", ["number", "-number", "client", "amount", "-amount", "issued", "due", "-due", "status"]
)
def test_keyset_pages_cover_every_invoice_once_in_order(sort):
    tenant = make_tenant()
    _many(tenant, 2 * PAGE_SIZE + 7)
    pages, back = _walk(tenant, sort)
    forward = [row["pk"] for page in pages for row in page.rows]
    backward = [row["pk"] for page in reversed(back) for row in page.rows]
    total = Invoice.objects.filter(workspace=tenant.workspace).count()
    assert len(forward) == total == len(set(forward))
    assert backward == forward
    key = sort.lstrip("-")
    field = {
        "number": "number",
        "client": "client__name",
        "amount": "amount",
        "issued": "issue_date",
        "due": "due_date",
        "status": "status",
    }[key]
    values = dict(Invoice.objects.values_list("pk", field))
    low = "" if key in ("number",) else datetime.date(1, 1, 1)
    keys = [(values[pk] if values[pk] is not None else low) for pk in forward]
    assert keys == sorted(keys, reverse=sort.startswith("-"))


def test_sort_links_keep_the_filters_and_toggle(db):
    tenant = make_tenant()
    browser = signed_in(tenant.owner)
    page = browser.get(
        reverse("invoicing:list"), {"q": "pentest", "sort": "amount"}
    ).content.decode()
    assert 'aria-sort="ascending"><a href="?q=pentest&amp;sort=-amount">Amount</a>' in page
    assert '<a href="?q=pentest&amp;sort=due">Due date</a>' in page
    assert "Issued" in page and "Paid" in page and "Pentest" in page  # description shown


def test_totals_per_currency_of_the_filtered_set(db):
    tenant = make_tenant()
    Invoice.objects.create(
        workspace=tenant.workspace,
        client=tenant.client,
        amount=100000,
        currency="EUR",
        description="Other",
    )
    browser = signed_in(tenant.owner)
    totals = browser.get(reverse("invoicing:totals")).content.decode()
    assert "£1,250.50" in totals and "€1,000.00" in totals
    assert "Total of all invoices" in totals
    totals = browser.get(reverse("invoicing:totals"), {"currency": "EUR"}).content.decode()
    assert "£" not in totals and "Total of these invoices" in totals
    page = browser.get(reverse("invoicing:list"), {"currency": "EUR"}).content.decode()
    assert f'hx-get="{reverse("invoicing:totals")}?currency=EUR"' in page
