"""Shared fixtures: workspaces with people in every role, and signed-in browsers (test clients)."""

from __future__ import annotations

import itertools
import socket
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient
from hypothesis import settings as hypothesis_settings

from secportal.clients.models import Client, ClientContact
from secportal.engagements.models import Engagement
from secportal.invoicing.models import Invoice
from secportal.notifications import mailcatcher
from secportal.workspaces.models import Membership, Role, Workspace

# Property tests check results, not speed: Hypothesis's 200 ms deadline per example measured
# the machine (a shared 2-core box; CI runs both databases' suites side by side) and failed
# a line-rounding property under load. Time targets live in bench/.
hypothesis_settings.register_profile("secportal", deadline=None)
hypothesis_settings.load_profile("secportal")

_counter = itertools.count(1)


@dataclass
class Tenant:
    """A workspace with an owner, an admin and a member, a client with a contact, an engagement."""

    workspace: Workspace
    owner: Any
    admin: Any
    member: Any
    client: Client
    contact: ClientContact
    engagement: Engagement
    invoice: Invoice

    def membership(self, user: Any) -> Membership:
        return Membership.objects.get(workspace=self.workspace, user=user)


def make_tenant(name: str | None = None, **workspace_fields: Any) -> Tenant:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    n = next(_counter)
    name = name or f"Workspace {n}"
    workspace = Workspace.objects.create(name=name, slug=f"ws-{n}", **workspace_fields)
    people = {}
    for role in (Role.OWNER, Role.ADMIN, Role.MEMBER):
        user = User.objects.create_user(email=f"{role}{n}@example.test", password="pw-12345-abc")
        Membership.objects.create(user=user, workspace=workspace, role=role)
        people[role] = user
    client = Client.objects.create(
        workspace=workspace, name=f"Client {n}", billing_email=f"ap{n}@client.example"
    )
    contact = ClientContact.objects.create(
        workspace=workspace, client=client, name=f"Contact {n}", email=f"contact{n}@client.example"
    )
    engagement = Engagement.objects.create(
        workspace=workspace, client=client, name=f"Pentest {n}", reference=f"ENG-{n}"
    )
    invoice = Invoice.objects.create(
        workspace=workspace,
        client=client,
        engagement=engagement,
        amount=125050,
        currency="GBP",
        description=f"Pentest {n} fieldwork",
        created_by=people[Role.OWNER],
    )
    return Tenant(
        workspace,
        people[Role.OWNER],
        people[Role.ADMIN],
        people[Role.MEMBER],
        client,
        contact,
        engagement,
        invoice,
    )


@pytest.fixture
def tenant(db: Any) -> Tenant:
    return make_tenant("Redline Security")


@pytest.fixture
def other_tenant(db: Any) -> Tenant:
    return make_tenant("Other Consultancy")


def signed_in(user: Any) -> HttpClient:
    """A browser signed in as the person, with two-factor verified (owners and admins need it)."""
    browser = HttpClient()
    browser.force_login(user)
    verify_two_factor(browser, user)
    return browser


def verify_two_factor(browser: HttpClient, user: Any) -> None:
    """Mark the browser's session as verified by the person's authenticator (django-otp)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def owner_client(tenant: Tenant) -> HttpClient:
    return signed_in(tenant.owner)


@pytest.fixture
def admin_client_(tenant: Tenant) -> HttpClient:
    return signed_in(tenant.admin)


@pytest.fixture
def member_client(tenant: Tenant) -> HttpClient:
    return signed_in(tenant.member)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_mailers(port: int) -> dict:
    """MAILERS that send through the real SMTP server listening on ``port``."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp_server(tmp_path: Any) -> Any:
    """A real SMTP server (the demo's catcher) for one test: (port, mailbox folder)."""
    port = free_port()
    controller = mailcatcher.start(tmp_path / "mailbox", "127.0.0.1", port)
    yield port, tmp_path / "mailbox"
    controller.stop()
