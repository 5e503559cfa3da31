"""Outgoing webhooks: owners add endpoints in Settings (secret shown once), events are written
with the change (the outbox) and POSTed by the worker, signed like Stripe's, retried with
backoff, logged per endpoint, resent by hand, and an endpoint failing for long is disabled."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from secportal.invoicing import services as invoicing
from secportal.notifications.models import EmailMessage
from secportal.webhooks import delivery, services, signing
from secportal.webhooks.models import (
    API_VERSION,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

from ..conftest import make_tenant, signed_in, smtp_mailers
from ..invoicing.conftest import connect_stripe

pytestmark = pytest.mark.django_db(transaction=True)


def endpoint_for(tenant, url: str, events=("invoice.sent", "invoice.paid")):
    return services.create_endpoint(tenant.workspace, tenant.owner, url=url, events=events)


def test_an_owner_adds_an_endpoint_in_settings_and_sees_its_secret_once(receiver):
    tenant = make_tenant()
    owner = signed_in(tenant.owner)
    page = owner.get(reverse("workspaces:settings")).content.decode()
    assert "Webhooks" in page and "Add endpoint" in page
    form = owner.get(reverse("webhooks:create")).content.decode()
    assert "URL" in form and "Events" in form and "invoice.paid" in form
    made = owner.post(
        reverse("webhooks:create"), {"url": receiver.url, "events": ["invoice.sent"]}
    ).content.decode()
    secret = re.search(r"(whsec_[\w-]+)", made).group(1)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret and endpoint.events == ["invoice.sent"]
    assert secret not in owner.get(reverse("workspaces:settings")).content.decode()
    assert (
        secret
        not in owner.get(reverse("webhooks:endpoint", args=[endpoint.public_id])).content.decode()
    )
    # Admins and members neither see nor add endpoints.
    assert signed_in(tenant.admin).get(reverse("webhooks:create")).status_code == 403
    assert (
        "Add endpoint"
        not in signed_in(tenant.member).get(reverse("workspaces:settings")).content.decode()
    )


@override_settings(WEBHOOKS_ALLOW_PRIVATE_URLS=False)
def test_private_loopback_and_plain_http_targets_are_refused_in_production():
    tenant = make_tenant()
    owner = signed_in(tenant.owner)
    refusals = {
        "https://127.0.0.1/hooks": "private, loopback or link-local",
        "https://10.1.2.3/hooks": "private, loopback or link-local",
        "https://169.254.169.254/latest": "private, loopback or link-local",
        "https://[::1]/hooks": "private, loopback or link-local",
        "http://hooks.example.com/x": "Use an https:// URL.",
    }
    for url, words in refusals.items():
        answer = owner.post(reverse("webhooks:create"), {"url": url, "events": ["invoice.paid"]})
        assert answer.status_code == 400, url
        assert words in answer.content.decode(), url
    no_events = owner.post(reverse("webhooks:create"), {"url": "https://8.8.8.8/x"})
    assert no_events.status_code == 400 and "This field is required." in no_events.content.decode()
    assert not WebhookEndpoint.objects.exists()  # nothing half-saved


def test_sending_and_paying_post_signed_versioned_events_once(receiver, smtp_server):
    tenant = make_tenant()
    connect_stripe(tenant)
    made = endpoint_for(tenant, receiver.url)
    other = make_tenant()  # another workspace's endpoint hears nothing of this one
    endpoint_for(other, receiver.url + "/other")
    with override_settings(MAILERS=smtp_mailers(smtp_server[0])):
        invoicing.send_invoice(tenant.invoice.pk, tenant.owner)
        invoicing.mark_paid(tenant.invoice.pk, paid_at=timezone.now())
    assert [r.json["type"] for r in receiver.received] == ["invoice.sent", "invoice.paid"]
    assert all(r.path == "/hooks/secportal" for r in receiver.received)
    for got in receiver.received:
        assert signing.verify(made.secret, got.headers[signing.HEADER], got.body)
        assert not signing.verify("whsec_wrong", got.headers[signing.HEADER], got.body)
        assert got.json["api_version"] == API_VERSION == "2026-11-01"
        assert got.headers["SecPortal-Event-Id"] == got.json["id"]
    paid = receiver.of_type("invoice.paid")[0].json["data"]["object"]
    assert paid["id"] == str(tenant.invoice.public_id) and paid["status"] == "paid"
    assert paid["amount"] == 125_050 and paid["currency"] == "GBP" and paid["balance_due"] == 0
    assert set(WebhookDelivery.objects.values_list("status", "attempts", "response_code")) == {
        (DeliveryStatus.SUCCEEDED, 1, 200)
    }
    # Deliveries are made once: the sweep finds nothing left to send.
    assert delivery.due_ids() == []


def test_the_event_commits_with_the_change_or_not_at_all(receiver):
    tenant = make_tenant()
    connect_stripe(tenant)
    endpoint_for(tenant, receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        invoicing.send_invoice(tenant.invoice.pk, tenant.owner)
        assert WebhookEvent.objects.count() == 1  # written in the send's transaction
        raise RuntimeError("the send rolls back")
    assert not WebhookEvent.objects.exists() and receiver.received == []


def test_a_failing_endpoint_is_retried_with_backoff_logged_resent_then_disabled(
    receiver, smtp_server, settings
):
    settings.WEBHOOKS_DISABLE_AFTER = 3
    settings.MAILERS = smtp_mailers(smtp_server[0])
    tenant = make_tenant()
    connect_stripe(tenant)
    made = endpoint_for(tenant, receiver.url)
    receiver.status = 500
    before = timezone.now()
    invoicing.send_invoice(tenant.invoice.pk, tenant.owner)
    failed = WebhookDelivery.objects.get()
    assert failed.status == DeliveryStatus.PENDING and failed.attempts == 1
    assert failed.response_code == 500 and failed.duration_ms is not None
    retry_in = (failed.next_attempt_at - before).total_seconds()
    assert 60 <= retry_in <= 65  # the first of WEBHOOKS_RETRY_DELAYS
    assert delivery.due_ids() == []  # not due yet
    owner = signed_in(tenant.owner)
    log = owner.get(reverse("webhooks:endpoint", args=[made.endpoint.public_id])).content.decode()
    for words in ("Deliveries", "invoice.sent", "Pending", "500", "Next retry", "Resend"):
        assert words in log
    # The backoff doubles up: the second failure waits 300 s.
    due = failed.next_attempt_at + datetime.timedelta(seconds=1)
    assert delivery.due_ids(now=due) == [failed.pk]
    WebhookDelivery.objects.filter(pk=failed.pk).update(next_attempt_at=timezone.now())
    delivery.deliver(failed.pk)
    failed.refresh_from_db()
    assert failed.attempts == 2
    assert 295 <= (failed.next_attempt_at - timezone.now()).total_seconds() <= 300
    # Resend (by hand) tries now; its third failure in a row disables the endpoint.
    owner.post(
        reverse("webhooks:resend", args=[made.endpoint.public_id, failed.public_id]),
    )
    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.enabled and endpoint.failure_streak == 3
    assert len(receiver.received) == 3
    [email] = EmailMessage.objects.filter(kind="webhook_disabled")
    assert email.to == tenant.owner.email and receiver.url in email.subject
    # Disabled: nothing more is sent; enabling sends what waited, and a 2xx ends the run.
    receiver.status = 204
    owner.post(reverse("webhooks:toggle", args=[endpoint.public_id]))
    endpoint.refresh_from_db()
    failed.refresh_from_db()
    assert endpoint.enabled and endpoint.failure_streak == 0
    assert failed.status == DeliveryStatus.SUCCEEDED and len(receiver.received) == 4


def test_gives_up_after_the_last_delay_about_three_days_on():
    delays = [delivery.next_delay(n) for n in range(1, 20)]
    tries = [d for d in delays if d is not None]
    assert 2.5 * 86400 <= sum(tries) <= 3 * 86400 and delays[len(tries)] is None
    assert tries == sorted(tries)  # backoff grows


def test_a_rotated_secret_signs_alongside_the_old_one_for_a_day(receiver):
    tenant = make_tenant()
    connect_stripe(tenant)
    made = endpoint_for(tenant, receiver.url)
    owner = signed_in(tenant.owner)
    page = owner.post(reverse("webhooks:rotate", args=[made.endpoint.public_id])).content.decode()
    new_secret = re.search(r"(whsec_[\w-]+)", page).group(1)
    assert new_secret != made.secret and "24 hours" in page
    invoicing.send_invoice(tenant.invoice.pk, tenant.owner)
    [got] = receiver.received
    header = got.headers[signing.HEADER]
    assert header.count("v1=") == 2
    assert signing.verify(new_secret, header, got.body)
    assert signing.verify(made.secret, header, got.body)
    WebhookEndpoint.objects.update(
        previous_secret_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert WebhookEndpoint.objects.get().signing_secrets() == [new_secret]


def test_an_old_or_forged_signature_does_not_verify():
    body = b'{"id":"evt_1"}'
    header = signing.header(["whsec_a"], body, timestamp=1_000_000)
    assert signing.verify("whsec_a", header, body, now=1_000_100)
    assert not signing.verify("whsec_a", header, body, now=1_000_000 + 301)  # replayed late
    assert not signing.verify("whsec_a", header, body + b" ", now=1_000_100)


def test_overdue_credit_note_and_void_events_reach_the_endpoints_that_chose_them(receiver):
    from secportal.invoicing import credits, overdue

    tenant = make_tenant()
    connect_stripe(tenant)
    endpoint_for(
        tenant, receiver.url, events=["invoice.overdue", "credit_note.issued", "invoice.voided"]
    )
    invoicing.send_invoice(tenant.invoice.pk, tenant.owner)  # not chosen: not sent
    assert receiver.received == []
    later = timezone.now() + datetime.timedelta(days=tenant.workspace.payment_terms_days + 2)
    assert overdue.sweep(later) == 1
    credits.issue_credit_note(
        tenant.invoice.pk, tenant.owner, reason="Goodwill", amount=5_000, request_key="cn-1"
    )
    invoicing.void_invoice(tenant.invoice.pk, tenant.owner, "Cancelled")
    types = [r.json["type"] for r in receiver.received]
    assert types[:2] == ["invoice.overdue", "credit_note.issued"] and types[-1] == "invoice.voided"
    note = receiver.of_type("credit_note.issued")[0].json["data"]["object"]
    assert note["amount"] == 5_000 and note["invoice"] == str(tenant.invoice.public_id)
    overdue_invoice = receiver.of_type("invoice.overdue")[0].json["data"]["object"]
    assert overdue_invoice["status"] == "overdue"


def test_the_overdue_sweep_writes_events_only_for_workspaces_with_an_endpoint(receiver):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from secportal.invoicing import overdue

    listening, quiet = make_tenant(), make_tenant()
    for tenant in (listening, quiet):
        connect_stripe(tenant)
        invoicing.send_invoice(tenant.invoice.pk, tenant.owner)
    endpoint_for(listening, receiver.url, events=["invoice.overdue"])
    later = timezone.now() + datetime.timedelta(days=listening.workspace.payment_terms_days + 2)
    with CaptureQueriesContext(connection) as queries:
        assert overdue.sweep(later) == 2
    events = WebhookEvent.unscoped.filter(type="invoice.overdue")
    assert list(events.values_list("workspace_id", flat=True)) == [listening.workspace.pk]
    # The payloads' read is limited to the listening workspaces in SQL, not in Python.
    payload_reads = [
        q["sql"] for q in queries.captured_queries if "webhooks_webhookendpoint" in q["sql"]
    ]
    assert any("invoicing_invoice" in sql for sql in payload_reads), payload_reads
