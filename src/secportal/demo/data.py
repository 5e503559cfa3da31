"""The demo's data: loaded by `secportal demo`, safe to load again (no duplicate rows)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.text import slugify

if TYPE_CHECKING:
    from secportal.clients.models import Client
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
    """The demo's workspaces, people, clients and engagements, made through the services (so the
    demo walks the same code paths as the app); whatever exists already is left alone."""
    from secportal.clients.services import add_contact
    from secportal.engagements.models import Engagement, EngagementStatus
    from secportal.engagements.services import create_engagement
    from secportal.workspaces.models import Mode, Plan, Role
    from secportal.workspaces.services import add_member

    owner = _user(OWNER_EMAIL, OWNER_PASSWORD, "Olivia", "Owner")
    admin = _user(ADMIN_EMAIL, STAFF_PASSWORD, "Adam", "Admin")
    member = _user(MEMBER_EMAIL, STAFF_PASSWORD, "Mia", "Member")
    workspace = _workspace(
        "Redline Security",
        owner,
        mode=Mode.CONSULTING,
        plan=Plan.STARTER,
        timezone="Europe/London",
        default_currency="GBP",
        billing_reply_to="accounts@redline.example",
    )
    _workspace(
        "Acme Blue Team",
        owner,
        mode=Mode.INTERNAL,
        timezone="America/New_York",
        default_currency="USD",
    )
    for user, role in [(admin, Role.ADMIN), (member, Role.MEMBER)]:
        add_member(workspace.pk, owner, email=user.email, role=role)

    northwind = _client(
        workspace,
        owner,
        name="Northwind Bank",
        billing_email="accounts-payable@northwind.example",
        address="1 Harbour Street\nLondon EC2A 1AA",
    )
    if not northwind.contacts.filter(email=CLIENT_EMAIL).exists():
        add_contact(
            northwind.pk,
            owner,
            {"name": "Dana Client", "email": CLIENT_EMAIL, "receives_invoices": True},
        )
    globex = _client(
        workspace,
        owner,
        name="Globex Retail",
        billing_email="finance@globex.example",
        address="500 Market St\nSan Francisco",
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
        if not Engagement.unscoped.filter(workspace=workspace, reference=reference).exists():
            create_engagement(
                workspace,
                owner,
                {
                    "client": client,
                    "name": name,
                    "reference": reference,
                    "status": status,
                    "start_date": start,
                },
            )
    _sample_invoices(workspace, owner, northwind, globex)
    return workspace


# A few invoices so that the dashboard and the lists are not empty at first sight: sent,
# overdue and paid (paid 35+ days ago, so this month's revenue is only what the demo adds).
# (amount, currency, description, client key, state, days: issued ago, due in, paid ago)
SAMPLE_INVOICES = [
    (480000, "GBP", "Scoping and kick-off (demo)", "northwind", "paid", (70, -40, 50)),
    (325000, "GBP", "Cloud configuration review (demo)", "globex", "paid", (60, -30, 36)),
    (212500, "GBP", "Retest of critical findings (demo)", "globex", "overdue", (45, -15, None)),
    (150000, "GBP", "Phishing simulation (demo)", "northwind", "sent", (5, 25, None)),
]
SAMPLE_MARK = "(demo)"


def _sample_invoices(workspace: Workspace, owner: Any, northwind: Client, globex: Client) -> None:
    """Made through the services, as the app would have made them: numbered from the
    workspace's counter (gapless) with their history; the paid ones with a Payment as Stripe's
    webhook would record it. The workspace's Stripe account stays unconnected, so that the demo
    can show Connect."""
    import datetime

    from django.utils import timezone

    from secportal.core.fees import platform_fee
    from secportal.invoicing import services as invoicing
    from secportal.invoicing.models import Invoice
    from secportal.payments.models import Payment

    if Invoice.unscoped.filter(workspace=workspace, description__endswith=SAMPLE_MARK).exists():
        return
    clients = {"northwind": northwind, "globex": globex}
    now = timezone.now()
    today = workspace.today()
    for amount, currency, description, key, _state, (issued, due, paid) in SAMPLE_INVOICES:
        client = clients[key]
        draft = invoicing.create_invoice(
            workspace,
            owner,
            {
                "client": client,
                "engagement": client.engagements.order_by("pk").first(),  # type: ignore[attr-defined]
                "amount": amount,
                "currency": currency,
                "description": description,
            },
        )
        invoice = invoicing.record_issued_invoice(
            draft.pk,
            owner,
            sent_at=now - datetime.timedelta(days=issued),
            due_date=today + datetime.timedelta(days=due),
        )
        if paid is not None:
            paid_at = now - datetime.timedelta(days=paid)
            fee = platform_fee(amount, workspace.fee_bps)
            Payment.unscoped.create(
                workspace=workspace,
                invoice=invoice,
                stripe_account_id="acct_demo_history",
                checkout_session_id=f"cs_demo_{invoice.public_id.hex}",
                amount=amount,
                currency=currency,
                application_fee=fee,
                net=amount - fee,
                paid_at=paid_at,
            )
            invoicing.mark_paid(
                invoice.pk, paid_at=paid_at, actor_type="system", source="demo history"
            )
    invoicing.mark_overdue()  # the past-due one, as the scheduler would


def _workspace(name: str, owner: Any, **fields: Any) -> Workspace:
    from secportal.workspaces.models import Workspace
    from secportal.workspaces.services import create_workspace

    existing = Workspace.objects.filter(slug=slugify(name)).first()
    return existing or create_workspace(name=name, owner=owner, **fields)


def _client(workspace: Workspace, owner: Any, **values: Any) -> Client:
    from secportal.clients.models import Client
    from secportal.clients.services import create_client

    existing = Client.unscoped.filter(workspace=workspace, name=values["name"]).first()
    return existing or create_client(workspace, owner, values)
