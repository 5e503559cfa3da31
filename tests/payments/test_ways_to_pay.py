"""Ways to pay: the methods an owner offers, sent to Checkout as endive's
allowed_payment_method_types for the invoice's currency; a bank debit that clears later turns
the invoice Paid only on Stripe's word; bank transfers use the client's one Stripe Customer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from secportal.analytics import selectors as analytics
from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.notifications.models import EmailMessage
from secportal.payments import checkout, methods
from secportal.payments.models import CheckoutAttempt, Payment, StripeCustomer
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
    assert "Payment methods" in page and "Bacs Direct Debit" in page and "capped at £4" in page
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


def pay_by_bacs(sandbox, tenant, account_number: str) -> None:
    methods.set_payment_methods(tenant.workspace.pk, tenant.owner, ["card", "bacs_debit"])
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    (create,) = session_creates(sandbox)
    assert create["allowed_payment_method_types"] == ["card", "bacs_debit"]
    attempt = CheckoutAttempt.objects.get()
    outcome = sandbox.pay(
        attempt.session_id,
        payment_method="bacs_debit",
        sort_code="108800",
        account_number=account_number,
    )
    assert outcome["outcome"] == "processing"
    assert sandbox.drain(timeout=10)


def test_a_bacs_debit_is_processing_then_paid_when_it_clears(sandbox):
    tenant = onboarded_tenant(sandbox)
    pay_by_bacs(sandbox, tenant, "00012345")
    # Checkout completed unpaid: Processing, not payable, not overdue, no Pay button.
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert invoice.status == InvoiceStatus.PROCESSING
    assert invoice.processing_method == "Bacs Direct Debit" and invoice.processing_expected_on
    page = signed_in(tenant.owner).get(reverse("invoicing:detail", args=[invoice.public_id]))
    assert "Processing" in page.content.decode() and "usually clears by" in page.content.decode()
    from secportal.invoicing.services import mark_overdue

    assert mark_overdue() == 0  # not overdue while processing, whatever its due date
    figures = analytics.open_invoice_figures(tenant.workspace, tenant.workspace.today())
    assert figures["GBP"]["processing_count"] == 1
    assert figures["GBP"]["outstanding_amount"] == invoice.amount
    sandbox.control("POST", "clock", {"advance": 3600})
    assert sandbox.drain(timeout=10)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert not Payment.objects.filter(duplicate=True).exists()  # the awaited one, not a second


def test_a_bacs_debit_that_fails_makes_the_invoice_payable_again_and_says_so(sandbox):
    tenant = onboarded_tenant(sandbox)
    pay_by_bacs(sandbox, tenant, "33333335")  # Stripe's "fails" test account
    assert Invoice.objects.get(pk=tenant.invoice.pk).status == InvoiceStatus.PROCESSING
    sandbox.control("POST", "clock", {"advance": 3600})
    assert sandbox.drain(timeout=10)
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert invoice.status == InvoiceStatus.SENT and invoice.is_payable
    assert invoice.events.filter(kind="payment_failed").count() == 1
    client_email = EmailMessage.objects.get(kind="payment_failed")
    assert client_email.to == tenant.client.billing_email
    assert "did not go through" in client_email.subject and "Pay Invoice" in client_email.body_html
    owners = set(
        EmailMessage.objects.filter(kind="payment_failed_owner").values_list("to", flat=True)
    )
    assert owners == {tenant.owner.email, tenant.admin.email}
    # Paying again works at once: a new checkout attempt.
    assert checkout.start_checkout(tenant.invoice.pk, **URLS).startswith(sandbox.url)


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
