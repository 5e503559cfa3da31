"""Disputes (chargebacks), as Stripe tells them: the invoice is flagged for owners and admins,
the client sees nothing new, and a lost dispute lowers revenue in the month it closes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from secportal.analytics import selectors as analytics
from secportal.invoicing.models import Invoice, InvoiceEvent, InvoiceStatus
from secportal.payments import checkout
from secportal.payments.models import CheckoutAttempt, Dispute, DisputeStatus, Payment
from secportal.portal.selectors import home_sections

from ..conftest import signed_in
from .conftest import URLS, onboarded_tenant

pytestmark = pytest.mark.django_db(transaction=True)


def paid(sandbox):
    tenant = onboarded_tenant(sandbox)
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    assert sandbox.pay(CheckoutAttempt.objects.get().session_id)["outcome"] == "succeeded"
    assert sandbox.drain(timeout=10)
    return tenant, Payment.objects.get()


def test_a_dispute_opened_then_lost_flags_the_invoice_and_lowers_revenue(sandbox):
    tenant, payment = paid(sandbox)
    period = analytics.preset_period("this_month", tenant.workspace.today())
    before = analytics.dashboard(tenant.workspace, period, tenant.workspace.today())
    assert before.currencies[0].revenue == payment.amount

    opened = sandbox.control(
        "POST", f"charges/{payment.charge_id}/dispute", {"reason": "product_not_received"}
    )
    assert sandbox.drain(timeout=10)
    dispute = Dispute.objects.get()
    assert dispute.stripe_dispute_id == opened["id"] and dispute.is_open
    assert dispute.amount == payment.amount and dispute.reason == "product_not_received"
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert invoice.status == InvoiceStatus.PAID  # Paid, and disputed
    page = signed_in(tenant.admin).get(reverse("invoicing:detail", args=[invoice.public_id]))
    text = page.content.decode()
    assert "Disputed" in text and "product not received" in text and "£1,250.50" in text
    assert "Disputed by the client&#x27;s bank" in text  # the history
    # A member sees the invoice, not the notice meant for owners and admins.
    member_page = signed_in(tenant.member).get(
        reverse("invoicing:detail", args=[invoice.public_id])
    )
    assert "Respond with evidence" not in member_page.content.decode()

    sandbox.control("POST", f"disputes/{opened['id']}/close", {"outcome": "lost"})
    assert sandbox.drain(timeout=10)
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.LOST and dispute.closed_at is not None
    assert InvoiceEvent.objects.filter(invoice=invoice, kind="dispute_lost").count() == 1
    after = analytics.dashboard(tenant.workspace, period, tenant.workspace.today())
    figures = after.currencies[0]
    assert figures.disputes_lost == payment.amount and figures.revenue == 0
    assert figures.monthly[-1].revenue == 0  # the month it closed
    money = analytics.money_of(tenant.workspace, tenant.workspace.today(), client=tenant.client)
    assert money[0].collected == 0


def test_a_won_dispute_changes_no_revenue_and_late_events_change_nothing(sandbox):
    tenant, payment = paid(sandbox)
    opened = sandbox.control("POST", f"charges/{payment.charge_id}/dispute", {})
    sandbox.control("POST", f"disputes/{opened['id']}/close", {"outcome": "won"})
    assert sandbox.drain(timeout=10)
    dispute = Dispute.objects.get()
    assert dispute.status == DisputeStatus.WON
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    kinds = list(InvoiceEvent.objects.filter(invoice=invoice).values_list("kind", flat=True))
    assert kinds.count("dispute_opened") == 1 and kinds.count("dispute_won") == 1
    period = analytics.preset_period("this_month", tenant.workspace.today())
    figures = analytics.dashboard(tenant.workspace, period, tenant.workspace.today())
    assert figures.currencies[0].revenue == payment.amount
    # The client's portal says nothing new about it.
    sections = home_sections(tenant.contact)
    assert "dispute" not in repr(sections).lower()
