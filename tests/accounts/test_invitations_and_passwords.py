"""Invitations (signed, single-use, expiring), password reset by email and password change."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import reverse

from secportal.notifications import mailcatcher
from secportal.workspaces.models import AuditEvent, Membership

from ..conftest import signed_in, smtp_mailers

NEW_PASSWORD = "correct-horse-battery-staple-9"


def link_in(text: str, kind: str) -> str:
    match = re.search(rf"http://testserver(/accounts/{kind}/[^/\s]+/[^/\s]+/)", text)
    assert match, text
    return match.group(1)


def set_password(browser: HttpClient, link: str, password: str):  # type: ignore[no-untyped-def]
    form_page = browser.get(link, follow=True)
    assert form_page.status_code == 200
    url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    return browser.post(url, {"new_password1": password, "new_password2": password})


@pytest.mark.django_db(transaction=True)
def test_owner_invites_by_email_and_the_invitee_sets_a_password_once(tenant, smtp_server):
    port, mailbox = smtp_server
    owner = signed_in(tenant.owner)
    page = owner.get(reverse("workspaces:settings")).content.decode()
    assert "Invite" in page and 'for="id_email">Email' in page and 'for="id_role">Role' in page
    with override_settings(MAILERS=smtp_mailers(port)):
        response = owner.post(
            reverse("workspaces:member_add"), {"email": "New.Person@Example.test", "role": "admin"}
        )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.person@example.test")
    assert membership.role == "admin"
    assert AuditEvent.objects.filter(kind="member.invited").exists()
    caught = mailcatcher.read_mailbox(mailbox)
    assert len(caught) == 1 and "invited you" in caught[0]["subject"]
    link = link_in(caught[0]["text"], "invite")

    invitee = HttpClient()
    short = set_password(invitee, link, "short")
    assert short.status_code == 200
    assert "at least 12 characters" in short.content.decode()
    common = set_password(invitee, link, "password1234")
    assert "too common" in common.content.decode()
    done = set_password(invitee, link, NEW_PASSWORD)
    assert done.status_code == 302
    assert (
        get_user_model().objects.get(email="new.person@example.test").check_password(NEW_PASSWORD)
    )
    # Single use: the same link no longer works.
    again = HttpClient().get(link, follow=True)
    assert "expired or was already used" in again.content.decode()


@pytest.mark.django_db
def test_invitation_link_expires(tenant, settings):
    from secportal.accounts.services import invitation_url

    user = get_user_model().objects.create_user(email="late@example.test", password=None)
    link = invitation_url(user).removeprefix("http://testserver")
    settings.PASSWORD_RESET_TIMEOUT = -1
    page = HttpClient().get(link, follow=True)
    assert "expired or was already used" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_forgot_password_resets_by_email(tenant, smtp_server):
    port, mailbox = smtp_server
    browser = HttpClient()
    login = browser.get(reverse("accounts:login")).content.decode()
    assert "Forgot password?" in login
    with override_settings(MAILERS=smtp_mailers(port)):
        sent = browser.post(reverse("accounts:password_reset"), {"email": tenant.member.email})
        unknown = browser.post(reverse("accounts:password_reset"), {"email": "no@example.test"})
    assert sent.status_code == unknown.status_code == 302  # the same answer for both
    caught = mailcatcher.read_mailbox(mailbox)
    assert len(caught) == 1 and tenant.member.email in caught[0]["to"]
    link = link_in(caught[0]["text"], "reset")
    assert set_password(HttpClient(), link, NEW_PASSWORD).status_code == 302
    signed = HttpClient()
    response = signed.post(
        reverse("accounts:login"), {"username": tenant.member.email, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert "expired or was already used" in HttpClient().get(link, follow=True).content.decode()


@pytest.mark.django_db
def test_password_change_keeps_this_session_and_ends_the_others(tenant):
    browser = signed_in(tenant.member)
    other = signed_in(tenant.member)
    page = browser.get(reverse("accounts:password_change")).content.decode()
    assert "Change password" in page
    old_key = browser.session.session_key
    weak = browser.post(
        reverse("accounts:password_change"),
        {"old_password": "pw-12345-abc", "new_password1": "abc", "new_password2": "abc"},
    )
    assert weak.status_code == 200 and "at least 12 characters" in weak.content.decode()
    response = browser.post(
        reverse("accounts:password_change"),
        {
            "old_password": "pw-12345-abc",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert browser.session.session_key != old_key  # rotated
    assert browser.get(reverse("analytics:dashboard")).status_code == 200
    assert other.get(reverse("analytics:dashboard")).status_code == 302
