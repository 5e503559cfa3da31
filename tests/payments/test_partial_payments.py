"""Issue 16: partial payments (each part its own fee), payments recorded by hand, the balance due.

Paid through the sandbox over HTTP with the official SDK; parts racing on PostgreSQL.
"""

from __future__ import annotations

import datetime
import re
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from secportal.analytics import selectors as analytics
from secportal.core.fees import platform_fee
from secportal.invoicing import balances
from secportal.invoicing.models import Invoice, InvoiceStatus, RecordedPayment
from secportal.invoicing.services import InvoiceError, apply_payment, mark_overdue
from secportal.payments import checkout, methods
from secportal.payments.models import CheckoutAttempt, Payment

from ..conftest import signed_in
from .conftest import URLS, onboarded_tenant

pytestmark = pytest.mark.django_db(transaction=True)

TOTAL = 125050  # the tenant's invoice: £1,250.50


def partial_tenant(sandbox, minimum: int = 10):
    tenant = onboarded_tenant(sandbox)
    methods.set_partial_payments(
        tenant.workspace.pk, tenant.owner, allow=True, minimum_percent=minimum
    )
    return tenant


def pay_part(sandbox, tenant, amount: int | None) -> Payment:
    checkout.start_checkout(tenant.invoice.pk, amount=amount, **URLS)
    attempt = CheckoutAttempt.objects.filter(invoice=tenant.invoice).order_by("-number").first()
    assert attempt is not None
    outcome = sandbox.pay(attempt.session_id)
    assert outcome["outcome"] == "succeeded"
    assert sandbox.drain(timeout=10)
    return Payment.objects.get(checkout_session_id=attempt.session_id)


def test_parts_of_30_and_70_percent_each_carry_their_own_exact_fee(sandbox):
    tenant = partial_tenant(sandbox)
    bps = tenant.workspace.fee_bps
    first = pay_part(sandbox, tenant, 37515)
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert (invoice.status, invoice.paid_amount, invoice.balance_due) == (
        InvoiceStatus.PARTIALLY_PAID,
        37515,
        87535,
    )
    assert invoice.shown_status_label(invoice.workspace.today()) == "Partially paid"
    assert first.application_fee == platform_fee(37515, bps)
    # The next session is for the balance, never the total.
    second = pay_part(sandbox, tenant, None)
    assert second.amount == 87535
    assert second.application_fee == platform_fee(87535, bps)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_due, invoice.paid_amount) == ("paid", 0, TOTAL)
    kinds = list(invoice.events.values_list("kind", flat=True))
    assert kinds.count("partially_paid") == 1 and kinds.count("paid") == 1
    figures = analytics.open_invoice_figures(tenant.workspace, tenant.workspace.today())
    assert figures["GBP"]["outstanding_amount"] == 0


def test_a_part_outside_the_rules_is_refused_with_the_rule_named(sandbox):
    tenant = partial_tenant(sandbox, minimum=20)
    for amount, words in (
        (1000, "A part payment is at least £250.10 (20% of the invoice)"),
        (TOTAL + 1, "At most the balance due, £1,250.50, can be paid."),
    ):
        with pytest.raises(InvoiceError, match=words.replace("(", r"\(").replace(")", r"\)")):
            checkout.start_checkout(tenant.invoice.pk, amount=amount, **URLS)
    assert checkout.part_problem(tenant.invoice, 30000, "EUR") == (
        "Pay in the invoice's currency, GBP."
    )
    assert not CheckoutAttempt.objects.exists()
    # Without partial payments, only the balance can be paid.
    methods.set_partial_payments(tenant.workspace.pk, tenant.owner, allow=False, minimum_percent=20)
    with pytest.raises(InvoiceError, match="paid in full"):
        checkout.start_checkout(tenant.invoice.pk, amount=30000, **URLS)


def test_the_portal_offers_amount_to_pay_and_refuses_a_bad_part_beside_it(sandbox):
    from django.test import Client as HttpClient

    from secportal.invoicing.links import pay_link

    tenant = partial_tenant(sandbox)
    payer = HttpClient()
    page = payer.get(pay_link(tenant.invoice)).content.decode()
    assert "Amount to pay" in page and 'value="1250.50"' in page
    pay_url = re.search(r'<form method="post" action="([^"]+)" class="inline pay-form"', page)[1]
    refused = payer.post(pay_url, {"amount": "5.00"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'id="pay-amount-error"' in body and "A part payment is at least £125.05" in body
    assert payer.post(pay_url, {"amount": "€400"}).status_code == 400
    started = payer.post(pay_url, {"amount": "400.00"})
    assert started.status_code == 302 and started["Location"].startswith(sandbox.url)
    assert CheckoutAttempt.objects.get().amount == 40000


def test_a_recorded_bank_transfer_pays_off_the_balance_without_a_fee(sandbox):
    tenant = partial_tenant(sandbox)
    pay_part(sandbox, tenant, 50000)
    admin = signed_in(tenant.admin)
    detail = reverse("invoicing:detail", args=[tenant.invoice.public_id])
    page = admin.get(detail).content.decode()
    for words in ("Record payment", "Balance due", "Partially paid", "£750.50"):
        assert words in page, words
    url = reverse("invoicing:record_payment", args=[tenant.invoice.public_id])
    today = tenant.workspace.today().isoformat()
    form = {"amount": "750.51", "received_on": today, "method": "bank_transfer", "key": "r1"}
    refused = admin.post(url, form)
    assert refused.status_code == 400
    assert "a recorded payment cannot overpay the invoice" in refused.content.decode()
    future = (tenant.workspace.today() + datetime.timedelta(days=2)).isoformat()
    refused = admin.post(url, {**form, "amount": "750.50", "received_on": future})
    assert "The date cannot be in the future." in refused.content.decode()
    assert not RecordedPayment.objects.exists()
    form.update(amount="750.50", reference="BACS REF 4411")
    assert admin.post(url, form).status_code == 302
    assert admin.post(url, form).status_code == 302  # the same form again: one payment
    (recorded,) = RecordedPayment.objects.all()
    assert (recorded.amount, recorded.reference) == (75050, "BACS REF 4411")
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert (invoice.status, invoice.balance_due, invoice.paid_amount) == ("paid", 0, TOTAL)
    assert Payment.objects.count() == 1  # no Stripe payment, no fee for the recorded one
    today = tenant.workspace.today()
    board = analytics.dashboard(
        tenant.workspace, analytics.preset_period("last_30_days", today), today
    )
    (gbp,) = board.currencies
    assert (gbp.gross, gbp.fees_charged) == (50000, platform_fee(50000, tenant.workspace.fee_bps))
    assert (gbp.recorded.amount, gbp.recorded.count) == (75050, 1)  # apart from Stripe's
    assert (
        "Recorded payments"
        in signed_in(tenant.owner).get(reverse("analytics:dashboard")).content.decode()
    )
    # A member may not record; an admin may not delete; the owner deletes with a reason.
    assert signed_in(tenant.member).post(url, {**form, "key": "r2"}).status_code == 403
    delete = reverse("invoicing:delete_recorded_payment", args=[recorded.public_id])
    assert admin.post(delete, {"reason": "wrong"}).status_code == 403
    owner = signed_in(tenant.owner)
    owner.post(delete, {"reason": ""})
    assert RecordedPayment.objects.get().deleted_at is None  # a reason is required
    owner.post(delete, {"reason": "Recorded against the wrong invoice"})
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_due) == ("partially_paid", 75050)
    recorded.refresh_from_db()
    assert recorded.deleted_at and recorded.delete_reason == "Recorded against the wrong invoice"
    assert invoice.events.filter(kind="recorded_payment_deleted").count() == 1
    page = owner.get(detail).content.decode()
    assert "Recorded against the wrong invoice" in page


def test_overdue_applies_to_the_balance_of_a_partly_paid_invoice(sandbox):
    tenant = partial_tenant(sandbox)
    pay_part(sandbox, tenant, 50000)
    Invoice.objects.filter(pk=tenant.invoice.pk).update(
        due_date=tenant.workspace.today() - datetime.timedelta(days=3)
    )
    assert mark_overdue() == 1
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert invoice.status == InvoiceStatus.OVERDUE and invoice.balance_due == 75050
    figures = analytics.open_invoice_figures(tenant.workspace, tenant.workspace.today())
    assert figures["GBP"]["overdue_amount"] == 75050  # the balance, not the total


def test_two_parts_paid_past_the_balance_give_the_excess_back_automatically(sandbox):
    tenant = partial_tenant(sandbox)
    # Two payers open a page each (60% and 50%) and both pay before Stripe's webhooks arrive.
    checkout.start_checkout(tenant.invoice.pk, amount=75030, **URLS)
    checkout.start_checkout(tenant.invoice.pk, amount=62525, **URLS)
    first, second = CheckoutAttempt.objects.order_by("number")
    sandbox.set_faults(webhook_delay_rate=1.0, webhook_delay_seconds=0.5)
    assert sandbox.pay(first.session_id)["outcome"] == "succeeded"
    assert sandbox.pay(second.session_id)["outcome"] == "succeeded"
    assert sandbox.drain(timeout=15)
    sandbox.clear_faults()
    assert sandbox.drain(timeout=10)
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert (invoice.status, invoice.paid_amount, invoice.balance_due) == ("paid", TOTAL, 0)
    late = Payment.objects.filter(excess__gt=0).get()
    assert late.excess == 75030 + 62525 - TOTAL
    assert late.refunded_amount == late.excess  # given back at Stripe, automatically
    assert invoice.refunded_amount == 0  # the invoice itself was not refunded
    assert "more than the balance due" in invoice.attention


def test_a_part_paid_closes_the_pages_for_more_than_the_new_balance(sandbox):
    tenant = partial_tenant(sandbox)
    checkout.start_checkout(tenant.invoice.pk, amount=75030, **URLS)
    checkout.start_checkout(tenant.invoice.pk, amount=62525, **URLS)
    checkout.start_checkout(tenant.invoice.pk, amount=40000, **URLS)
    first, second, third = CheckoutAttempt.objects.order_by("number")
    assert sandbox.pay(first.session_id)["outcome"] == "succeeded"
    assert sandbox.drain(timeout=10)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == "expired"  # 62525 is more than the 50020 left
    assert third.status == "open"  # a part within the balance stays payable
    assert sandbox.pay(second.session_id)["outcome"] == "not_open"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions need PostgreSQL; SQLite serialises writers",
)
def test_parts_racing_on_postgresql_are_both_counted_and_never_overpay(tenant):
    from secportal.invoicing.services import send_invoice
    from tests.invoicing.conftest import connect_stripe

    connect_stripe(tenant)
    send_invoice(tenant.invoice.pk, tenant.admin)
    results: list[tuple[int, int]] = []
    barrier = threading.Barrier(2)

    def pay(amount: int) -> None:
        try:
            barrier.wait()
            _, excess = apply_payment(tenant.invoice.pk, amount=amount, paid_at=timezone.now())
            results.append((amount, excess))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(a,)) for a in (75030, 62525)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert invoice.paid_amount == TOTAL and invoice.balance_due == 0
    assert invoice.status == InvoiceStatus.PAID
    assert sum(amount - excess for amount, excess in results) == TOTAL
    assert sorted(excess for _, excess in results)[0] == 0
    assert sum(excess for _, excess in results) == 75030 + 62525 - TOTAL


def test_a_failed_debit_after_a_part_leaves_exactly_the_rest_owed(sandbox):
    tenant = partial_tenant(sandbox)
    pay_part(sandbox, tenant, 50000)
    methods.set_payment_methods(tenant.workspace.pk, tenant.owner, ["card", "bacs_debit"])
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    attempt = CheckoutAttempt.objects.order_by("-number").first()
    assert attempt is not None and attempt.amount == 75050
    outcome = sandbox.pay(
        attempt.session_id,
        payment_method="bacs_debit",
        sort_code="108800",
        account_number="33333335",
    )
    assert outcome["outcome"] == "processing"
    assert sandbox.drain(timeout=10)
    assert Invoice.objects.get(pk=tenant.invoice.pk).status == InvoiceStatus.PROCESSING
    with pytest.raises(Exception, match="bank debit for this invoice is on its way"):
        balances.record_payment(
            tenant.invoice.pk,
            tenant.admin,
            amount=100,
            received_on=tenant.workspace.today(),
            method="cheque",
            request_key="k",
        )
    sandbox.control("POST", "clock", {"advance": 3600})
    assert sandbox.drain(timeout=10)
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    assert (invoice.status, invoice.paid_amount, invoice.balance_due) == (
        "partially_paid",
        50000,
        75050,
    )


def test_a_bank_transfer_funded_in_two_parts_shows_its_instructions_then_is_paid(sandbox):
    """Issue 16, 3: Stripe's instructions on the portal invoice and its PDF; a part arrived
    lowers what is left to send; the invoice turns Paid when Stripe says all arrived."""
    import io

    import pypdf
    from django.test import Client as HttpClient

    from secportal.invoicing.links import pay_link
    from secportal.payments.models import StripeCustomer

    tenant = onboarded_tenant(sandbox)
    methods.set_payment_methods(tenant.workspace.pk, tenant.owner, ["card", "customer_balance"])
    checkout.start_checkout(tenant.invoice.pk, **URLS)
    attempt = CheckoutAttempt.objects.get()
    paid = sandbox.control(
        "POST",
        f"checkout/{attempt.session_id}/pay",
        {"payment_method": "customer_balance", "email": "ap@client.example"},
    )
    assert paid["outcome"] == "awaiting_funding"
    assert sandbox.drain(timeout=10)
    attempt.refresh_from_db()
    assert attempt.status == "awaiting_transfer" and attempt.payment_intent_id
    reference = paid["reference"]
    account_number = paid["instructions"]["financial_addresses"][0]["sort_code"]["account_number"]
    payer = HttpClient()
    url = pay_link(tenant.invoice)
    page = payer.get(url).content.decode()
    assert "Pay by bank transfer" in page and reference in page and account_number in page
    assert "£1,250.50" in page
    customer = StripeCustomer.objects.get().customer_id
    sandbox.control(
        "POST",
        f"customers/{customer}/fund",
        {"amount": 50000, "currency": "gbp", "reference": reference},
    )
    assert sandbox.drain(timeout=10)
    page = payer.get(url).content.decode()
    assert "Send <strong>£750.50</strong>" in page and "£500.00 of £1,250.50 received" in page
    pdf_url = re.search(r'href="([^"]+/pdf/)"', page)[1]
    pdf = pypdf.PdfReader(io.BytesIO(payer.get(pdf_url).content))
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert f"send £750.50 with the reference {reference}" in text and account_number in text
    invoice = Invoice.objects.get(pk=tenant.invoice.pk)
    # The part counts at once: Partially paid, the balance what is left to send.
    assert (invoice.status, invoice.paid_amount, invoice.balance_due) == (
        "partially_paid",
        50000,
        75050,
    )
    assert "Partially paid" in page and invoice.is_payable
    sandbox.control(
        "POST",
        f"customers/{customer}/fund",
        {"amount": 75050, "currency": "gbp", "reference": reference},
    )
    assert sandbox.drain(timeout=10)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_due, invoice.paid_amount) == ("paid", 0, TOTAL)
    paid = Payment.objects.get()
    assert (paid.amount, paid.excess) == (TOTAL, 0)  # the parts were not counted twice
    assert paid.application_fee == platform_fee(TOTAL, tenant.workspace.fee_bps)
    assert "Pay by bank transfer" not in payer.get(url).content.decode()
