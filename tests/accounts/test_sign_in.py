"""Sign-in throttling (django-axes), sign-in logs, two-factor (django-otp), the admin's door."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from secportal.accounts import services

from ..conftest import make_tenant

pytestmark = pytest.mark.django_db

PASSWORD = "pw-12345-abc"


def code_for(device: TOTPDevice, ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(browser: HttpClient, email: str, password: str, **extra):  # type: ignore[no-untyped-def]
    return browser.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def test_thirty_wrong_passwords_then_the_right_one_is_refused_during_lockout(tenant):
    browser = HttpClient()
    statuses = {sign_in(browser, tenant.member.email, f"wrong-{n}").status_code for n in range(30)}
    assert 429 in statuses  # locked out after AXES_FAILURE_LIMIT failures
    right = sign_in(browser, tenant.member.email, PASSWORD)
    assert right.status_code == 429
    assert "Too many sign-in attempts" in right.content.decode()
    assert "_auth_user_id" not in browser.session
    # From another address too: the account itself is locked.
    other = HttpClient(REMOTE_ADDR="203.0.113.9")
    assert sign_in(other, tenant.member.email, PASSWORD).status_code == 429


def test_one_address_guessing_many_accounts_is_locked_out(tenant):
    browser = HttpClient(REMOTE_ADDR="198.51.100.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(browser, f"nobody{n}@example.test", "wrong-password")
    assert sign_in(browser, tenant.member.email, PASSWORD).status_code == 429
    # Another address may still sign in to that account.
    assert sign_in(HttpClient(), tenant.member.email, PASSWORD).status_code == 302


def test_the_admin_sign_in_is_throttled_too(tenant):
    tenant.owner.is_staff = tenant.owner.is_superuser = True
    tenant.owner.save()
    url = reverse("admin:login")
    assert url.startswith("/" + settings.ADMIN_URL) and settings.ADMIN_URL != "admin/"
    browser = HttpClient()
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        response = browser.post(url, {"username": tenant.owner.email, "password": f"bad-{n}"})
    assert response.status_code == 429
    device = TOTPDevice.objects.create(user=tenant.owner, name="app", confirmed=True)
    locked = browser.post(
        url, {"username": tenant.owner.email, "password": PASSWORD, "otp_token": code_for(device)}
    )
    assert locked.status_code == 429


def test_the_admin_needs_the_two_factor_code(tenant):
    assert HttpClient().get("/admin/").status_code == 404
    tenant.owner.is_staff = tenant.owner.is_superuser = True
    tenant.owner.save()
    device = TOTPDevice.objects.create(user=tenant.owner, name="app", confirmed=True)
    browser = HttpClient()
    url = reverse("admin:login")
    no_code = browser.post(url, {"username": tenant.owner.email, "password": PASSWORD})
    assert no_code.status_code == 200 and "_auth_user_id" not in browser.session
    with_code = browser.post(
        url,
        {
            "username": tenant.owner.email,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": code_for(device),
        },
    )
    assert with_code.status_code == 302
    assert browser.get(reverse("admin:index")).status_code == 200


def test_sign_ins_are_logged_without_the_password(tenant, caplog):
    caplog.set_level(logging.INFO)
    browser = HttpClient()
    sign_in(browser, tenant.member.email, "Secret-Wrong-Guess-1")
    sign_in(browser, tenant.member.email, PASSWORD)
    text = caplog.text
    assert f"Sign-in failed for {tenant.member.email}" in text
    assert f"Sign-in succeeded for {tenant.member.email}" in text
    assert "Secret-Wrong-Guess-1" not in text and PASSWORD not in text


def test_owner_signs_in_with_password_then_code(tenant):
    device = services.set_totp_secret(tenant.owner, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    browser = HttpClient()
    first = sign_in(browser, tenant.owner.email, PASSWORD)
    assert first.status_code == 302 and first["Location"] == reverse("accounts:login_code")
    assert "_auth_user_id" not in browser.session  # not signed in before the code
    page = browser.get(reverse("accounts:login_code"))
    assert "Code" in page.content.decode()
    wrong = browser.post(reverse("accounts:login_code"), {"code": "000000"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    right = browser.post(reverse("accounts:login_code"), {"code": code_for(device)})
    assert right.status_code == 302
    assert browser.get(reverse("analytics:dashboard")).status_code == 200
    # The same code cannot be used twice.
    again = HttpClient()
    sign_in(again, tenant.owner.email, PASSWORD)
    assert again.post(reverse("accounts:login_code"), {"code": code_for(device)}).status_code == 400


def test_owner_without_two_factor_must_set_it_up_and_gets_recovery_codes(tenant):
    browser = HttpClient()
    assert sign_in(browser, tenant.owner.email, PASSWORD).status_code == 302
    dashboard = browser.get(reverse("analytics:dashboard"))
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith(reverse("accounts:two_factor"))
    setup = browser.get(reverse("accounts:two_factor"))
    assert "Two-factor authentication" in setup.content.decode()
    device = TOTPDevice.objects.get(user=tenant.owner, confirmed=False)
    assert services.b32_secret(device) in setup.content.decode()
    assert browser.post(reverse("accounts:two_factor"), {"code": "123456"}).status_code == 400
    done = browser.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert done.status_code == 200 and "Recovery codes" in done.content.decode()
    codes = done.context["codes"]
    assert len(codes) == 10
    assert browser.get(reverse("analytics:dashboard")).status_code == 200
    # A recovery code signs in once.
    later = HttpClient()
    sign_in(later, tenant.owner.email, PASSWORD)
    assert later.post(reverse("accounts:login_code"), {"code": codes[0]}).status_code == 302
    reuse = HttpClient()
    sign_in(reuse, tenant.owner.email, PASSWORD)
    assert reuse.post(reverse("accounts:login_code"), {"code": codes[0]}).status_code == 400


def test_members_may_sign_in_without_two_factor_and_see_the_account_page(tenant):
    browser = HttpClient()
    sign_in(browser, tenant.member.email, PASSWORD)
    assert browser.get(reverse("analytics:dashboard")).status_code == 200
    page = browser.get(reverse("accounts:account")).content.decode()
    assert "Two-factor authentication" in page and "Change password" in page


def test_a_wrong_code_counts_towards_the_lockout(db):
    tenant = make_tenant()
    services.set_totp_secret(tenant.admin, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser = HttpClient()
        sign_in(browser, tenant.admin.email, PASSWORD)
        browser.post(reverse("accounts:login_code"), {"code": "000000"})
    assert sign_in(HttpClient(), tenant.admin.email, PASSWORD).status_code == 429


def test_recovery_codes_can_be_renewed_and_members_may_turn_two_factor_off(tenant):
    from secportal.accounts.selectors import has_two_factor, recovery_codes_left

    from ..conftest import signed_in

    services.new_recovery_codes(tenant.member)
    browser = signed_in(tenant.member)  # verified with an authenticator
    renewed = browser.post(reverse("accounts:recovery_codes"))
    assert renewed.status_code == 200 and len(renewed.context["codes"]) == 10
    assert recovery_codes_left(tenant.member) == 10
    assert browser.post(reverse("accounts:two_factor_off")).status_code == 302
    assert not has_two_factor(tenant.member)
    # Owners may not turn it off.
    owner = signed_in(tenant.owner)
    owner.post(reverse("accounts:two_factor_off"))
    assert has_two_factor(tenant.owner)


def test_the_code_step_says_to_wait_during_the_back_off(tenant, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 30
    device = services.set_totp_secret(tenant.admin, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    browser = HttpClient()
    sign_in(browser, tenant.admin.email, PASSWORD)
    first = browser.post(reverse("accounts:login_code"), {"code": "000000"})
    assert "not right" in first.content.decode()
    second = browser.post(reverse("accounts:login_code"), {"code": code_for(device)})
    assert second.status_code == 400 and "wait a few seconds" in second.content.decode()
