"""The demo's data: loaded by `secportal demo`, safe to load again (no duplicate rows)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from secportal.workspaces.models import Workspace

OWNER_EMAIL = "owner@demo.secportal.test"
OWNER_PASSWORD = "demo-owner"
ADMIN_EMAIL = "admin@demo.secportal.test"
MEMBER_EMAIL = "member@demo.secportal.test"
STAFF_PASSWORD = "demo-staff"
CLIENT_EMAIL = "client@demo.secportal.test"
# The demo's owner and admin sign in with two-factor: these fixed TOTP secrets (base32) go into
# an authenticator app (printed by `make demo`, named in the README; the browser tests use them).
TWO_FACTOR_SECRETS = {
    OWNER_EMAIL: "SECPORTALDEMOOWNERTOTPSECRET2345",
    ADMIN_EMAIL: "SECPORTALDEMOADMINTOTPSECRET2345",
}


def _user(email: str, password: str, first: str, last: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last}
    )
    if created:
        user.set_password(password)
        user.save()
    return user


def load_demo() -> Workspace:
    from django.db import transaction

    with transaction.atomic():
        workspace = _load_demo()
        _seed_two_factor()
        return workspace


def _seed_two_factor() -> None:
    from django.contrib.auth import get_user_model

    from secportal.accounts.services import set_totp_secret

    for email, secret in TWO_FACTOR_SECRETS.items():
        set_totp_secret(get_user_model().objects.get(email=email), secret)


def _load_demo() -> Workspace:
    from secportal.clients.models import Client, ClientContact
    from secportal.engagements.models import Engagement, EngagementStatus
    from secportal.workspaces.models import Membership, Mode, Plan, Role, Workspace

    owner = _user(OWNER_EMAIL, OWNER_PASSWORD, "Olivia", "Owner")
    admin = _user(ADMIN_EMAIL, STAFF_PASSWORD, "Adam", "Admin")
    member = _user(MEMBER_EMAIL, STAFF_PASSWORD, "Mia", "Member")
    workspace, _ = Workspace.objects.get_or_create(
        slug="redline-security",
        defaults={
            "name": "Redline Security",
            "mode": Mode.CONSULTING,
            "plan": Plan.STARTER,
            "timezone": "Europe/London",
            "default_currency": "GBP",
            "billing_reply_to": "accounts@redline.example",
        },
    )
    internal, _ = Workspace.objects.get_or_create(
        slug="acme-blue-team",
        defaults={
            "name": "Acme Blue Team",
            "mode": Mode.INTERNAL,
            "timezone": "America/New_York",
            "default_currency": "USD",
        },
    )
    for user, ws, role in [
        (owner, workspace, Role.OWNER),
        (admin, workspace, Role.ADMIN),
        (member, workspace, Role.MEMBER),
        (owner, internal, Role.OWNER),
    ]:
        Membership.objects.get_or_create(user=user, workspace=ws, defaults={"role": role})

    northwind, _ = Client.unscoped.get_or_create(
        workspace=workspace,
        name="Northwind Bank",
        defaults={
            "billing_email": "accounts-payable@northwind.example",
            "address": "1 Harbour Street\nLondon EC2A 1AA",
        },
    )
    ClientContact.unscoped.get_or_create(
        workspace=workspace,
        client=northwind,
        email=CLIENT_EMAIL,
        defaults={"name": "Dana Client", "receives_invoices": True},
    )
    globex, _ = Client.unscoped.get_or_create(
        workspace=workspace,
        name="Globex Retail",
        defaults={
            "billing_email": "finance@globex.example",
            "address": "500 Market St\nSan Francisco",
        },
    )
    for client, name, reference, status, start in [
        (
            northwind,
            "External penetration test",
            "NWB-2026-01",
            EngagementStatus.ACTIVE,
            date(2026, 10, 5),
        ),
        (
            northwind,
            "Web application assessment",
            "NWB-2026-02",
            EngagementStatus.PLANNED,
            date(2026, 12, 1),
        ),
        (
            globex,
            "Cloud configuration review",
            "GLX-2026-01",
            EngagementStatus.COMPLETED,
            date(2026, 9, 1),
        ),
    ]:
        Engagement.unscoped.get_or_create(
            workspace=workspace,
            reference=reference,
            defaults={"client": client, "name": name, "status": status, "start_date": start},
        )
    return workspace
