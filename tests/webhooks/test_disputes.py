"""invoice.disputed over the sandbox: Stripe opens a dispute on a paid invoice's charge, and the
endpoint that chose the event receives it, signed."""

from __future__ import annotations

import pytest

from secportal.payments import checkout
from secportal.payments.models import CheckoutAttempt, Payment
from secportal.webhooks import services, signing

from ..payments.conftest import URLS, onboarded_tenant
from .test_done_when import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dispute_opened_at_stripe_reaches_the_endpoint(sandbox, receiver):
    tenant = onboarded_tenant(sandbox)
    made = services.create_endpoint(
        tenant.workspace, tenant.owner, url=receiver.url, events=["invoice.disputed"]
    )
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    assert sandbox.pay(CheckoutAttempt.objects.get().session_id)["outcome"] == "succeeded"
    assert sandbox.drain(timeout=10)
    payment = Payment.objects.get()
    opened = sandbox.control(
        "POST", f"charges/{payment.charge_id}/dispute", {"reason": "product_not_received"}
    )
    assert sandbox.drain(timeout=10)
    assert wait_for(lambda: receiver.received)
    [got] = receiver.received  # only the chosen event: not sent, not paid
    assert signing.verify(made.secret, got.headers[signing.HEADER], got.body)
    dispute = got.json["data"]["object"]
    assert got.json["type"] == "invoice.disputed" and dispute["id"] == opened["id"]
    assert dispute["invoice"] == str(tenant.invoice.public_id)
    assert dispute["reason"] == "product_not_received" and dispute["amount"] == payment.amount
