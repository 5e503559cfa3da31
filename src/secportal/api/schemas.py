"""The API's shapes: money as integer minor units plus currency, dates ISO 8601, public ids."""

from __future__ import annotations

import datetime
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


class InvoiceIn(Strict):
    client: UUID
    engagement: UUID | None = None
    amount: int = Field(gt=0, lt=10**12, description="the total, in minor units (pence, cents)")
    currency: Literal["GBP", "EUR", "USD"]
    description: str = Field(min_length=1, max_length=2000)
    due_date: datetime.date | None = None


class InvoiceOut(Schema):
    id: UUID
    number: str | None
    status: str = Field(description="the shown status: draft, sent, overdue, paid, void, refunded")
    client: UUID
    engagement: UUID | None
    amount: int
    currency: str
    description: str
    issue_date: datetime.date | None
    due_date: datetime.date | None
    paid_at: datetime.datetime | None
    refunded_amount: int


class Page(Schema):
    has_more: bool
    next_starting_after: UUID | None


class ClientPage(Page):
    data: list[ClientOut]


class EngagementPage(Page):
    data: list[EngagementOut]


class InvoicePage(Page):
    data: list[InvoiceOut]
