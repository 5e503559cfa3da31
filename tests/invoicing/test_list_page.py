"""The Invoices list page: its filters, its rows, and a number of queries that does not grow."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from secportal.clients.models import Client
from secportal.engagements.models import Engagement
from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.workspaces.models import Membership, Role

from ..conftest import make_tenant, signed_in


def _invoices(tenant, n, **fields):
    Invoice.objects.bulk_create(
        Invoice(
            workspace=tenant.workspace,
            client=tenant.client,
            engagement=tenant.engagement,
            amount=1000 + i,
            currency="GBP",
            description=f"Batch {i}",
            **fields,
        )
        for i in range(n)
    )


def _queries(browser, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_the_rows_or_the_clients(tenant, owner_client):
    url = reverse("invoicing:list")
    few = _queries(owner_client, url)
    _invoices(tenant, 40)
    for i in range(15):
        client = Client.objects.create(
            workspace=tenant.workspace, name=f"Client {i:02}", billing_email=f"c{i}@x.example"
        )
        Engagement.objects.create(workspace=tenant.workspace, client=client, name=f"E{i}")
    assert _queries(owner_client, url) == few
    # Filtering by client: the client's engagements, one more query, whatever their number.
    by_client = _queries(owner_client, url, {"client": str(tenant.client.public_id)})
    assert by_client == few + 1


def test_filters_show_every_client_and_the_chosen_clients_engagements(tenant, owner_client):
    other = Client.objects.create(
        workspace=tenant.workspace, name="Globex <Ltd>", billing_email="g@x.example"
    )
    theirs = Engagement.objects.create(workspace=tenant.workspace, client=other, name="Cloud")
    url = reverse("invoicing:list")
    page = owner_client.get(url).content.decode()
    assert f'<option value="{other.public_id}">Globex &lt;Ltd&gt;</option>' in page
    assert f'<option value="{tenant.client.public_id}">' in page
    assert '<label for="id_engagement">Engagement</label>' in page
    assert str(theirs.public_id) not in page  # engagements appear once a client is chosen
    page = owner_client.get(url, {"client": str(other.public_id)}).content.decode()
    assert f'<option value="{other.public_id}" selected>' in page
    assert f'<option value="{theirs.public_id}">Cloud</option>' in page
    assert str(tenant.engagement.public_id) not in page
    # htmx: the rows, and the engagement choices swapped out of band.
    partial = owner_client.get(
        url, {"client": str(other.public_id)}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial
    assert 'id="engagement-filter" hx-swap-oob="true"' in partial
    assert f'<option value="{theirs.public_id}">Cloud</option>' in partial


def test_an_engagement_chosen_alone_still_filters_and_is_shown(tenant, owner_client):
    page = owner_client.get(
        reverse("invoicing:list"), {"engagement": str(tenant.engagement.public_id)}
    ).content.decode()
    assert f'<option value="{tenant.engagement.public_id}" selected>' in page
    assert "Draft" in page


def test_values_that_are_not_choices_are_left_out(tenant, other_tenant, owner_client):
    url = reverse("invoicing:list")
    for params in (
        {"status": "nonsense"},
        {"currency": "XXX"},
        {"client": "not-a-uuid"},
        {"client": str(other_tenant.client.public_id)},  # another workspace's client
        {"engagement": str(other_tenant.engagement.public_id)},
    ):
        page = owner_client.get(url, params).content.decode()
        assert "£1,250.50" in page, params
        assert f'<option value="{other_tenant.client.public_id}"' not in page


def test_rows_show_client_engagement_amount_status_and_due_date(tenant, owner_client):
    Invoice.objects.filter(pk=tenant.invoice.pk).update(
        status=InvoiceStatus.SENT, number="INV-0042", due_date=datetime.date(2020, 1, 2)
    )
    Invoice.objects.create(
        workspace=tenant.workspace,
        client=tenant.client,
        amount=100000,
        currency="EUR",
        description="No engagement",
    )
    page = owner_client.get(reverse("invoicing:list")).content.decode()
    detail = reverse("invoicing:detail", args=[tenant.invoice.public_id])
    assert f'<a href="{detail}">INV-0042</a>' in page
    assert f'<td data-label="Client">{tenant.client.name}</td>' in page
    assert (
        f'<td data-label="Engagement" class="desc phone-hide">{tenant.engagement.name}<small'
        in page
    )
    assert '<td data-label="Engagement" class="desc phone-hide">—<small' in page
    assert "£1,250.50" in page and "€1,000.00" in page
    assert '<span class="badge status-overdue">Overdue</span>' in page
    assert '<span class="badge status-draft">Draft</span>' in page
    assert "2 Jan 2020" in page


def test_the_workspace_switcher_lists_every_workspace_from_one_query(tenant, owner_client):
    url = reverse("invoicing:list")
    alone = _queries(owner_client, url)
    for _ in range(3):
        other = make_tenant()
        Membership.objects.create(user=tenant.owner, workspace=other.workspace, role=Role.MEMBER)
    page = owner_client.get(url).content.decode()
    assert 'id="workspace-switcher"' in page
    assert page.count("<option value=") - page.count('name="status"') >= 4
    assert f'<option value="{tenant.workspace.pk}" selected>' in page
    assert _queries(owner_client, url) == alone


def test_a_member_of_two_workspaces_sees_the_chosen_one(tenant, other_tenant):
    Membership.objects.create(user=tenant.owner, workspace=other_tenant.workspace, role=Role.MEMBER)
    browser = signed_in(tenant.owner)
    # Joined first: their own workspace.
    assert "£1,250.50" in browser.get(reverse("invoicing:list")).content.decode()
    response = browser.post(
        reverse("workspace_switch"), {"workspace": other_tenant.workspace.pk, "next": "/"}
    )
    assert response.status_code == 302
    page = browser.get(reverse("invoicing:list")).content.decode()
    assert str(other_tenant.client.public_id) in page
    assert str(tenant.client.public_id) not in page
