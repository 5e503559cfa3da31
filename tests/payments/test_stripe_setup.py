"""`secportal stripe-setup`: the Connect webhook endpoint, created once, at the pinned version,
with the app's event types; its secret is the one the app's events are then signed with."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from django.core.management import call_command

from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.payments import checkout, gateway, setup
from secportal.payments.models import CheckoutAttempt

from .conftest import URLS, onboarded_tenant

pytestmark = pytest.mark.django_db(transaction=True)


def run_setup(**options) -> str:
    out = io.StringIO()
    call_command("stripe_setup", stdout=out, **options)
    return out.getvalue()


def test_setup_creates_the_connect_endpoint_once_and_events_arrive_signed_with_it(
    sandbox, live_server, settings
):
    url = live_server.url + "/stripe/webhook/"
    printed = run_setup(url=url)
    secret = re.search(r"\(shown once\): (whsec_\S+)", printed).group(1)
    (endpoint,) = gateway.list_webhook_endpoints()
    assert endpoint["url"] == url and endpoint["application"]  # connect=true
    assert endpoint["api_version"] == gateway.API_VERSION
    assert sorted(endpoint["enabled_events"]) == setup.wanted_events()
    assert "checkout.session.completed" in endpoint["enabled_events"]
    # Again: nothing changes, no second endpoint, no secret shown.
    again = run_setup(url=url)
    assert "is set up" in again and "whsec_" not in again
    assert len(gateway.list_webhook_endpoints()) == 1
    # The app trusts only that endpoint's secret now: a payment still turns the invoice Paid.
    settings.STRIPE_WEBHOOK_SECRETS = [secret]
    tenant = onboarded_tenant(sandbox)
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    assert sandbox.pay(CheckoutAttempt.objects.get().session_id)["outcome"] == "succeeded"
    assert sandbox.drain(timeout=10)
    assert Invoice.objects.get(pk=tenant.invoice.pk).status == InvoiceStatus.PAID


def test_an_endpoint_that_differs_is_reported_then_replaced(sandbox, live_server):
    url = live_server.url + "/stripe/webhook/"
    gateway.create_webhook_endpoint(
        url=url,
        enabled_events=["checkout.session.completed"],
        connect=True,
        idempotency_key="old-endpoint",
    )
    with pytest.raises(Exception, match="does not send"):
        run_setup(url=url)
    printed = run_setup(url=url, replace=True)
    assert "Created the Connect webhook endpoint" in printed
    (endpoint,) = gateway.list_webhook_endpoints()
    assert sorted(endpoint["enabled_events"]) == setup.wanted_events()


def test_stripe_setup_help_works():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "secportal.settings.test"}
    result = subprocess.run(
        [sys.executable, "-m", "secportal.cli", "stripe-setup", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Connect webhook endpoint" in result.stdout and "--replace" in result.stdout
