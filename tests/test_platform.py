"""Health, background tasks through the real worker backend, email through a real SMTP server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from secportal.notifications import mailcatcher
from secportal.notifications.models import EmailMessage, EmailStatus
from secportal.notifications.services import queue_email

from .conftest import free_port, signed_in, smtp_mailers

DB_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
}


def _queue_test_email(tenant, **extra):
    return queue_email(
        kind="test",
        to="someone@client.example",
        template="emails/test_message",
        context={"name": "Dana <script>alert(1)</script>"},
        workspace=tenant.workspace,
        **extra,
    )


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_the_database_is_unreachable(tmp_path):
    """A real web process whose database does not answer (nothing listens on its port)."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code, r.json()['database'])\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "secportal.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/secportal?connect_timeout=2",
        "SECPORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.stdout.split() == ["503", "unreachable"], result.stderr[-2000:]


@pytest.mark.django_db(transaction=True)
def test_email_goes_through_the_real_worker_and_a_real_smtp_server(tenant, smtp_server):
    port, mailbox = smtp_server
    with override_settings(TASKS=DB_TASKS, MAILERS=smtp_mailers(port)):
        message = _queue_test_email(tenant)
        message.refresh_from_db()
        assert message.status == EmailStatus.QUEUED  # waits for the worker
        call_command(
            "db_worker",
            "--batch",
            "--queue-name",
            "*",
            "--no-startup-delay",
            "--no-reload",
            "-v",
            "0",
        )
        message.refresh_from_db()
    assert message.status == EmailStatus.SENT
    assert message.attempts == 1
    caught = mailcatcher.read_mailbox(mailbox)
    assert len(caught) == 1
    assert caught[0]["subject"] == "A test message for Dana <script>alert(1)</script>"
    assert "Hello Dana <script>" in caught[0]["text"]
    assert "Dana &lt;script&gt;" in caught[0]["html"]  # escaped in HTML
    # The demo's Mailbox page lists and renders it (DEBUG only).
    with override_settings(DEBUG=True, MAILBOX_DIR=mailbox):
        browser = signed_in(tenant.owner)
        listing = browser.get(reverse("notifications:mailbox")).content.decode()
        assert "A test message for Dana" in listing
        page = browser.get(
            reverse("notifications:message", args=[caught[0]["id"]])
        ).content.decode()
        assert "Hello Dana &lt;script&gt;" in page
    assert signed_in(tenant.owner).get(reverse("notifications:mailbox")).status_code == 404
    with override_settings(DEBUG=True, MAILBOX_DIR=mailbox):  # only to this machine
        elsewhere = signed_in(tenant.owner).get(
            reverse("notifications:mailbox"), REMOTE_ADDR="192.0.2.10"
        )
        assert elsewhere.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_failed_delivery_is_retried_then_reported_and_can_be_resent(tenant, smtp_server):
    from secportal.notifications.services import resend

    dead_port = free_port()
    with override_settings(MAILERS=smtp_mailers(dead_port), EMAIL_MAX_ATTEMPTS=3):
        message = _queue_test_email(tenant)  # immediate backend: tries at once, retries at once
        message.refresh_from_db()
    assert message.status == EmailStatus.FAILED
    assert message.attempts == 3
    assert "Connection refused" in message.last_error or "Errno" in message.last_error
    port, mailbox = smtp_server
    with override_settings(MAILERS=smtp_mailers(port)):
        resend(message.pk)
        message.refresh_from_db()
    assert message.status == EmailStatus.SENT
    assert len(mailcatcher.read_mailbox(mailbox)) == 1


@pytest.mark.django_db(transaction=True)
def test_queueing_with_a_dedupe_key_sends_once(tenant, smtp_server):
    port, mailbox = smtp_server
    with override_settings(MAILERS=smtp_mailers(port)):
        first = _queue_test_email(tenant, dedupe_key="once")
        second = _queue_test_email(tenant, dedupe_key="once")
    assert first.pk == second.pk
    assert EmailMessage.objects.count() == 1
    assert len(mailcatcher.read_mailbox(mailbox)) == 1


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "secportal.settings.production",
        "SECRET_KEY": "k" * 20 + "-production-secret-" + "x9Z" * 10,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "secportal.example",
        "SITE_URL": "https://secportal.example",
        "SECPORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
