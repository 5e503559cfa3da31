"""Nothing stuck: background work that talks to Stripe retries, then ends where a person sees it;
events of the other mode (test vs live) are stored and ignored."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from secportal.invoicing.models import Invoice
from secportal.notifications.models import EmailMessage
from secportal.payments import checkout, tasks
from secportal.payments.models import CheckoutAttempt, ConnectedAccount, Payment, StripeEvent

from ..conftest import signed_in
from .conftest import URLS, onboarded_tenant
from .webhooks import event, post_event

NOW = datetime.timedelta(0)


def pay_twice(sandbox, tenant) -> None:
    """Two tabs, two sessions, both paid: the second payment is a duplicate to refund."""
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    first = CheckoutAttempt.objects.get()
    CheckoutAttempt.objects.filter(pk=first.pk).update(status="abandoned")
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    second = CheckoutAttempt.objects.exclude(pk=first.pk).get()
    assert sandbox.pay(first.session_id)["outcome"] == "succeeded"
    assert sandbox.pay(second.session_id)["outcome"] == "succeeded"
    assert sandbox.drain(timeout=10)


def refunds_made(sandbox) -> list[dict]:
    return sandbox.objects("refund")


@pytest.mark.django_db(transaction=True)
def test_double_payment_refund_failing_twice_then_succeeding_is_one_refund_and_no_alert(
    sandbox, settings
):
    settings.STRIPE_RETRY_DELAYS = [0, 0, 0, 0]
    tenant = onboarded_tenant(sandbox)
    # The SDK itself retries a 500 twice (3 requests a try): 6 errors make two tries fail.
    sandbox.set_faults(error_count=6, error_status=500, path="/v1/refunds$", method="POST")
    pay_twice(sandbox, tenant)
    duplicate = Payment.objects.get(duplicate=True)
    assert 1 <= duplicate.auto_refund_attempts <= 3 and duplicate.auto_refund_failed_at is None
    assert len(refunds_made(sandbox)) == 1
    assert duplicate.refunded_amount == duplicate.amount  # Stripe's charge.refunded applied
    assert not EmailMessage.objects.filter(kind="auto_refund_failed").exists()


@pytest.mark.django_db(transaction=True)
def test_double_payment_refund_failing_for_good_alerts_the_owners(sandbox, settings):
    settings.STRIPE_RETRY_DELAYS = [0, 0]
    tenant = onboarded_tenant(sandbox)
    sandbox.set_faults(error_count=50, error_status=500, path="/v1/refunds$", method="POST")
    pay_twice(sandbox, tenant)
    sandbox.clear_faults()
    duplicate = Payment.objects.get(duplicate=True)
    assert duplicate.auto_refund_attempts == 3 and duplicate.auto_refund_failed_at is not None
    assert refunds_made(sandbox) == []
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert "could not be refunded automatically" in invoice.attention
    alerts = EmailMessage.objects.filter(kind="auto_refund_failed")
    assert {m.to for m in alerts} == {tenant.owner.email, tenant.admin.email}
    assert all(m.invoice_id == invoice.pk for m in alerts)
    assert "refund it in your Stripe Dashboard" in alerts[0].body_text


@pytest.mark.django_db
def test_a_malformed_signed_event_is_recorded_then_dead_lettered(settings):
    settings.STRIPE_RETRY_DELAYS = [0, 0]
    # Signed with our secret, but the session has no id: processing cannot apply it.
    body = event("checkout.session.completed", {"payment_status": "paid"}, event_id="evt_bad")
    assert post_event(HttpClient(), body).status_code == 200  # stored and acknowledged
    stored = StripeEvent.objects.get(event_id="evt_bad")
    assert stored.processed_at is None and stored.attempts == 1
    assert stored.error.startswith("KeyError") and not stored.dead_lettered
    assert tasks.requeue_unprocessed_events(older_than=NOW) == 1
    assert tasks.requeue_unprocessed_events(older_than=NOW) == 1
    stored.refresh_from_db()
    assert stored.attempts == 3 and stored.dead_lettered
    # Dead-lettered: left for an operator, never requeued by itself.
    assert tasks.requeue_unprocessed_events(older_than=NOW) == 0


@pytest.mark.django_db
def test_a_failed_event_waits_for_its_backoff(settings):
    settings.STRIPE_RETRY_DELAYS = [3600]
    body = event("checkout.session.completed", {"payment_status": "paid"}, event_id="evt_wait")
    post_event(HttpClient(), body)
    assert StripeEvent.objects.get(event_id="evt_wait").attempts == 1
    assert tasks.requeue_unprocessed_events(older_than=NOW) == 0  # an hour to wait


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "livemode"), [("sk_live_secportal", False), ("sk_test_secportal", True)]
)
def test_events_of_the_other_mode_are_stored_and_ignored(tenant, settings, key, livemode):
    settings.STRIPE_SECRET_KEY = key
    ConnectedAccount.objects.create(workspace=tenant.workspace, stripe_account_id="acct_mode")
    body = event(
        "account.application.deauthorized",
        {"id": "ca_1", "object": "application"},
        event_id="evt_mode",
        account="acct_mode",
    )
    body["livemode"] = livemode
    assert post_event(HttpClient(), body).status_code == 200
    stored = StripeEvent.objects.get(event_id="evt_mode")
    assert stored.processed_at is not None and stored.outcome.startswith("ignored")
    assert ConnectedAccount.objects.get().disconnected_at is None


@pytest.mark.django_db
def test_an_operator_reprocesses_a_dead_lettered_event_from_the_admin(settings, admin_user):
    settings.STRIPE_RETRY_DELAYS = []  # one try, then the dead-letter list
    body = event("checkout.session.completed", {"payment_status": "paid"}, event_id="evt_dl")
    post_event(HttpClient(), body)
    stored = StripeEvent.objects.get(event_id="evt_dl")
    assert stored.dead_lettered
    operator = signed_in(admin_user)  # the admin needs two-factor
    changelist = reverse("admin:payments_stripeevent_changelist")
    listing = operator.get(changelist + "?processing=dead").content.decode()
    assert "evt_dl" in listing
    response = operator.post(
        changelist,
        {"action": "reprocess", "_selected_action": [stored.pk]},
        follow=True,
    )
    assert "1 event(s) queued for processing again." in response.content.decode()
    stored.refresh_from_db()  # processed again at once (still malformed: one more failure)
    assert stored.attempts == 1 and stored.dead_lettered and stored.error.startswith("KeyError")
