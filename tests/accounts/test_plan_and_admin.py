"""The plan is the platform's decision: read-only in Settings, changed in the Django admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from secportal.workspaces.forms import WorkspaceSettingsForm
from secportal.workspaces.models import AuditEvent

from ..conftest import signed_in

pytestmark = pytest.mark.django_db


def test_plan_is_shown_read_only_to_the_owner_and_a_forged_post_is_ignored(tenant, owner_client):
    assert "plan" not in WorkspaceSettingsForm().fields
    page = owner_client.get(reverse("workspaces:settings")).content.decode()
    assert 'name="plan"' not in page
    assert "Plan: <strong>Starter</strong> (4% transaction fee)" in page
    data = {
        "name": tenant.workspace.name,
        "mode": "consulting",
        "plan": "team",
        "timezone": "Europe/London",
        "default_currency": "GBP",
        "payment_terms_days": "30",
        "number_prefix": "INV-",
        "billing_reply_to": "",
    }
    assert owner_client.post(reverse("workspaces:settings_update"), data).status_code == 302
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.plan == "starter"


def test_the_platform_operator_changes_the_plan_in_the_admin_and_it_is_recorded(tenant):
    operator = tenant.owner
    operator.is_staff = operator.is_superuser = True
    operator.save()
    admin = signed_in(operator)  # two-factor verified, as the admin requires
    url = reverse("admin:workspaces_workspace_change", args=[tenant.workspace.pk])
    form = admin.get(url)
    assert form.status_code == 200
    data = {
        "name": tenant.workspace.name,
        "slug": tenant.workspace.slug,
        "mode": "consulting",
        "plan": "team",
        "timezone": "Europe/London",
        "default_currency": "GBP",
        "payment_terms_days": "30",
        "number_prefix": "INV-",
        "next_invoice_number": "1",
        "billing_reply_to": "",
        "overdue_reminders": "on",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.plan == "team"
    event = AuditEvent.objects.get(kind="workspace.plan_changed")
    assert (event.details, event.actor) == ({"old": "starter", "new": "team"}, operator)


def test_the_admin_refuses_a_session_without_two_factor(tenant):
    from django.test import Client as HttpClient

    operator = tenant.owner
    operator.is_staff = operator.is_superuser = True
    operator.save()
    browser = HttpClient()
    browser.force_login(operator)  # password only
    response = browser.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
