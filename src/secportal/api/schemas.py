"""The API's shapes: money as integer minor units plus currency, dates ISO 8601, public ids."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field


class Strict(Schema):
    """Input: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class ClientIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    billing_email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=1000)


class ClientOut(Schema):
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


class EngagementOut(Schema):
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


class LineOut(Schema):
    position: int
    description: str
    quantity: str = Field(description="a decimal, as text: 1, 4.5")
    unit_price: int
    vat_rate: str
    net: int
    vat: int
    total: int


class InvoiceOut(Schema):
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


class Page(Schema):
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


class CreditNoteOut(Schema):
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


class PaymentOut(Schema):
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


class PaymentPage(Schema):
    data: list[PaymentOut]
    has_more: bool
    next_starting_after: str | None


class RefundIn(Strict):
    amount: int | None = Field(
        default=None, gt=0, lt=10**12, description="minor units; the whole payment when left out"
    )


class RefundOut(Schema):
    id: UUID
    invoice: UUID
    amount: int
    currency: str
    state: str
    error: str
