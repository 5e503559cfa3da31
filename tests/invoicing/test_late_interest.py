"""Late-payment interest (issue 17, 5): the Act's reference rate + 8%, simple daily interest and
fixed compensation, hand-computed for three debts; stated in reminders; invoiced separately."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from secportal.invoicing import interest
from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.invoicing.reminders import send_due_reminders
from secportal.notifications.models import EmailMessage

from ..conftest import make_tenant, signed_in

# The base rate was 4% until 30 April 2026, then 5%: so the reference rate is 4% for the first
# half of 2026 (the rate on 31 December 2025) and 5% for the second (the rate on 30 June 2026).
RATES = [("2025-01-01", "4.00"), ("2026-05-01", "5.00")]
D = datetime.date


@override_settings(BOE_BASE_RATES=RATES)
@pytest.mark.parametrize(
    ("debt", "due", "today", "interest_pence", "compensation_pence"),
    [
        # £500.00, 30 days at 12%: 50000 * 0.12 * 30 / 365 = 493.15… → £4.93; below £1,000: £40.
        (50_000, D(2026, 3, 1), D(2026, 3, 31), 493, 4_000),
        # £5,000.00 due 20 June: 10 days at 12% (21-30 June), 10 at 13% (1-10 July):
        # 500000 * (0.12 * 10 + 0.13 * 10) / 365 = 3424.66 → £34.25; below £10,000: £70.
        (500_000, D(2026, 6, 20), D(2026, 7, 10), 3_425, 7_000),
        # £12,000.00 due 31 December 2025, 31 days of January at 12%:
        # 1200000 * 0.12 * 31 / 365 = 12230.14 → £122.30; £10,000 or more: £100.
        (1_200_000, D(2025, 12, 31), D(2026, 1, 31), 12_230, 10_000),
    ],
)
def test_three_debts_hand_computed(debt, due, today, interest_pence, compensation_pence):
    figures = interest.late_interest(debt, due, today)
    assert figures is not None
    assert (figures.interest, figures.compensation) == (interest_pence, compensation_pence)
    assert figures.days == (today - due).days


@override_settings(BOE_BASE_RATES=RATES)
def test_reference_rates_boundaries_and_nothing_before_due():
    assert interest.reference_rate(D(2026, 6, 30)) == Decimal("4.00")
    assert interest.reference_rate(D(2026, 7, 1)) == Decimal("5.00")
    assert interest.late_interest(50_000, D(2026, 3, 1), D(2026, 3, 1)) is None
    assert [interest.compensation(d) for d in (99_999, 100_000, 999_999, 1_000_000)] == [
        4_000,
        7_000,
        7_000,
        10_000,
    ]


def overdue(tenant, *, due: datetime.date, amount: int = 50_000) -> Invoice:
    return Invoice.objects.create(
        workspace=tenant.workspace,
        client=tenant.client,
        amount=amount,
        currency="GBP",
        description="Pentest",
        status=InvoiceStatus.OVERDUE,
        number="INV-0100",
        issue_date=due - datetime.timedelta(days=30),
        due_date=due,
    )


@override_settings(BOE_BASE_RATES=RATES)
@pytest.mark.django_db
def test_the_reminder_states_the_interest_and_the_owner_invoices_it_in_one_click():
    tenant = make_tenant("Redline Security", late_payment_interest=True)
    today = tenant.workspace.today()
    invoice = overdue(tenant, due=today - datetime.timedelta(days=3))
    now = datetime.datetime.combine(today, datetime.time(12), datetime.UTC)
    assert send_due_reminders(now=now) == 1  # the default schedule's "3 days after due"
    figures = interest.for_invoice(invoice, today)
    assert figures is not None and figures.compensation == 4_000
    [reminder] = EmailMessage.objects.filter(kind="reminder")
    assert "Late Payment of Commercial Debts (Interest) Act 1998" in reminder.body_text
    assert f"£{figures.interest / 100:.2f} has accrued so far" in reminder.body_text
    assert "fixed compensation of £40.00 is due" in reminder.body_html
    admin = signed_in(tenant.admin)
    page = admin.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()
    assert "Invoice late-payment interest" in page
    url = reverse("invoicing:invoice_interest", args=[invoice.public_id])
    admin.post(url)
    admin.post(url)  # a second click: the same draft
    [draft] = Invoice.objects.filter(status=InvoiceStatus.DRAFT, description__contains="INV-0100")
    assert draft.amount == figures.interest + 4_000 and draft.client_id == invoice.client_id
    assert Invoice.objects.get(pk=invoice.pk).amount == 50_000  # nothing added to the invoice


@pytest.mark.django_db
def test_off_by_default_and_the_setting_is_under_reminders(tenant):
    today = tenant.workspace.today()
    invoice = overdue(tenant, due=today - datetime.timedelta(days=10))
    assert interest.for_invoice(invoice, today) is None
    owner = signed_in(tenant.owner)
    assert "Late payment interest" in owner.get(reverse("workspaces:settings")).content.decode()
