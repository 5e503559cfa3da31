"""Tenant isolation across every URL, and the scoping mechanism itself."""

from __future__ import annotations

import pytest
from django.urls import reverse

from secportal.clients.models import Client
from secportal.core.tenancy import NO_WORKSPACE, TenantScopeError, use_workspace

from .conftest import signed_in
from .url_catalog import all_routes, param_values

pytestmark = pytest.mark.django_db


def test_every_url_is_a_workspace_view_or_a_named_public_one():
    unguarded = [r.name for r in all_routes() if not r.is_workspace_view and not r.is_public]
    assert unguarded == [], f"URLs without workspace_view and not declared public: {unguarded}"


def test_every_object_url_of_another_workspace_is_404_for_get_and_post(tenant, other_tenant):
    browser = signed_in(tenant.owner)  # the highest role: only tenancy can refuse
    theirs = param_values(other_tenant)
    mine = param_values(tenant)
    checked = 0
    for route in all_routes():
        if not route.params or not route.is_workspace_view:
            continue
        missing = [p for p in route.params if p not in theirs]
        assert not missing, f"{route.name}: describe {missing} in tests/url_catalog.py"
        combos = [dict.fromkeys(route.params) | {p: theirs[p] for p in route.params}]
        if len(route.params) > 1:  # my parent object, their child object
            combos.append(
                {route.params[0]: mine[route.params[0]]} | {p: theirs[p] for p in route.params[1:]}
            )
        for kwargs in combos:
            url = reverse(route.name, kwargs=kwargs)
            for method in ("get", "post"):
                response = getattr(browser, method)(url)
                # A GET to a POST-only URL may say 405: that depends on the method, not the object.
                allowed = (404,) if method == "post" else (404, 405)
                assert response.status_code in allowed, (
                    route.name,
                    method,
                    response.status_code,
                )
                checked += 1
    assert checked >= 10


def test_list_pages_show_only_own_workspace(tenant, other_tenant):
    browser = signed_in(tenant.owner)
    for name in ("clients:list", "engagements:list", "workspaces:settings"):
        body = browser.get(reverse(name)).content.decode()
        assert other_tenant.client.name not in body
        assert other_tenant.engagement.name not in body
        assert other_tenant.owner.email not in body
    body = browser.get(reverse("clients:list")).content.decode()
    assert tenant.client.name in body


def test_tenant_query_outside_a_workspace_scope_is_refused(tenant):
    with use_workspace(NO_WORKSPACE), pytest.raises(TenantScopeError):
        list(Client.objects.all())
    with use_workspace(NO_WORKSPACE), pytest.raises(TenantScopeError):
        Client.objects.filter(name="x").exists()


def test_the_invoice_lists_hand_written_reads_keep_to_the_workspace(tenant, other_tenant):
    """The list's rows and Client choices are read by statements written by hand (issue 19):
    still only the workspace's own, and the rows refused outside a scope."""
    import datetime

    from secportal.invoicing import selectors
    from secportal.invoicing.models import Invoice

    body = signed_in(tenant.owner).get(reverse("invoicing:list")).content.decode()
    assert tenant.invoice.label in body and tenant.client.name in body
    assert other_tenant.client.name not in body
    assert str(other_tenant.invoice.public_id) not in body
    with use_workspace(NO_WORKSPACE), pytest.raises(TenantScopeError):
        selectors.invoice_page(Invoice.objects.all(), datetime.date(2026, 1, 1))


def test_scope_filters_every_query(tenant, other_tenant):
    with use_workspace(tenant.workspace.pk):
        assert list(Client.objects.values_list("name", flat=True)) == [tenant.client.name]
        assert Client.objects.filter(pk=other_tenant.client.pk).count() == 0
        assert tenant.client.engagements.count() == 1


def test_not_a_member_of_any_workspace_sees_an_explanation(db):
    from django.contrib.auth import get_user_model

    loner = get_user_model().objects.create_user(email="loner@example.test", password="x-123456-y")
    response = signed_in(loner).get(reverse("clients:list"))
    assert response.status_code == 403
    assert "not a member of any workspace" in response.content.decode()


def test_signed_out_is_sent_to_sign_in(db):
    from django.test import Client as HttpClient

    response = HttpClient().get(reverse("clients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_every_api_operation_on_another_workspaces_object_is_404(tenant, other_tenant):
    """The API's URLs, walked from its OpenAPI document (every operation, every method) with
    the tenant's admin key: an object of another workspace is never found."""
    import re

    from django.test import Client as HttpClient

    from secportal.api import keys
    from secportal.api.api import api

    from .url_catalog import API_BODIES, api_param_values

    token = keys.create_key(tenant.workspace, tenant.owner, name="walk", role="admin").token
    browser = HttpClient(headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "walk"})
    theirs, mine = api_param_values(other_tenant), api_param_values(tenant)
    paths = api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    api_urls = {r.route for r in all_routes() if r.name.startswith("api:") and r.params}
    assert {re.sub(r"\{(\w+)\}", r"<\1>", p)[1:] for p in paths} >= api_urls
    checked = 0
    for path, operations in paths.items():
        params = re.findall(r"\{(\w+)\}", path)
        if not params:
            continue
        missing = [p for p in params if p not in theirs]
        assert not missing, f"{path}: describe {missing} in tests/url_catalog.py"
        combos = [{p: theirs[p] for p in params}]
        if len(params) > 1:  # my parent object, their child object
            combos.append({params[0]: mine[params[0]]} | {p: theirs[p] for p in params[1:]})
        for method, operation in operations.items():
            body = None
            if "requestBody" in operation:
                assert (method, path) in API_BODIES, f"{method} {path}: add a body to API_BODIES"
                body = API_BODIES[(method, path)]
            for values in combos:
                url = re.sub(r"\{(\w+)\}", lambda m, v=values: str(v[m.group(1)]), path)
                if body is None:
                    response = getattr(browser, method)(url)
                else:
                    response = getattr(browser, method)(url, body, content_type="application/json")
                assert response.status_code == 404, (method, url, response.status_code)
                assert response["Content-Type"] == "application/problem+json"
                checked += 1
    assert checked >= 20
