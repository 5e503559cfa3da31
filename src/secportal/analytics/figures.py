"""The shapes of the dashboard's figures (filled by ``selectors``), and their JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from secportal.invoicing.models import InvoiceStatus
from secportal.workspaces.models import Workspace

from .periods import Period


@dataclass
class Tally:
    amount: int = 0
    count: int = 0

    def as_json(self) -> dict[str, int]:
        return {"amount": self.amount, "count": self.count}


AGEING_BUCKETS = [
    ("current", "Current (not yet due)"),
    ("1_30", "1-30 days past due"),
    ("31_60", "31-60 days past due"),
    ("61_90", "61-90 days past due"),
    ("90_plus", "More than 90 days past due"),
]
AGEING_SHORT = {
    "current": "Current",
    "1_30": "1-30",
    "31_60": "31-60",
    "61_90": "61-90",
    "90_plus": "90+",
}
STATUS_KEYS = [s.value for s in InvoiceStatus]


@dataclass
class MonthRevenue:
    month: datetime.date  # the first day of the month
    revenue: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"month": f"{self.month:%Y-%m}", "revenue": self.revenue}


@dataclass
class TopClient:
    public_id: str
    name: str
    revenue: int

    def as_json(self) -> dict[str, Any]:
        return {"client": self.public_id, "name": self.name, "revenue": self.revenue}


@dataclass
class CurrencyFigures:
    currency: str
    # In the chosen period:
    gross: int = 0
    refunds: int = 0
    disputes_lost: int = 0  # chargebacks lost in the period (the client's bank kept them)
    fees_charged: int = 0
    fees_refunded: int = 0
    payment_count: int = 0
    avg_days_to_pay: float | None = None
    top_clients: list[TopClient] = field(default_factory=list)
    # The chart's 12 months and this month:
    monthly: list[MonthRevenue] = field(default_factory=list)
    # As of today:
    outstanding: Tally = field(default_factory=Tally)
    overdue: Tally = field(default_factory=Tally)
    processing: Tally = field(default_factory=Tally)  # bank debits on their way (outstanding)
    ageing: dict[str, Tally] = field(
        default_factory=lambda: {k: Tally() for k, _ in AGEING_BUCKETS}
    )
    status_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUS_KEYS, 0))
    # Credit notes on paid invoices not yet refunded: money owed back to clients.
    credits_owed: Tally = field(default_factory=Tally)
    # In the chosen period, apart from Stripe's revenue: payments recorded by hand.
    recorded: Tally = field(default_factory=Tally)

    @property
    def revenue(self) -> int:
        return self.gross - self.refunds - self.disputes_lost

    @property
    def platform_fees(self) -> int:
        return self.fees_charged - self.fees_refunded

    @property
    def net(self) -> int:
        return self.revenue - self.platform_fees

    @property
    def this_month(self) -> int:
        return self.monthly[-1].revenue if self.monthly else 0

    @property
    def ageing_rows(self) -> list[tuple[str, str, Tally]]:
        return [(key, label, self.ageing[key]) for key, label in AGEING_BUCKETS]

    @property
    def active(self) -> bool:
        """Anything to show: a non-draft invoice, or money moved in the period or the 12 months."""
        non_draft = sum(n for s, n in self.status_counts.items() if s != InvoiceStatus.DRAFT)
        return bool(
            non_draft
            or self.gross
            or self.refunds
            or self.disputes_lost
            or any(m.revenue for m in self.monthly)
            or self.outstanding.count
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "revenue": self.revenue,
            "gross": self.gross,
            "refunds": self.refunds,
            "disputes_lost": self.disputes_lost,
            "platform_fees": self.platform_fees,
            "net": self.net,
            "payment_count": self.payment_count,
            "avg_days_to_pay": self.avg_days_to_pay,
            "top_clients": [c.as_json() for c in self.top_clients],
            "this_month_revenue": self.this_month,
            "monthly": [m.as_json() for m in self.monthly],
            "outstanding": self.outstanding.as_json(),
            "overdue": self.overdue.as_json(),
            "processing": self.processing.as_json(),
            "ageing": {key: tally.as_json() for key, tally in self.ageing.items()},
            "status_counts": self.status_counts,
            "credits_owed": self.credits_owed.as_json(),
        }


@dataclass
class Dashboard:
    workspace: Workspace
    today: datetime.date
    period: Period
    currencies: list[CurrencyFigures]
    status_counts: dict[str, int]

    @property
    def has_paid_invoices(self) -> bool:
        return bool(
            self.status_counts[InvoiceStatus.PAID] or self.status_counts[InvoiceStatus.REFUNDED]
        )

    @property
    def status_rows(self) -> list[dict[str, Any]]:
        """Counts by shown status: one row per status, a column per currency and the total."""
        return [
            {
                "status": status,
                "label": InvoiceStatus(status).label,
                "counts": [c.status_counts[status] for c in self.currencies],
                "total": self.status_counts[status],
            }
            for status in STATUS_KEYS
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.today.isoformat(),
            "timezone": self.workspace.timezone,
            "range": self.period.as_json(),
            "currencies": {c.currency: c.as_json() for c in self.currencies},
            "status_counts": self.status_counts,
        }


@dataclass
class PartyMoney:
    currency: str
    invoiced: int = 0
    collected: int = 0
    outstanding: int = 0
    overdue: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "invoiced": self.invoiced,
            "collected": self.collected,
            "outstanding": self.outstanding,
            "overdue": self.overdue,
        }
