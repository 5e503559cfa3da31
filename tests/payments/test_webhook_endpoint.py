"""The webhook endpoint: only Stripe's signed, fresh events are stored and processed once."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client as HttpClient

from secportal.payments import gateway
from secportal.payments.models import ConnectedAccount, StripeEvent

from .webhooks import event, post_event, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    return HttpClient(enforce_csrf_checks=True)  # Stripe sends no CSRF token


def test_signed_unknown_type_is_stored_and_acknowledged(browser):
    response = post_event(browser, event("customer.created", {"id": "cus_1"}))
    assert response.status_code == 200
    stored = StripeEvent.objects.get(event_id="evt_test_1")
    assert (stored.type, stored.outcome) == ("customer.created", "stored")
    assert stored.processed_at is not None


def test_forged_signature_is_refused_and_nothing_stored(browser):
    response = post_event(browser, event("customer.created", {}), secret="whsec_attacker")
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_missing_signature_is_refused(browser):
    assert post_event(browser, event("customer.created", {}), signature="").status_code == 400
    assert not StripeEvent.objects.exists()


def test_replayed_event_older_than_tolerance_is_refused(browser):
    old = int(time.time()) - 301
    assert post_event(browser, event("customer.created", {}), at=old).status_code == 400
    assert not StripeEvent.objects.exists()


def test_truncated_and_non_json_bodies_are_refused(browser):
    whole = json.dumps(event("customer.created", {})).encode()
    signature = sign(whole)
    assert post_event(browser, whole[:-10], signature=signature).status_code == 400
    assert post_event(browser, b"not json at all").status_code == 400  # signed, not an event
    assert post_event(browser, b"\xff\xfe\x00binary").status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_rotated_second_secret_is_accepted(browser, settings):
    settings.STRIPE_WEBHOOK_SECRETS = ["whsec_old", "whsec_new"]
    assert post_event(browser, event("customer.created", {}), secret="whsec_new").status_code == 200


def _sandbox_account(sandbox, tenant, *, onboarded: bool) -> ConnectedAccount:
    """An account that exists at (sandbox) Stripe, known to the app as not yet ready."""
    created = gateway.create_account(
        email=tenant.owner.email,
        business_name=tenant.workspace.name,
        idempotency_key=f"test-account:{tenant.workspace.pk}",
    )
    account = ConnectedAccount.objects.create(
        workspace=tenant.workspace, stripe_account_id=created["id"]
    )
    if onboarded:
        sandbox.complete_onboarding(created["id"])
        assert sandbox.drain(timeout=10)  # the sandbox's own account.updated, delivered
    return account


def _account_event(account_id: str, event_id: str = "evt_test_1", **flags: bool) -> dict:
    obj = {"id": account_id, "object": "account", **flags}
    return event("account.updated", obj, event_id=event_id, account=account_id)


@pytest.mark.django_db(transaction=True)
def test_duplicate_delivery_is_acknowledged_and_changes_nothing(sandbox, tenant):
    browser = HttpClient(enforce_csrf_checks=True)
    account = _sandbox_account(sandbox, tenant, onboarded=True)
    body = _account_event(account.stripe_account_id, details_submitted=True, charges_enabled=True)
    assert post_event(browser, body).status_code == 200
    account.refresh_from_db()
    synced = account.last_synced_at
    assert account.ready
    # Stripe delivers it again after the account changed again: the old event changes nothing.
    ConnectedAccount.objects.update(charges_enabled=False)
    assert post_event(browser, body).status_code == 200
    account.refresh_from_db()
    assert not account.charges_enabled and account.last_synced_at == synced
    assert StripeEvent.objects.get(event_id=body["id"]).deliveries == 2


@pytest.mark.django_db(transaction=True)
def test_account_updated_events_in_reverse_order_leave_the_account_as_stripe_has_it(
    sandbox, tenant
):
    """The event is only a nudge: the account is read from Stripe, so order does not matter."""
    browser = HttpClient(enforce_csrf_checks=True)
    account = _sandbox_account(sandbox, tenant, onboarded=True)
    newer = _account_event(
        account.stripe_account_id, "evt_newer", details_submitted=True, charges_enabled=True
    )
    older = _account_event(
        account.stripe_account_id, "evt_older", details_submitted=False, charges_enabled=False
    )
    older["created"] = newer["created"] - 60
    assert post_event(browser, newer).status_code == 200
    assert post_event(browser, older).status_code == 200  # late, and stale
    account.refresh_from_db()
    assert account.ready


def test_events_for_unknown_account_session_or_charge_are_stored_harmlessly(browser):
    cases = [
        ("account.updated", {"id": "acct_nobody", "charges_enabled": True}, "unknown account"),
        (
            "checkout.session.completed",
            {"id": "cs_test_nobody", "payment_status": "paid"},
            "unknown session",
        ),
        ("checkout.session.expired", {"id": "cs_test_nobody"}, "unknown session"),
        ("charge.refunded", {"id": "ch_nobody", "amount_refunded": 100}, "unknown charge"),
        ("account.application.deauthorized", {"id": "ca_1"}, "unknown account"),
    ]
    for i, (kind, obj, outcome) in enumerate(cases):
        response = post_event(
            browser, event(kind, obj, event_id=f"evt_u{i}", account="acct_nobody")
        )
        assert response.status_code == 200, kind
        assert StripeEvent.objects.get(event_id=f"evt_u{i}").outcome == outcome


def test_deauthorized_marks_the_account_disconnected(browser, tenant):
    ConnectedAccount.objects.create(
        workspace=tenant.workspace,
        stripe_account_id="acct_gone",
        details_submitted=True,
        charges_enabled=True,
    )
    post_event(
        browser,
        event(
            "account.application.deauthorized",
            {"id": "ca_x", "object": "application"},
            account="acct_gone",
        ),
    )
    account = ConnectedAccount.objects.get()
    assert account.disconnected_at is not None and not account.ready


@pytest.mark.django_db(transaction=True)
def test_the_endpoint_answers_at_once_and_the_real_worker_processes_the_event(
    sandbox, tenant, settings
):
    """With the durable task backend the event is stored and queued; the worker applies it."""
    from django.core.management import call_command

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }
    account = _sandbox_account(sandbox, tenant, onboarded=True)
    body = _account_event(
        account.stripe_account_id, "evt_queued", details_submitted=True, charges_enabled=True
    )
    assert post_event(HttpClient(), body).status_code == 200
    assert post_event(HttpClient(), body).status_code == 200  # a repeat while queued
    stored = StripeEvent.objects.get(event_id="evt_queued")
    assert stored.processed_at is None and stored.deliveries == 2
    assert not ConnectedAccount.objects.get().ready
    call_command(
        "db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", "--no-reload", "-v", "0"
    )
    stored.refresh_from_db()
    assert stored.processed_at is not None and stored.outcome == "account updated"
    assert ConnectedAccount.objects.get().ready
