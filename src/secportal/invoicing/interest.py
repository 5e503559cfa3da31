"""Statutory interest on late payment (issue 17, 5): the Late Payment of Commercial Debts
(Interest) Act 1998, an option per workspace (``Workspace.late_payment_interest``).

* Interest: simple, daily, on the overdue balance (``Invoice.balance_due``), from the day after
  the due date to today, at the *reference rate* plus 8% a year; the reference rate of each
  half-year is the Bank of England base rate in force on the 31 December or 30 June before it
  (the setting ``BOE_BASE_RATES``: (effective date, % a year) pairs).
* Fixed compensation per debt: £40 below £1,000, £70 below £10,000, £100 from £10,000.

Only sterling invoices (the Act's sums are in pounds). Nothing is added to the invoice: the
reminder states the figures, and the owner may issue a separate invoice for them
(``interest_invoices.invoice_late_interest``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from secportal.core.money import format_money

from .models import PAYABLE, Invoice

STATUTORY_MARGIN = Decimal(8)  # % a year above the reference rate
#: (a debt below this, in pence: compensation in pence); the last applies to any larger debt.
COMPENSATION = ((100_000, 4_000), (1_000_000, 7_000), (None, 10_000))


def base_rate_on(day: datetime.date) -> Decimal:
    """The Bank of England base rate (% a year) in force on ``day`` (``BOE_BASE_RATES``)."""
    rate = Decimal(0)
    for effective, percent in sorted(settings.BOE_BASE_RATES):
        if datetime.date.fromisoformat(effective) <= day:
            rate = Decimal(percent)
    return rate


def reference_rate(day: datetime.date) -> Decimal:
    """The Act's reference rate for ``day``: the base rate on the 31 December (for January to
    June) or 30 June (for July to December) before it."""
    fixed_on = (
        datetime.date(day.year - 1, 12, 31) if day.month <= 6 else datetime.date(day.year, 6, 30)
    )
    return base_rate_on(fixed_on)


def compensation(debt: int) -> int:
    for below, amount in COMPENSATION:
        if below is None or debt < below:
            return amount
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class LateInterest:
    debt: int  # pence: the overdue balance
    days: int
    interest: int  # pence, rounded half up once, at the end
    compensation: int  # pence
    rates: tuple[Decimal, ...]  # the yearly rates (reference + 8%) over the days, in order

    @property
    def total(self) -> int:
        return self.interest + self.compensation

    @property
    def rate_words(self) -> str:
        return " then ".join(f"{rate:.2f}%" for rate in self.rates)

    def text(self, currency: str = "GBP") -> str:
        return (
            "Under the Late Payment of Commercial Debts (Interest) Act 1998, statutory interest "
            f"of {format_money(self.interest, currency)} has accrued so far on the overdue "
            f"{format_money(self.debt, currency)} ({self.days} day{'s' if self.days != 1 else ''}"
            f" at {self.rate_words} a year: the Bank of England reference rate plus 8%), and "
            f"fixed compensation of {format_money(self.compensation, currency)} is due."
        )


def late_interest(debt: int, due: datetime.date, today: datetime.date) -> LateInterest | None:
    """Interest and compensation on ``debt`` pence due on ``due``, as of ``today``."""
    if debt <= 0 or today <= due:
        return None
    total = Decimal(0)
    rates: list[Decimal] = []
    day = due + datetime.timedelta(days=1)
    while day <= today:
        rate = reference_rate(day) + STATUTORY_MARGIN
        if not rates or rates[-1] != rate:
            rates.append(rate)
        total += Decimal(debt) * rate / Decimal(100) / Decimal(365)
        day += datetime.timedelta(days=1)
    interest = int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return LateInterest(debt, (today - due).days, interest, compensation(debt), tuple(rates))


def for_invoice(invoice: Invoice, today: datetime.date) -> LateInterest | None:
    """The statutory figures of an overdue sterling invoice, where the workspace claims them."""
    if not (
        invoice.workspace.late_payment_interest
        and invoice.currency == "GBP"
        and invoice.status in PAYABLE
        and invoice.due_date is not None
    ):
        return None
    return late_interest(invoice.balance_due, invoice.due_date, today)
