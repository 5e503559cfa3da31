"""Headers on every page (CSP, no-store, Permissions-Policy), no inline script or style,
session limits, tokens masked in logs, production settings that refuse unsafe values."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client as HttpClient
from django.urls import reverse

from secportal.core.logging import mask_tokens
from secportal.core.security import SEEN_KEY, STARTED_KEY
from secportal.invoicing.links import pay_link
from secportal.portal.services import make_sign_in_token
from secportal.settings.safety import check_environment

from ..conftest import signed_in
from ..portal.conftest import make_sent, portal_browser

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "secportal" / "templates"
SRC = TEMPLATES.parent


def assert_strict_headers(response) -> None:  # type: ignore[no-untyped-def]
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "no-store" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_every_kind_of_page_has_csp_no_store_and_permissions_policy(tenant):
    owner = signed_in(tenant.owner)
    invoice = make_sent(tenant.invoice)
    pages = [
        (HttpClient(), reverse("accounts:login")),
        (HttpClient(), reverse("accounts:password_reset")),
        (HttpClient(), reverse("portal:login")),
        (HttpClient(), pay_link(invoice).removeprefix("http://testserver")),
        (owner, reverse("analytics:dashboard")),
        (owner, reverse("workspaces:settings")),
        (owner, reverse("accounts:account")),
        (owner, reverse("invoicing:detail", args=[invoice.public_id])),
        (owner, reverse("invoicing:pdf", args=[invoice.public_id])),
        (owner, reverse("invoicing:export")),
        (portal_browser(tenant.contact), reverse("portal:home")),
        (HttpClient(), "/no-such-page/"),
    ]
    for browser, url in pages:
        response = browser.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert_strict_headers(response)
    pdf = owner.get(reverse("invoicing:pdf", args=[invoice.public_id]))
    assert pdf["Content-Type"] == "application/pdf" and "no-store" in pdf["Cache-Control"]


def test_no_template_has_inline_script_style_or_event_handler():
    offenders = []
    pattern = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|hx-on", re.I)
    for path in TEMPLATES.rglob("*.html"):
        if "emails" in path.parts:  # emails are not web pages: mail clients need inline CSS
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{n}: {line.strip()}")
    assert offenders == []


def test_htmx_is_configured_for_the_csp():
    base = (TEMPLATES / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in base and '"allowEval": false' in base


@pytest.mark.django_db
def test_session_ends_after_idle_time_and_after_twelve_hours(tenant, settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    for key, age in ((SEEN_KEY, 31 * 60), (STARTED_KEY, 12 * 3600 + 60)):
        browser = signed_in(tenant.member)
        assert browser.get(reverse("analytics:dashboard")).status_code == 200
        session = browser.session
        session[key] = int(time.time()) - age
        session.save()
        response = browser.get(reverse("analytics:dashboard"))
        assert response.status_code == 302, key
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_pay_and_sign_in_tokens_are_masked_in_captured_logs(tenant, caplog):
    caplog.set_level(logging.INFO)
    invoice = make_sent(tenant.invoice)
    link = pay_link(invoice)
    token = link.rstrip("/").rsplit("/", 1)[1]
    sign_in_token = make_sign_in_token("nonce-123456")
    logging.getLogger("gunicorn.access").info(
        '%s - - "GET %s HTTP/1.1" 200', "127.0.0.1", link.removeprefix("http://testserver")
    )
    logging.getLogger("secportal.test").warning("Link: %s", link)
    logging.getLogger("secportal.test").warning(f"/portal/sign-in/{sign_in_token}/ opened")
    # A real request whose URL Django logs (a 404 on a mangled sign-in link).
    HttpClient().get(f"/portal/sign-in/{sign_in_token}/extra/")
    assert token not in caplog.text and sign_in_token not in caplog.text
    assert "/portal/pay/[token]/" in caplog.text and "/portal/sign-in/[token]/" in caplog.text
    assert mask_tokens("/accounts/reset/MQ/abc123-0123456789abcdef/") == (
        "/accounts/reset/MQ/[token]/"
    )
    assert mask_tokens("/portal/sign-in/sent/") == "/portal/sign-in/sent/"


GOOD = {
    "SECRET_KEY": "k" * 60,
    "ALLOWED_HOSTS": "secportal.example",
    "SITE_URL": "https://secportal.example",
    "STRIPE_SECRET_KEY": "sk_live_abc",
}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "insecure-dev-key-for-the-demo-only-0123456789-0123456789"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"SITE_URL": ""}, "SITE_URL"),
        ({"SITE_URL": "http://secportal.example"}, "SITE_URL"),
        ({"STRIPE_API_BASE": "http://127.0.0.1:12111"}, "STRIPE_API_BASE"),
    ],
)
def test_production_refuses_unsafe_settings(change, words):
    check_environment(GOOD)  # the good ones pass
    with pytest.raises(ImproperlyConfigured, match=words):
        check_environment({**GOOD, **change})


def test_a_test_key_may_use_the_sandbox_in_production_settings():
    check_environment({**GOOD, "STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_API_BASE": "http://x"})


def test_every_entry_point_defaults_to_production_and_refuses_to_start_without_secrets(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in env.items() if k not in GOOD}
    env["SECPORTAL_VAR_DIR"] = str(tmp_path)
    script = "import secportal.wsgi"
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "Unsafe production settings" in result.stderr and "SECRET_KEY" in result.stderr
    cli = subprocess.run(
        [sys.executable, "-m", "secportal", "manage", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode != 0 and "Unsafe production settings" in cli.stderr
    manage = (SRC.parents[1] / "manage.py").read_text()
    assert '"secportal.settings.production"' in manage
