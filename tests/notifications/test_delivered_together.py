"""Emails delivered together on one kept-open connection (issue 19, 4): fewer connections and
tasks, the same guarantees (each email its own row, claim, result; a dead connection replaced)."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, transaction
from django.test import override_settings

from secportal.notifications import mailcatcher, mailer
from secportal.notifications.models import EmailMessage, EmailStatus
from secportal.notifications.services import delivered_together, queue_email, resend

from ..conftest import free_port, make_tenant, smtp_mailers


class CountingHandler(mailcatcher.MaildirHandler):
    """The demo's catcher, counting the connections that greet it (EHLO/HELO)."""

    def __init__(self, directory):
        super().__init__(directory)
        self.greetings = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.greetings += 1
        session.host_name = hostname
        return responses


def _start(tmp_path, port):
    handler = CountingHandler(tmp_path / "mailbox")
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return handler, controller


def _queue(tenant, to, key=None):
    return queue_email(
        kind="invoice",
        to=to,
        template="emails/test_message",
        context={"workspace": tenant.workspace},
        workspace=tenant.workspace,
        invoice=tenant.invoice,
        dedupe_key=key,
    )


@pytest.mark.django_db(transaction=True)
def test_emails_queued_together_go_on_one_connection_and_a_dead_one_is_replaced(tmp_path):
    tenant = make_tenant()
    port = free_port()
    handler, controller = _start(tmp_path, port)
    mailer.reset()
    try:
        with override_settings(MAILERS=smtp_mailers(port)):
            with transaction.atomic(), delivered_together():
                for to in ("a@client.example", "b@client.example", "c@client.example"):
                    _queue(tenant, to)
                # Nothing goes before the commit.
                assert not mailcatcher.read_mailbox(tmp_path / "mailbox")
            assert handler.greetings == 1  # three emails, one connection
            assert sorted(m["to"] for m in mailcatcher.read_mailbox(tmp_path / "mailbox")) == [
                "a@client.example",
                "b@client.example",
                "c@client.example",
            ]
            # The server goes away and comes back: the kept connection is dead, and the next
            # email goes on a new one instead of failing.
            controller.stop()
            handler, controller = _start(tmp_path, port)
            late = _queue(tenant, "d@client.example")
            late.refresh_from_db()
            assert (late.status, late.attempts) == (EmailStatus.SENT, 1)
            assert handler.greetings == 1
    finally:
        controller.stop()
        mailer.reset()
    assert set(EmailMessage.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_drops_the_connection_and_each_email_keeps_its_own_tries(tmp_path):
    tenant = make_tenant()
    port = free_port()  # nothing listens: every send fails
    mailer.reset()
    # The test settings run tasks at once, retries included (EMAIL_RETRY_DELAYS of 0).
    with override_settings(MAILERS=smtp_mailers(port), EMAIL_MAX_ATTEMPTS=3):
        with transaction.atomic(), delivered_together():
            first = _queue(tenant, "a@client.example")
            second = _queue(tenant, "b@client.example")
        for message in (first, second):
            message.refresh_from_db()
            assert (message.status, message.attempts) == (EmailStatus.FAILED, 3)
            assert "refused" in message.last_error.lower()
        assert mailer._local.backend is None  # dropped, not kept half-open
        # The server is up: a resend goes, once.
        _handler, controller = _start(tmp_path, port)
        try:
            resend(first.pk)
        finally:
            controller.stop()
            mailer.reset()
    first.refresh_from_db()
    assert first.status == EmailStatus.SENT
    assert [m["to"] for m in mailcatcher.read_mailbox(tmp_path / "mailbox")] == ["a@client.example"]


@pytest.mark.django_db(transaction=True)
def test_a_repeated_dedupe_key_returns_the_first_email_and_leaves_the_transaction_usable():
    tenant = make_tenant()
    with override_settings(MAILERS=smtp_mailers(free_port())), transaction.atomic():
        first = _queue(tenant, "a@client.example", key="same-key")
        again = _queue(tenant, "a@client.example", key="same-key")
        assert again.pk == first.pk
        # No error ended the transaction: it still takes queries.
        assert EmailMessage.objects.filter(dedupe_key="same-key").count() == 1
        assert not connection.needs_rollback
