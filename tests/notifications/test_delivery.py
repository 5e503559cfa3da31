"""Delivery you can trust (issue 17, 6): no lock held while talking SMTP, a stale claim is sent
again, refusals recorded as bounces, a daily digest of what did not arrive."""

from __future__ import annotations

import datetime
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from secportal.core.tasks import release_stale_tasks
from secportal.invoicing.models import Invoice
from secportal.notifications import delivery, digest, mailcatcher
from secportal.notifications.models import EmailMessage, EmailStatus
from secportal.notifications.services import queue_email
from secportal.notifications.tasks import sweep_outbox

from ..conftest import free_port, make_tenant, signed_in, smtp_mailers


def _message(tenant, to: str = "ap@client.example", **fields) -> EmailMessage:
    return EmailMessage.objects.create(
        workspace=tenant.workspace,
        invoice=tenant.invoice,
        kind="invoice",
        to=to,
        subject="Invoice",
        body_text="Hello\n",
        **fields,
    )


class HangingSMTP:
    """A socket that accepts connections and never says a word (a mail server that hangs)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        for conn in self.accepted:
            conn.close()
        self.sock.close()


@pytest.mark.django_db(transaction=True)
def test_a_hanging_smtp_server_does_not_block_other_writes():
    tenant = make_tenant()
    message = _message(tenant)
    server = HangingSMTP()
    mailers = smtp_mailers(server.port)
    mailers["default"]["OPTIONS"]["timeout"] = 4
    outcome: list[str] = []

    def send() -> None:
        try:
            with override_settings(MAILERS=mailers):
                outcome.append(delivery.deliver(message.pk).status)
        finally:
            connection.close()

    sender = threading.Thread(target=send)
    started = time.monotonic()
    sender.start()
    try:
        deadline = time.monotonic() + 5
        while not server.accepted:  # the delivery is talking to the server now
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)
        write_started = time.monotonic()
        with transaction.atomic():
            Invoice.objects.filter(pk=tenant.invoice.pk).update(attention="Checked")
            _message(tenant, to="other@client.example")
            if connection.vendor == "postgresql":
                # The outbox row itself is not locked while the server is talked to.
                EmailMessage.objects.select_for_update(nowait=True).get(pk=message.pk)
        wrote_in = time.monotonic() - write_started
        assert EmailMessage.objects.get(pk=message.pk).status == EmailStatus.SENDING
    finally:
        sender.join(20)
        server.close()
    assert wrote_in < 1.5, wrote_in  # not the SMTP timeout (4 s)
    assert time.monotonic() - started >= 3.5  # the delivery did wait for the server
    message.refresh_from_db()
    # The timeout is recorded as an attempt; the email waits for its next try.
    assert outcome == [EmailStatus.QUEUED] and message.attempts == 1
    assert "timed out" in message.last_error.lower()
    assert message.claimed_at is not None and message.next_attempt_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_claim_left_by_a_killed_worker_is_sent_again_once(smtp_server):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    port, mailbox = smtp_server
    tenant = make_tenant()
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    # A worker claimed the email (Sending) and was killed before it could record anything.
    message = _message(
        tenant,
        status=EmailStatus.SENDING,
        claimed_at=long_ago,
        attempts=1,
        provider_message_id="<first-claim@secportal.test>",
    )
    fresh = _message(
        tenant, to="busy@client.example", status=EmailStatus.SENDING, claimed_at=timezone.now()
    )
    with override_settings(MAILERS=smtp_mailers(port)):
        assert sweep_outbox.call() == 1  # the stale claim only; the fresh one is in progress
        assert sweep_outbox.call() == 0
    message.refresh_from_db()
    fresh.refresh_from_db()
    assert (message.status, message.attempts) == (EmailStatus.SENT, 2)
    assert fresh.status == EmailStatus.SENDING
    [caught] = mailcatcher.read_mailbox(mailbox)
    assert caught["to"] == "ap@client.example"
    # The same Message-ID as the interrupted attempt: a repeat is recognisable.
    assert message.provider_message_id == "<first-claim@secportal.test>"

    # The killed worker's task row does not stay Running for ever.
    stuck = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=long_ago,
        args_kwargs={"args": [message.pk], "kwargs": {}},
        task_path="secportal.notifications.tasks.send_email",
        queue_name="email",
        backend_name="default",
        run_after=long_ago,
    )
    running = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now(),
        args_kwargs={"args": [fresh.pk], "kwargs": {}},
        task_path="secportal.notifications.tasks.send_email",
        queue_name="email",
        backend_name="default",
        run_after=timezone.now(),
    )
    assert release_stale_tasks() == 1
    stuck.refresh_from_db()
    running.refresh_from_db()
    assert stuck.status == TaskResultStatus.FAILED and stuck.finished_at is not None
    assert running.status == TaskResultStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_a_stale_claim_with_no_attempts_left_fails_visibly():
    tenant = make_tenant()
    message = _message(
        tenant,
        status=EmailStatus.SENDING,
        claimed_at=timezone.now() - datetime.timedelta(hours=1),
        attempts=5,
    )
    with override_settings(EMAIL_MAX_ATTEMPTS=5):
        assert delivery.deliver(message.pk).status == EmailStatus.FAILED
    message.refresh_from_db()
    assert message.last_error == delivery.INTERRUPTED and message.failed_at is not None


class RefusingHandler(mailcatcher.MaildirHandler):
    """Accepts mail like the demo's catcher, but refuses every address at nobody.example."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@nobody.example"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_smtp(tmp_path):
    port = free_port()
    controller = Controller(RefusingHandler(tmp_path / "mailbox"), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, tmp_path / "mailbox"
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_a_refused_recipient_is_a_bounce_shown_per_recipient_on_the_invoice(refusing_smtp):
    port, mailbox = refusing_smtp
    tenant = make_tenant()
    with override_settings(MAILERS=smtp_mailers(port)):
        for to in ("ap@client.example", "gone@nobody.example"):
            queue_email(
                kind="invoice",
                to=to,
                template="emails/test_message",
                context={"workspace": tenant.workspace},
                workspace=tenant.workspace,
                invoice=tenant.invoice,
            )
    delivered = EmailMessage.objects.get(to="ap@client.example")
    bounced = EmailMessage.objects.get(to="gone@nobody.example")
    assert delivered.status == EmailStatus.SENT
    assert bounced.status == EmailStatus.BOUNCED
    assert bounced.attempts == 1  # a refusal is not tried again
    assert "550" in bounced.last_error and "No such user" in bounced.last_error
    assert [m["to"] for m in mailcatcher.read_mailbox(mailbox)] == ["ap@client.example"]
    page = (
        signed_in(tenant.owner)
        .get(reverse("invoicing:detail", args=[tenant.invoice.public_id]))
        .content.decode()
    )
    assert "Bounced</strong>: Refused by the mail server: 550" in page
    assert "gone@nobody.example" in page and "Sent " in page


@pytest.mark.django_db(transaction=True)
def test_smtp_down_then_back_delivers_each_email_once(smtp_server):
    port, mailbox = smtp_server
    tenant = make_tenant()
    with override_settings(MAILERS=smtp_mailers(1), EMAIL_MAX_ATTEMPTS=3):  # nothing on port 1
        messages = [_message(tenant, to=f"p{n}@client.example") for n in range(3)]
        for message in messages:
            assert delivery.deliver(message.pk).status == EmailStatus.QUEUED
    EmailMessage.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=5))
    with override_settings(MAILERS=smtp_mailers(port)):
        assert sweep_outbox.call() == 3
        assert sweep_outbox.call() == 0
        for message in messages:  # a late task for the same email sends nothing more
            assert delivery.deliver(message.pk).status == EmailStatus.SENT
    assert sorted(m["to"] for m in mailcatcher.read_mailbox(mailbox)) == [
        "p0@client.example",
        "p1@client.example",
        "p2@client.example",
    ]


@pytest.mark.django_db(transaction=True)
def test_daily_digest_tells_the_owners_of_failed_deliveries_once(smtp_server):
    port, mailbox = smtp_server
    tenant = make_tenant("Redline Security")
    quiet = make_tenant("All Delivered")
    now = timezone.now()
    _message(
        tenant,
        to="gone@nobody.example",
        status=EmailStatus.BOUNCED,
        failed_at=now,
        last_error="Refused by the mail server: 550 No such user",
    )
    _message(
        tenant,
        to="old@client.example",
        status=EmailStatus.FAILED,
        failed_at=now - datetime.timedelta(days=3),
        last_error="old",
    )
    _message(quiet, to="fine@client.example", status=EmailStatus.SENT)
    later = now + datetime.timedelta(minutes=1)
    with override_settings(MAILERS=smtp_mailers(port)):
        assert digest.queue_digests(later) == 1  # the one owner of the one workspace
        assert digest.queue_digests(later) == 1  # the same day again: the same email
    [caught] = mailcatcher.read_mailbox(mailbox)
    assert caught["to"] == tenant.owner.email
    assert caught["subject"] == "1 email from Redline Security could not be delivered"
    assert "gone@nobody.example" in caught["text"] and "Bounced" in caught["text"]
    assert "550 No such user" in caught["html"]
    assert "old@client.example" not in caught["text"]  # outside the last day
    assert EmailMessage.objects.filter(kind="delivery_digest").count() == 1


@pytest.mark.django_db(transaction=True)
def test_control_characters_in_a_name_never_break_the_email_headers(smtp_server):
    port, mailbox = smtp_server
    tenant = make_tenant("Redline\rSecurity")  # written around the forms (an old row, a script)
    message = _message(tenant, from_name="Redline\rSecurity\u202e via SecPortal")
    message.subject = "Invoice\r\nBcc: victim@example.test"
    message.save()
    with override_settings(MAILERS=smtp_mailers(port)):
        assert delivery.deliver(message.pk).status == EmailStatus.SENT
    [caught] = mailcatcher.read_mailbox(mailbox)
    assert caught["from"] == "Redline Security via SecPortal <billing@secportal.test>"
    assert caught["subject"] == "Invoice Bcc: victim@example.test"


@pytest.mark.django_db
def test_control_characters_in_names_are_refused_where_they_are_entered(tenant, owner_client):
    from django.core.exceptions import ValidationError

    from secportal.workspaces.services import create_workspace

    refused = "Remove the control characters"
    settings_page = owner_client.post(
        reverse("workspaces:settings_update"),
        {
            "name": "Redline\rSecurity",
            "mode": "consulting",
            "timezone": "Europe/London",
            "default_currency": "GBP",
            "payment_terms_days": "30",
            "number_prefix": "INV-",
        },
    )
    assert settings_page.status_code == 400 and refused in settings_page.content.decode()
    client_page = owner_client.post(
        reverse("clients:create"), {"name": "Acme\rLtd", "billing_email": "ap@acme.example"}
    )
    assert client_page.status_code == 400 and refused in client_page.content.decode()
    contact_page = owner_client.post(
        reverse("clients:contact_add", args=[tenant.client.public_id]),
        {"name": "Jo\rBloggs", "email": "jo@client.example"},
    )
    assert contact_page.status_code == 400 and refused in contact_page.content.decode()
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.name == "Redline Security"
    assert not tenant.client.contacts.filter(email="jo@client.example").exists()
    with pytest.raises(ValidationError):
        create_workspace(name="Bad\rName", owner=tenant.owner)


def test_the_digest_and_the_stale_task_release_are_on_the_schedule():
    import importlib

    from crontask import scheduler

    importlib.import_module("secportal.core.tasks")  # what `crontask` loads from each app
    names = {job.name: str(job.trigger) for job in scheduler.get_jobs()}
    assert "send_delivery_digests" in names and "hour='7'" in names["send_delivery_digests"]
    assert "release_stale_tasks_task" in names
    assert "sweep_outbox" in names
    assert "prune_task_results_task" in names and "hour='3'" in names["prune_task_results_task"]


@pytest.mark.django_db
def test_old_finished_task_results_are_pruned_and_nothing_else(settings):
    """Successful results go after TASK_RESULTS_KEEP_DAYS, failed ones after
    TASK_FAILURES_KEEP_DAYS; queued and running tasks stay whatever their age."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from secportal.core.tasks import prune_task_results

    settings.TASK_RESULTS_KEEP_DAYS, settings.TASK_FAILURES_KEEP_DAYS = 14, 60
    now = timezone.now()

    def result(status: str, days_ago: int) -> DBTaskResult:
        at = now - datetime.timedelta(days=days_ago)
        finished = status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
        return DBTaskResult.objects.create(
            status=status,
            enqueued_at=at,
            started_at=None if status == TaskResultStatus.READY else at,
            finished_at=at if finished else None,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="secportal.core.tasks.release_stale_tasks_task",
            queue_name="default",
            backend_name="default",
            run_after=at,
        )

    old_success = result(TaskResultStatus.SUCCESSFUL, 15)
    kept = [
        result(TaskResultStatus.SUCCESSFUL, 13),
        result(TaskResultStatus.FAILED, 30),  # failures are kept longer
        result(TaskResultStatus.READY, 90),
        result(TaskResultStatus.RUNNING, 90),
    ]
    old_failure = result(TaskResultStatus.FAILED, 61)
    assert prune_task_results(now) == 2
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left >= {r.pk for r in kept} and not left & {old_success.pk, old_failure.pk}
    assert prune_task_results(now) == 0


def test_email_backend_switch_selects_the_mailer_and_anymail_settings(monkeypatch):
    import importlib

    import secportal.settings.base as base

    monkeypatch.setenv("EMAIL_BACKEND", "anymail.backends.postmark.EmailBackend")
    monkeypatch.setenv("ANYMAIL_POSTMARK_SERVER_TOKEN", "server-token")
    try:
        switched = importlib.reload(base)
        assert switched.MAILERS["default"] == {
            "BACKEND": "anymail.backends.postmark.EmailBackend",
            "OPTIONS": {},
        }
        assert switched.ANYMAIL == {"POSTMARK_SERVER_TOKEN": "server-token"}
    finally:
        monkeypatch.delenv("EMAIL_BACKEND")
        monkeypatch.delenv("ANYMAIL_POSTMARK_SERVER_TOKEN")
        default = importlib.reload(base)
    assert default.MAILERS["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert default.MAILERS["default"]["OPTIONS"]["port"] == 1025
