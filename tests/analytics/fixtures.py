"""A hand-computed fixture for the dashboard: every figure in the tests is worked out below.

Workspace in Australia/Sydney (AEDT +11 until 5 April 2026 03:00, then AEST +10).
"Today" is Wednesday 15 April 2026 in Sydney; "now" is 2026-04-15 02:00 UTC (12:00 in Sydney).

Payments (non-duplicate), with the Sydney date that decides their month:

  GBP P1  Acme    1,000.00 fee 40.00 sent 20 Mar, paid 2026-03-31 14:30 UTC = 1 Apr Sydney (12 days)
  GBP P2  Beta      500.00 fee 20.00 sent 1 Mar, paid 2026-03-31 12:00 UTC = 31 Mar Sydney (30 days)
  GBP P3  Acme    2,000.00 fee 80.00 sent 10 Jan, paid 10 Feb (31 days);
                                     refunded 500.00 (fee 20.00) on 10 Apr
  GBP P4  Cobalt    300.00 fee 12.00 sent 1 Apr, paid 5 Apr (4 days); fully refunded 12 Apr
  GBP P5  Beta      700.00 fee 28.00 paid 20 Apr 2025 (before the 12-month window)
  GBP P6  Beta      400.00 fee 16.00 sent 25 Apr 2025,
                                     paid 2025-04-30 15:00 UTC = 1 May Sydney (6 days)
  EUR E1  Acme      800.00 fee 32.00 sent 1 Feb, paid 15 Mar (42 days);
                                     refunded 200.00 (fee 8.00) on 1 Apr
  EUR E2  Beta      600.00 fee 24.00 sent 1 Apr, paid 8 Apr (7 days)
  USD U1  Cobalt    250.00 fee 10.00 sent 30 Mar, paid 2026-04-14 13:00 UTC = 14 Apr (15 days)
  GBP D   Acme  a duplicate 1,000.00 of P1's invoice on 2 Apr, refunded on 3 Apr: never counts.

Outstanding GBP invoices (Beta unless noted), ageing by due date against 15 Apr:
  10.01 due 15 Apr (current) · 12.56 due 1 May (current) · 10.02 due 14 Apr (1 day: 1-30)
  10.04 due 16 Mar (30: 1-30) · 10.08 due 15 Mar (31: 31-60) · 10.16 due 14 Feb (60: 31-60)
  10.32 due 13 Feb (61: 61-90) · 10.64 due 15 Jan (90: 61-90, stored overdue)
  11.28 due 14 Jan (91: 90+, stored overdue; Acme, engagement "Acme web app")
Outstanding EUR: 90.00 due 30 Apr (current); 70.00 stored overdue, due 1 Mar (45 days: 31-60).
Outstanding USD: 30.00 due 20 Apr (current).
Also: a void GBP invoice of 50.00, and the tenant's own draft GBP invoice of 1,250.50.

Credit notes (``add_credits``, issue 15), all on paid invoices:
  GBP P1 (Acme, "Acme web app") credited 250.00, nothing refunded: 250.00 owed back
  GBP P3 (Acme) credited 300.00, already refunded 500.00: nothing owed back
  EUR E2 (Beta) credited 100.00, nothing refunded: 100.00 owed back
So: credits owed back GBP 250.00 (1 invoice), EUR 100.00 (1), USD none; invoiced drops by the
credits (Beta EUR 760.00 -> 660.00; Acme web app GBP 1,011.28 -> 761.28); revenue, outstanding
and ageing do not change (a credit note moves no money; refunds do, when made).
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from typing import Any

from secportal.clients.models import Client
from secportal.engagements.models import Engagement
from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.payments.models import Payment, Refund

from ..conftest import Tenant, make_tenant

UTC = datetime.UTC
_serial = itertools.count(1)  # unique numbers and ids across builders
TODAY = datetime.date(2026, 4, 15)
NOW = datetime.datetime(2026, 4, 15, 2, 0, tzinfo=UTC)


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@dataclass
class Builder:
    tenant: Tenant
    n: int = 0
    payments: dict[str, Payment] = field(default_factory=dict)

    @property
    def workspace(self) -> Any:
        return self.tenant.workspace

    def invoice(
        self,
        client: Client,
        amount: int,
        currency: str,
        status: str,
        *,
        due: datetime.date | None = None,
        sent_at: datetime.datetime | None = None,
        paid_at: datetime.datetime | None = None,
        engagement: Engagement | None = None,
    ) -> Invoice:
        self.n = next(_serial)
        return Invoice.objects.create(
            workspace=self.workspace,
            client=client,
            engagement=engagement,
            number=None if status == InvoiceStatus.DRAFT else f"T-{self.workspace.pk}-{self.n}",
            status=status,
            amount=amount,
            currency=currency,
            description="Fixture",
            issue_date=sent_at.date() if sent_at else None,
            due_date=due,
            sent_at=sent_at,
            paid_at=paid_at,
        )

    def paid(
        self,
        name: str,
        client: Client,
        amount: int,
        currency: str,
        fee: int,
        sent_at: datetime.datetime,
        paid_at: datetime.datetime,
        *,
        engagement: Engagement | None = None,
        invoice: Invoice | None = None,
        duplicate: bool = False,
    ) -> Payment:
        if invoice is None:
            invoice = self.invoice(
                client,
                amount,
                currency,
                InvoiceStatus.PAID,
                due=(sent_at + datetime.timedelta(days=30)).date(),
                sent_at=sent_at,
                paid_at=paid_at,
                engagement=engagement,
            )
        self.n = next(_serial)
        payment = Payment.objects.create(
            workspace=self.workspace,
            invoice=invoice,
            stripe_account_id="acct_fixture",
            checkout_session_id=f"cs_{self.workspace.pk}_{self.n}",
            charge_id=f"ch_{self.workspace.pk}_{self.n}",
            amount=amount,
            currency=currency,
            application_fee=fee,
            net=amount - fee,
            paid_at=paid_at,
            duplicate=duplicate,
        )
        self.payments[name] = payment
        return payment

    def refund(self, payment: Payment, amount: int, fee: int, at: datetime.datetime) -> Refund:
        self.n = next(_serial)
        payment.refunded_amount += amount
        payment.refunded_fee += fee
        payment.save(update_fields=["refunded_amount", "refunded_fee"])
        invoice = payment.invoice
        if not payment.duplicate:
            invoice.refunded_amount = payment.refunded_amount
            if payment.refunded_amount >= payment.amount:
                invoice.status = InvoiceStatus.REFUNDED
            invoice.save(update_fields=["refunded_amount", "status"])
        return Refund.objects.create(
            workspace=self.workspace,
            payment=payment,
            stripe_refund_id=f"re_{self.workspace.pk}_{self.n}",
            amount=amount,
            currency=payment.currency,
            fee_refunded=fee,
            refunded_at=at,
        )


def add_credits(fx: Fixture) -> None:
    """The credit notes of the module docstring, as the invoices' ``credited_amount``."""
    for name, amount in (("P1", 25000), ("P3", 30000), ("E2", 10000)):
        invoice = fx.builder.payments[name].invoice
        invoice.credited_amount = amount
        invoice.save(update_fields=["credited_amount"])


@dataclass
class Fixture:
    tenant: Tenant
    acme: Client
    beta: Client
    cobalt: Client
    acme_web: Engagement
    builder: Builder


def build(tenant: Tenant | None = None) -> Fixture:
    tenant = tenant or make_tenant("Harbour Security", timezone="Australia/Sydney")
    ws = tenant.workspace
    acme = Client.objects.create(workspace=ws, name="Acme", billing_email="ap@acme.example")
    beta = Client.objects.create(workspace=ws, name="Beta", billing_email="ap@beta.example")
    cobalt = Client.objects.create(workspace=ws, name="Cobalt", billing_email="ap@co.example")
    acme_web = Engagement.objects.create(workspace=ws, client=acme, name="Acme web app")
    b = Builder(tenant)

    p1 = b.paid(
        "P1",
        acme,
        100000,
        "GBP",
        4000,
        utc(2026, 3, 20, 10),
        utc(2026, 3, 31, 14, 30),
        engagement=acme_web,
    )
    b.paid("P2", beta, 50000, "GBP", 2000, utc(2026, 3, 1), utc(2026, 3, 31, 12))
    p3 = b.paid("P3", acme, 200000, "GBP", 8000, utc(2026, 1, 10), utc(2026, 2, 10))
    b.refund(p3, 50000, 2000, utc(2026, 4, 10))
    p4 = b.paid("P4", cobalt, 30000, "GBP", 1200, utc(2026, 4, 1), utc(2026, 4, 5, 3))
    b.refund(p4, 30000, 1200, utc(2026, 4, 12))
    b.paid("P5", beta, 70000, "GBP", 2800, utc(2025, 4, 1), utc(2025, 4, 20))
    b.paid("P6", beta, 40000, "GBP", 1600, utc(2025, 4, 25), utc(2025, 4, 30, 15))
    e1 = b.paid("E1", acme, 80000, "EUR", 3200, utc(2026, 2, 1), utc(2026, 3, 15))
    b.refund(e1, 20000, 800, utc(2026, 4, 1))
    b.paid("E2", beta, 60000, "EUR", 2400, utc(2026, 4, 1), utc(2026, 4, 8))
    b.paid("U1", cobalt, 25000, "USD", 1000, utc(2026, 3, 30), utc(2026, 4, 14, 13))
    dup = b.paid(
        "D",
        acme,
        100000,
        "GBP",
        4000,
        utc(2026, 3, 20, 10),
        utc(2026, 4, 2),
        invoice=p1.invoice,
        duplicate=True,
    )
    b.refund(dup, 100000, 4000, utc(2026, 4, 3))

    sent = utc(2026, 1, 1)
    d = datetime.date
    for amount, due, status, client, engagement in [
        (1001, d(2026, 4, 15), InvoiceStatus.SENT, beta, None),
        (1256, d(2026, 5, 1), InvoiceStatus.SENT, beta, None),
        (1002, d(2026, 4, 14), InvoiceStatus.SENT, beta, None),
        (1004, d(2026, 3, 16), InvoiceStatus.SENT, beta, None),
        (1008, d(2026, 3, 15), InvoiceStatus.SENT, beta, None),
        (1016, d(2026, 2, 14), InvoiceStatus.SENT, beta, None),
        (1032, d(2026, 2, 13), InvoiceStatus.SENT, beta, None),
        (1064, d(2026, 1, 15), InvoiceStatus.OVERDUE, beta, None),
        (1128, d(2026, 1, 14), InvoiceStatus.OVERDUE, acme, acme_web),
    ]:
        b.invoice(client, amount, "GBP", status, due=due, sent_at=sent, engagement=engagement)
    b.invoice(beta, 9000, "EUR", InvoiceStatus.SENT, due=d(2026, 4, 30), sent_at=sent)
    b.invoice(beta, 7000, "EUR", InvoiceStatus.OVERDUE, due=d(2026, 3, 1), sent_at=sent)
    b.invoice(cobalt, 3000, "USD", InvoiceStatus.SENT, due=d(2026, 4, 20), sent_at=sent)
    b.invoice(beta, 5000, "GBP", InvoiceStatus.VOID, due=d(2026, 2, 1), sent_at=sent)
    return Fixture(tenant, acme, beta, cobalt, acme_web, b)
