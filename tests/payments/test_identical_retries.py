"""Identical retries: every retry of a checkout sends what the first try sent, whichever page the
payer retries from; a spent idempotency key never blocks an invoice."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from secportal.payments import checkout, gateway
from secportal.payments.models import AttemptStatus, CheckoutAttempt

from .conftest import onboarded_tenant, session_creates

pytestmark = pytest.mark.django_db(transaction=True)

PORTAL = {
    "success_url": "http://testserver/ok?session_id={CHECKOUT_SESSION_ID}",
    "cancel_url": "http://testserver/portal/invoices/1/",
}
PAY_LINK = {
    "success_url": "http://testserver/ok?session_id={CHECKOUT_SESSION_ID}",
    "cancel_url": "http://testserver/portal/pay/token/",
}


def test_a_timeout_from_the_portal_then_a_retry_from_the_pay_link_is_one_session(sandbox, settings):
    settings.STRIPE_TIMEOUT = 1
    tenant = onboarded_tenant(sandbox)
    sandbox.set_faults(
        timeout_count=3,
        timeout_seconds=2,
        timeout_after_processing=True,
        path="/v1/checkout/sessions$",
    )
    with pytest.raises(gateway.PaymentsUnavailable):
        checkout.start_checkout(tenant.invoice.pk, payer_email=tenant.contact.email, **PORTAL)
    sandbox.clear_faults()
    # The pay link has other return URLs and no signed-in contact: the stored request is sent.
    url = checkout.start_checkout(tenant.invoice.pk, **PAY_LINK)
    assert url.startswith(sandbox.url)
    assert len(sandbox.objects("checkout.session")) == 1
    attempt = CheckoutAttempt.objects.get()
    assert attempt.status == AttemptStatus.OPEN
    assert attempt.request["cancel_url"] == PORTAL["cancel_url"]
    assert attempt.request["customer_email"] == tenant.contact.email
    assert {r["idempotency_key"] for r in session_creates(sandbox)} == {attempt.idempotency_key}


def test_a_spent_key_abandons_the_attempt_and_the_next_one_opens_at_once(sandbox):
    tenant = onboarded_tenant(sandbox)
    attempt_key = f"checkout:{tenant.invoice.public_id}:1"
    account = tenant.workspace.connected_account.stripe_account_id
    # Someone used the first attempt's key with other parameters: Stripe answers
    # idempotency_error to our request under it for the next 24 hours.
    gateway.create_checkout_session(
        gateway.CheckoutRequest(
            account_id=account,
            invoice_public_id=str(tenant.invoice.public_id),
            workspace_public_ref="other",
            number="X",
            description="other",
            amount=999,
            currency="GBP",
            application_fee=1,
            customer_email="",
            success_url="http://testserver/ok",
            cancel_url="http://testserver/no",
            expires_at=int((timezone.now() + datetime.timedelta(hours=2)).timestamp()),
            idempotency_key=attempt_key,
        )
    )
    url = checkout.start_checkout(tenant.invoice.pk, **PORTAL)
    assert url.startswith(sandbox.url)
    first, second = CheckoutAttempt.objects.order_by("number")
    assert first.status == AttemptStatus.ABANDONED and first.session_id is None
    assert second.status == AttemptStatus.OPEN and second.idempotency_key.endswith(":2")


def test_a_replaced_open_session_is_expired_at_stripe(sandbox):
    tenant = onboarded_tenant(sandbox)
    checkout.start_checkout(tenant.invoice.pk, **PORTAL)
    old = CheckoutAttempt.objects.get()
    # The old session is too close to its end to hand out again: a new attempt replaces it.
    CheckoutAttempt.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() + datetime.timedelta(minutes=20)
    )
    checkout.start_checkout(tenant.invoice.pk, **PORTAL)
    old.refresh_from_db()
    # Abandoned, then Expired once Stripe's checkout.session.expired arrives.
    assert old.status in (AttemptStatus.ABANDONED, AttemptStatus.EXPIRED)
    session = gateway.retrieve_checkout_session(old.session_id, old.stripe_account_id)
    assert session["status"] == "expired"  # an old browser tab can no longer pay it
    assert CheckoutAttempt.objects.filter(status=AttemptStatus.OPEN).count() == 1


def test_a_stored_500_on_account_creation_does_not_block_connecting(sandbox):
    from secportal.payments import connect
    from secportal.payments.models import ConnectedAccount

    from ..conftest import make_tenant

    tenant = make_tenant()
    sandbox.set_faults(
        error_count=1, error_status=500, error_after_processing=True, path="/v1/accounts$"
    )
    with pytest.raises(gateway.PaymentsUnavailable):
        connect.connect_link(tenant.workspace.pk, tenant.owner)
    sandbox.clear_faults()
    assert not ConnectedAccount.objects.exists()
    # The next click uses a new key: the replayed 500 of the old one no longer answers.
    link = connect.connect_link(tenant.workspace.pk, tenant.owner)
    assert link.startswith(sandbox.url)
    account = ConnectedAccount.objects.get()
    keys = [
        r["idempotency_key"]
        for r in sandbox.requests()
        if r["method"] == "POST" and r["path"] == "/v1/accounts"
    ]
    assert keys[-1].endswith(":retry-1") and account.stripe_account_id


def test_the_payment_records_stripes_own_fee(sandbox):
    from .conftest import URLS

    tenant = onboarded_tenant(sandbox)
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    attempt = CheckoutAttempt.objects.get()
    assert sandbox.pay(attempt.session_id)["outcome"] == "succeeded"
    assert sandbox.drain(timeout=10)
    from secportal.payments.models import Payment

    payment = Payment.objects.get()
    intent = gateway.retrieve_payment_intent(payment.payment_intent_id, payment.stripe_account_id)
    assert payment.stripe_fee == intent["latest_charge"]["balance_transaction"]["fee"] > 0


def test_a_stored_500_on_checkout_moves_to_the_next_attempt_at_once(sandbox):
    tenant = onboarded_tenant(sandbox)
    # Stripe made a session, then answered 500 and stored that answer under the key.
    sandbox.set_faults(
        error_count=1,
        error_status=500,
        error_after_processing=True,
        path="/v1/checkout/sessions$",
        method="POST",
    )
    url = checkout.start_checkout(tenant.invoice.pk, **PORTAL)
    sandbox.clear_faults()
    assert url.startswith(sandbox.url)  # payable at once, from the next attempt
    first, second = CheckoutAttempt.objects.order_by("number")
    assert first.status == AttemptStatus.ABANDONED
    assert second.status == AttemptStatus.OPEN and second.url == url
    replayed = [r for r in session_creates(sandbox) if r.get("replayed")]
    assert replayed and all(r["idempotency_key"] == first.idempotency_key for r in replayed)
