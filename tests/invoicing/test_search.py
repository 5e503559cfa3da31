"""Issue 13, item 9: Search covers number, description, client name, engagement name and
reference (and the PO number once invoices have one), without joins in the page's id query."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from secportal.clients.models import Client
from secportal.engagements.models import Engagement
from secportal.invoicing.models import Invoice

from ..conftest import make_tenant, signed_in


def _invoice(tenant, client, engagement, description):
    return Invoice.objects.create(
        workspace=tenant.workspace,
        client=client,
        engagement=engagement,
        amount=50000,
        currency="GBP",
        description=description,
        created_by=tenant.owner,
    )


def _labels(browser, q):
    response = browser.get(reverse("invoicing:list"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_search_finds_client_and_engagement(db):
    tenant = make_tenant()
    other = make_tenant()  # another workspace with the same client name: never shown
    northwind = Client.objects.create(
        workspace=tenant.workspace, name="Northwind Bank", billing_email="ap@nw.example"
    )
    engagement = Engagement.objects.create(
        workspace=tenant.workspace,
        client=northwind,
        name="Mobile app test",
        reference="NWB-2026-02",
    )
    found = _invoice(tenant, northwind, engagement, "Fieldwork")
    loose = _invoice(tenant, northwind, None, "Retest")
    Client.objects.create(
        workspace=other.workspace, name="Northwind Bank Other", billing_email="x@y.z"
    )
    browser = signed_in(tenant.owner)
    page = _labels(browser, "northwind")
    assert found.label in page and loose.label in page
    assert tenant.invoice.label not in page
    page = _labels(browser, "NWB-2026-02")
    assert found.label in page and loose.label not in page
    page = _labels(browser, "mobile app")
    assert found.label in page and loose.label not in page
    page = _labels(browser, "fieldwork")
    assert found.label in page and tenant.invoice.label in page  # "Pentest N fieldwork" too


def test_search_keeps_the_page_query_shape(db):
    tenant = make_tenant()
    browser = signed_in(tenant.owner)
    with CaptureQueriesContext(connection) as plain:
        browser.get(reverse("invoicing:list"), {"status": "draft"})
    with CaptureQueriesContext(connection) as searched:
        browser.get(reverse("invoicing:list"), {"q": "northwind"})
    assert len(plain.captured_queries) == len(searched.captured_queries)
    page_query = next(q["sql"] for q in searched.captured_queries if 'WITH "page"' in q["sql"])
    inner = page_query.split(" AS (SELECT", 1)[1]
    # The page's rows come from the invoice table alone; the names are joined to them after.
    assert "JOIN" not in inner.split("LIMIT", 1)[0]
    assert "JOIN" in inner.split("LIMIT", 1)[1]
