"""The API's shapes: money as integer minor units plus currency, dates ISO 8601, public ids."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    """Output: plain pydantic, validated in its compiled core (django-ninja's ``Schema`` reads
    every field of every row through a Python attribute getter, meant for ORM objects; the API
    returns plain data, and a list of 50 invoices paid that getter for every field)."""

    model_config = ConfigDict(from_attributes=True)


class Strict(Schema):
    """Input: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class ClientIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    billing_email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=1000)


class ClientOut(Out):
    id: UUID
    name: str
    billing_email: str
    address: str


class EngagementIn(Strict):
    client: UUID
    name: str = Field(min_length=1, max_length=200)
    reference: str = Field(default="", max_length=60)
    status: Literal["planned", "active", "completed", "cancelled"] = "planned"
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


class EngagementOut(Out):
    id: UUID
    client: UUID
    name: str
    reference: str
    status: str
    start_date: datetime.date | None
    end_date: datetime.date | None


VatRate = Literal["standard", "reduced", "zero", "exempt", "reverse_charge", "none"]


class LineIn(Strict):
    description: str = Field(min_length=1, max_length=500)
    quantity: Decimal = Field(
        default=Decimal(1), gt=0, max_digits=12, decimal_places=3, description="e.g. 4.5 (days)"
    )
    unit_price: int = Field(
        ge=0,
        lt=10**12,
        description="minor units; net, or gross when the workspace enters amounts including VAT",
    )
    vat_rate: VatRate | None = Field(
        default=None, description="the workspace's default rate when left out"
    )


class InvoiceIn(Strict):
    client: UUID
    engagement: UUID | None = None
    amount: int | None = Field(
        default=None,
        gt=0,
        lt=10**12,
        description="the seed's quick form: the total as one line, in minor units; or give lines",
    )
    lines: list[LineIn] | None = Field(default=None, min_length=1, max_length=100)
    vat_rate: VatRate | None = Field(default=None, description="the quick form's VAT rate")
    currency: Literal["GBP", "EUR", "USD"]
    description: str = Field(min_length=1, max_length=2000)
    due_date: datetime.date | None = None
    po_number: str = Field(default="", max_length=60)


class LineOut(Out):
    position: int
    description: str
    quantity: str = Field(description="a decimal, as text: 1, 4.5")
    unit_price: int
    vat_rate: str
    net: int
    vat: int
    total: int


class InvoiceOut(Out):
    id: UUID
    number: str | None
    status: str = Field(
        description="the shown status: draft, sent, partially_paid, overdue, processing, paid, "
        "void, refunded"
    )
    client: UUID
    engagement: UUID | None
    amount: int = Field(description="the total including VAT, in minor units")
    net_amount: int
    vat_amount: int
    amount_paid: int
    credited_amount: int
    balance_due: int
    currency: str
    description: str
    po_number: str
    issue_date: datetime.date | None
    due_date: datetime.date | None
    paid_at: datetime.datetime | None
    refunded_amount: int
    lines: list[LineOut]


class Page(Out):
    has_more: bool
    next_starting_after: UUID | None


class ClientPage(Page):
    data: list[ClientOut]


class EngagementPage(Page):
    data: list[EngagementOut]


class InvoicePage(Page):
    data: list[InvoiceOut]


class CreditNoteIn(Strict):
    reason: str = Field(min_length=1, max_length=500)
    amount: int | None = Field(
        default=None, gt=0, lt=10**12, description="minor units; all that is left when left out"
    )


class CreditNoteOut(Out):
    id: UUID
    number: str
    invoice: UUID
    currency: str
    amount: int
    net_amount: int
    vat_amount: int
    reason: str
    issue_date: datetime.date


class CreditNotePage(Page):
    data: list[CreditNoteOut]


class PaymentOut(Out):
    id: str = Field(description="the payment's Stripe Checkout Session id (cs_...)")
    payment_intent: str | None
    invoice: UUID
    currency: str
    amount: int
    fee: int = Field(description="SecPortal's transaction fee, in minor units")
    net: int
    amount_refunded: int
    paid_at: datetime.datetime
    duplicate: bool


class PaymentPage(Out):
    data: list[PaymentOut]
    has_more: bool
    next_starting_after: str | None


class RefundIn(Strict):
    amount: int | None = Field(
        default=None, gt=0, lt=10**12, description="minor units; the whole payment when left out"
    )


class RefundOut(Out):
    id: UUID
    invoice: UUID
    amount: int
    currency: str
    state: str
    error: str


class ContactIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254, description="unique among the client's")
    receives_invoices: bool = Field(
        default=False, description="also email invoices to this contact"
    )


class ContactOut(Out):
    id: UUID
    client: UUID
    name: str
    email: str
    receives_invoices: bool


class ContactPage(Page):
    data: list[ContactOut]


class InvoicePatch(Strict):
    """Update draft: only the fields given change; ``lines`` (or the quick ``amount``) replace
    every line. A sent invoice is refused (409): void it and issue a new one."""

    client: UUID | None = None
    engagement: UUID | None = None
    amount: int | None = Field(default=None, gt=0, lt=10**12, description="the quick form")
    lines: list[LineIn] | None = Field(default=None, min_length=1, max_length=100)
    vat_rate: VatRate | None = Field(default=None, description="the quick form's VAT rate")
    currency: Literal["GBP", "EUR", "USD"] | None = None
    description: str | None = Field(default=None, min_length=1, max_length=2000)
    due_date: datetime.date | None = None
    supply_date: datetime.date | None = None
    po_number: str | None = Field(default=None, max_length=60)


RecordedMethod = Literal["bank_transfer", "cheque", "cash", "card_elsewhere", "other"]


class RecordedPaymentIn(Strict):
    amount: int = Field(gt=0, lt=10**12, description="minor units, at most the balance due")
    received_on: datetime.date | None = Field(
        default=None, description="the day the money arrived; today (the workspace's) if left out"
    )
    method: RecordedMethod
    reference: str = Field(default="", max_length=140)
    currency: Literal["GBP", "EUR", "USD"] | None = Field(
        default=None, description="if given, must be the invoice's"
    )


class RecordedPaymentOut(Out):
    id: UUID
    invoice: UUID
    amount: int
    currency: str
    received_on: datetime.date
    method: str
    reference: str
    recorded_at: datetime.datetime
    deleted_at: datetime.datetime | None = Field(
        description="set when an owner deleted it (kept for the audit trail, not counted)"
    )
    delete_reason: str


class RecordedPaymentPage(Page):
    data: list[RecordedPaymentOut]


class Tally(Out):
    amount: int = Field(description="minor units")
    count: int


class MonthRevenue(Out):
    month: str = Field(description="YYYY-MM")
    revenue: int


class TopClient(Out):
    client: UUID
    name: str
    revenue: int


class Ageing(Out):
    current: Tally
    days_1_30: Tally
    days_31_60: Tally
    days_61_90: Tally
    days_90_plus: Tally


class CurrencySummary(Out):
    """One currency's figures (never summed across currencies), in its minor units."""

    currency: str
    revenue: int = Field(description="collected through Stripe in the period, less refunds")
    gross: int
    refunds: int
    disputes_lost: int
    platform_fees: int
    net: int
    payment_count: int
    avg_days_to_pay: float | None
    recorded_payments: Tally = Field(description="recorded by hand in the period")
    top_clients: list[TopClient]
    this_month_revenue: int
    monthly: list[MonthRevenue] = Field(description="the last 12 months, oldest first")
    outstanding: Tally = Field(description="balance due of invoices still owed, as of today")
    overdue: Tally
    processing: Tally
    ageing: Ageing
    credits_owed: Tally
    status_counts: dict[str, int]


class SummaryPeriod(Out):
    key: str
    label: str
    start: datetime.date = Field(description="the first day, both ends included")
    end: datetime.date


class SummaryOut(Out):
    as_of: datetime.date
    timezone: str
    period: SummaryPeriod
    clients: int
    engagements: int
    currencies: list[CurrencySummary]
    status_counts: dict[str, int]
