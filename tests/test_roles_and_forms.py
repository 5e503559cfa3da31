"""Roles are enforced on the server; forms refuse bad input beside the field and save nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from secportal.clients.models import Client, ClientContact
from secportal.engagements.models import Engagement
from secportal.workspaces.models import AuditEvent, Membership, Mode, Role, Workspace

from .conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "kwargs_of", "needs"),
    [
        ("clients:create", None, Role.ADMIN),
        ("clients:edit", "client", Role.ADMIN),
        ("clients:contact_add", "client", Role.ADMIN),
        ("engagements:create", None, Role.ADMIN),
        ("engagements:edit", "engagement", Role.ADMIN),
        ("workspaces:settings_update", None, Role.OWNER),
        ("workspaces:member_add", None, Role.OWNER),
    ],
)
def test_roles_are_enforced_on_the_server(tenant, name, kwargs_of, needs):
    kwargs = {}
    if kwargs_of == "client":
        kwargs = {"client_id": tenant.client.public_id}
    elif kwargs_of == "engagement":
        kwargs = {"engagement_id": tenant.engagement.public_id}
    url = reverse(name, kwargs=kwargs)
    below = tenant.member if needs == Role.ADMIN else tenant.admin
    response = signed_in(below).post(url, {"name": "Hijack", "email": "x@example.test"})
    assert response.status_code == 403
    assert not Client.objects.filter(name="Hijack").exists()
    assert not Engagement.objects.filter(name="Hijack").exists()
    allowed = tenant.admin if needs == Role.ADMIN else tenant.owner
    assert signed_in(allowed).post(url, {}).status_code in (200, 302, 400)


def test_member_can_read_clients_and_engagements(tenant, member_client):
    assert member_client.get(reverse("clients:list")).status_code == 200
    page = member_client.get(reverse("clients:detail", args=[tenant.client.public_id]))
    assert page.status_code == 200
    assert "Edit client" not in page.content.decode()  # no buttons the role cannot use
    assert (
        member_client.get(
            reverse("engagements:detail", args=[tenant.engagement.public_id])
        ).status_code
        == 200
    )


def test_client_form_keeps_input_and_shows_the_error_beside_the_field(tenant, admin_client_):
    response = admin_client_.post(
        reverse("clients:create"), {"name": "Acme <b>Ltd</b>", "billing_email": "not-an-email"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_billing_email_error"' in body
    assert "Enter a valid email address." in body
    assert 'value="not-an-email"' in body
    assert "Acme &lt;b&gt;Ltd&lt;/b&gt;" in body  # kept, and shown as text
    assert not Client.objects.filter(name__startswith="Acme").exists()


def test_client_create_edit_and_contacts(tenant, admin_client_):
    response = admin_client_.post(
        reverse("clients:create"), {"name": "Acme Ltd", "billing_email": "AP@acme.example"}
    )
    client = Client.objects.get(name="Acme Ltd")
    assert response.status_code == 302
    assert client.workspace == tenant.workspace
    url = reverse("clients:contact_add", args=[client.public_id])
    admin_client_.post(url, {"name": "Pat", "email": "pat@acme.example", "receives_invoices": "on"})
    again = admin_client_.post(url, {"name": "Pat 2", "email": "PAT@acme.example"})
    assert again.status_code == 400
    assert "already has a contact with this email" in again.content.decode()
    assert ClientContact.objects.filter(client=client).count() == 1
    admin_client_.post(
        reverse("clients:edit", args=[client.public_id]),
        {"name": "Acme Limited", "billing_email": "ap@acme.example", "address": ""},
    )
    client.refresh_from_db()
    assert client.name == "Acme Limited"
    kinds = list(
        AuditEvent.objects.filter(workspace=tenant.workspace).values_list("kind", flat=True)
    )
    assert {"client.created", "contact.added", "client.updated"} <= set(kinds)


def test_engagement_refuses_another_workspaces_client(tenant, other_tenant, admin_client_):
    response = admin_client_.post(
        reverse("engagements:create"),
        {"client": other_tenant.client.pk, "name": "Sneaky", "status": "active"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Engagement.objects.filter(name="Sneaky").exists()


def test_engagement_dates_are_checked(tenant, admin_client_):
    response = admin_client_.post(
        reverse("engagements:create"),
        {
            "client": tenant.client.pk,
            "name": "Backwards",
            "status": "active",
            "start_date": "2026-05-02",
            "end_date": "2026-05-01",
        },
    )
    assert response.status_code == 400
    assert "cannot be before the start date" in response.content.decode()


def test_owner_changes_settings_and_bad_values_are_refused(tenant, owner_client):
    url = reverse("workspaces:settings_update")
    data = {
        "name": "Redline",
        "mode": "consulting",
        "plan": "pro",
        "timezone": "Australia/Sydney",
        "default_currency": "EUR",
        "payment_terms_days": "14",
        "number_prefix": "RL-",
        "billing_reply_to": "",
        "overdue_reminders": "on",
    }
    assert owner_client.post(url, data).status_code == 302
    tenant.workspace.refresh_from_db()
    assert (
        tenant.workspace.plan,
        tenant.workspace.timezone,
        tenant.workspace.payment_terms_days,
    ) == ("starter", "Australia/Sydney", 14)  # forged plan ignored
    bad = owner_client.post(url, data | {"payment_terms_days": "-3", "timezone": "Mars/Base"})
    assert bad.status_code == 400
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.timezone == "Australia/Sydney"


def test_settings_show_the_seeds_fee_table(tenant, member_client):
    body = member_client.get(reverse("workspaces:settings")).content.decode()
    for plan, fee in [("Starter", "4%"), ("Pro", "3.5%"), ("Team", "2%")]:
        assert f"<td>{plan}" in body
        assert f"<td>{fee}</td>" in body


def test_members_and_roles(tenant, owner_client):
    owner_client.post(
        reverse("workspaces:member_add"), {"email": "new@example.test", "role": "admin"}
    )
    new = Membership.objects.get(workspace=tenant.workspace, user__email="new@example.test")
    assert new.role == Role.ADMIN
    owner_client.post(reverse("workspaces:member_role", args=[new.pk]), {"role": "member"})
    new.refresh_from_db()
    assert new.role == Role.MEMBER
    # The last owner cannot be demoted or removed.
    mine = tenant.membership(tenant.owner)
    response = owner_client.post(
        reverse("workspaces:member_role", args=[mine.pk]), {"role": "member"}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == Role.OWNER
    owner_client.post(reverse("workspaces:member_remove", args=[new.pk]))
    assert not Membership.objects.filter(pk=new.pk).exists()


def test_workspace_switcher(tenant, other_tenant):
    Membership.objects.create(user=tenant.owner, workspace=other_tenant.workspace, role=Role.MEMBER)
    browser = signed_in(tenant.owner)
    assert tenant.client.name in browser.get(reverse("clients:list")).content.decode()
    response = browser.post(
        reverse("workspace_switch"), {"workspace": other_tenant.workspace.pk, "next": "/clients/"}
    )
    assert response.status_code == 302
    body = browser.get(reverse("clients:list")).content.decode()
    assert other_tenant.client.name in body
    assert tenant.client.name not in body
    # A workspace the person does not belong to cannot be chosen.
    stranger = Workspace.objects.create(name="Stranger", slug="stranger")
    assert browser.post(reverse("workspace_switch"), {"workspace": stranger.pk}).status_code == 404


def test_mode_switch_keeps_data(tenant, owner_client):
    from secportal.workspaces.services import update_workspace_settings

    update_workspace_settings(tenant.workspace.pk, tenant.owner, {"mode": Mode.INTERNAL})
    assert owner_client.get(reverse("clients:list")).status_code == 200
    update_workspace_settings(tenant.workspace.pk, tenant.owner, {"mode": Mode.CONSULTING})
    assert tenant.client.name in owner_client.get(reverse("clients:list")).content.decode()
    events = AuditEvent.objects.filter(
        kind="workspace.settings_changed", workspace=tenant.workspace
    )
    assert events.count() == 2
    # Saving the same value again is a no-op: no new audit event.
    update_workspace_settings(tenant.workspace.pk, tenant.owner, {"mode": Mode.CONSULTING})
    assert events.count() == 2


def test_sign_in_with_email_and_password(tenant):
    # A member (two-factor optional); owners and admins add a code: tests/accounts/.
    from django.test import Client as HttpClient

    browser = HttpClient()
    bad = browser.post(
        reverse("accounts:login"), {"username": tenant.member.email, "password": "wrong"}
    )
    assert bad.status_code == 200
    assert (
        "correct email" in bad.content.decode().lower()
        or "enter a correct" in bad.content.decode().lower()
    )
    ok = browser.post(
        reverse("accounts:login"), {"username": tenant.member.email, "password": "pw-12345-abc"}
    )
    assert ok.status_code == 302
    assert browser.get(reverse("analytics:dashboard")).status_code == 200
    browser.post(reverse("accounts:logout"))
    assert browser.get(reverse("analytics:dashboard")).status_code == 302


def test_a_role_change_signs_the_person_out_everywhere(tenant, owner_client):
    """Sessions are rotated on a privilege change: the changed person signs in again."""
    member_session = signed_in(tenant.member)
    assert member_session.get(reverse("clients:list")).status_code == 200
    mine = tenant.membership(tenant.member)
    owner_client.post(reverse("workspaces:member_role", args=[mine.pk]), {"role": "admin"})
    mine.refresh_from_db()
    assert mine.role == Role.ADMIN
    response = member_session.get(reverse("clients:list"))
    assert response.status_code == 302 and "login" in response["Location"]
    # The owner who made the change is still signed in.
    assert owner_client.get(reverse("clients:list")).status_code == 200
