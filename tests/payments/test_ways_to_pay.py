"""Ways to pay: the methods an owner offers, sent to Checkout as endive's
allowed_payment_method_types for the invoice's currency; a bank debit that clears later turns
the invoice Paid only on Stripe's word; bank transfers use the client's one Stripe Customer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.payments import checkout, methods
from secportal.payments.models import CheckoutAttempt, StripeCustomer
from stripe_sandbox.forms import decode, plain

from ..conftest import signed_in
from .conftest import URLS, onboarded_tenant
from .conftest import session_creates as checkout_requests

pytestmark = pytest.mark.django_db(transaction=True)


def session_creates(sandbox) -> list[dict]:
    """The decoded form of each Checkout Session the app asked for."""
    return [plain(decode(r["body"])) for r in checkout_requests(sandbox)]


def test_owner_chooses_ways_to_pay_in_settings_and_members_cannot(tenant):
    owner, member = signed_in(tenant.owner), signed_in(tenant.member)
    page = owner.get(reverse("workspaces:settings")).content.decode()
    assert "Ways to pay" in page and "Bacs Direct Debit" in page and "capped at £4" in page
    url = reverse("payments:methods")
    assert member.post(url, {"methods": ["bacs_debit"]}).status_code == 403
    response = owner.post(url, {"methods": ["card", "bacs_debit", "customer_balance"]}, follow=True)
    assert "Clients can now pay by: Card, Bacs Direct Debit, Bank transfer." in (
        response.content.decode()
    )
    assert methods.methods_for(tenant.workspace, "GBP") == [
        "card",
        "bacs_debit",
        "customer_balance",
    ]
    assert methods.methods_for(tenant.workspace, "USD") == ["card", "customer_balance"]
    refused = owner.post(url, {}, follow=True).content.decode()
    assert "Offer at least one way to pay." in refused
    assert methods.offered(tenant.workspace) == ["card", "bacs_debit", "customer_balance"]


def test_a_bacs_debit_is_paid_only_when_it_clears(sandbox):
    tenant = onboarded_tenant(sandbox)
    methods.set_payment_methods(tenant.workspace.pk, tenant.owner, ["card", "bacs_debit"])
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    (create,) = session_creates(sandbox)
    assert create["allowed_payment_method_types"] == ["card", "bacs_debit"]
    attempt = CheckoutAttempt.objects.get()
    outcome = sandbox.pay(
        attempt.session_id,
        payment_method="bacs_debit",
        sort_code="108800",
        account_number="00012345",
    )
    assert outcome["outcome"] == "processing"
    assert sandbox.drain(timeout=10)
    # The session is complete but unpaid: Stripe has not said the money arrived.
    assert Invoice.objects.get(pk=tenant.invoice.pk).status == InvoiceStatus.SENT
    sandbox.control("POST", "clock", {"advance": 3600})
    assert sandbox.drain(timeout=10)
    assert Invoice.objects.get(pk=tenant.invoice.pk).status == InvoiceStatus.PAID


def test_bank_transfers_use_one_customer_per_client(sandbox):
    tenant = onboarded_tenant(sandbox)
    methods.set_payment_methods(tenant.workspace.pk, tenant.owner, ["card", "customer_balance"])
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    customer = StripeCustomer.objects.get(client=tenant.client)
    (create,) = session_creates(sandbox)
    assert create["customer"] == customer.customer_id
    assert "customer_email" not in create
    transfer = create["payment_method_options"]["customer_balance"]
    assert transfer["bank_transfer"]["type"] == "gb_bank_transfer"
    # Another invoice of the same client reuses the customer.
    from secportal.invoicing.services import create_invoice, send_invoice

    second = create_invoice(
        tenant.workspace,
        tenant.owner,
        {"client": tenant.client, "amount": 5000, "currency": "GBP", "description": "More"},
    )
    send_invoice(second.pk, tenant.admin)
    checkout.start_checkout(second.pk, **URLS)
    assert StripeCustomer.objects.count() == 1
    assert len(sandbox.objects("customer")) == 1


def test_checkout_formats_as_the_workspace_does(sandbox):
    tenant = onboarded_tenant(sandbox)
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    (create,) = session_creates(sandbox)
    assert tenant.workspace.locale == "en_GB" and create["locale"] == "en-GB"
