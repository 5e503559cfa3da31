"""An invoice's lines: written by the services (inside their transaction), read for every page,
PDF and e-invoice. An invoice from before line items reads as one line of its amount, no VAT."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from secportal.core.money import MoneyError, check_charge_limits

from . import vat
from .models import Invoice, InvoiceLine


@dataclass(frozen=True)
class LineInput:
    """A line as a person entered it (cleaned by the form)."""

    description: str
    quantity: Decimal
    unit_price: int  # minor units; gross when the invoice's prices include VAT
    vat_rate: str  # a key of vat.VAT_RATES


@dataclass(frozen=True)
class Line:
    """A line as shown: its figures already rounded (``vat.line_amounts``)."""

    position: int
    description: str
    quantity: Decimal
    unit_price: int
    rate: vat.VatRate
    net: int
    vat: int

    @property
    def total(self) -> int:
        return self.net + self.vat

    @property
    def quantity_text(self) -> str:
        """``4.5``, ``10`` (no exponent, no trailing zeros)."""
        return f"{self.quantity.normalize():f}"


def quick_line(values: dict[str, Any], vat_registered: bool) -> LineInput:
    """The seed's quick form (Amount, Description) as one line."""
    return LineInput(
        description=str(values.get("description") or "")[:500],
        quantity=Decimal(1),
        unit_price=int(values["amount"]),
        vat_rate=values.get("vat_rate") or vat.default_rate(vat_registered),
    )


def compute(inputs: list[LineInput], *, gross: bool) -> list[Line]:
    lines = []
    for position, item in enumerate(inputs, start=1):
        rate = vat.VAT_RATES[item.vat_rate]
        net, tax = vat.line_amounts(item.quantity, item.unit_price, rate.bps, gross=gross)
        lines.append(
            Line(position, item.description, item.quantity, item.unit_price, rate, net, tax)
        )
    return lines


def check_lines(
    inputs: list[LineInput], currency: str, *, vat_registered: bool, gross: bool
) -> vat.Totals:
    """The totals of these lines, or ``ValidationError`` naming what is wrong."""
    if not inputs:
        raise ValidationError({"amount": "Enter an amount, or add a line."})
    allowed = {key for key, _ in vat.rate_choices(vat_registered)}
    for item in inputs:
        if item.vat_rate not in allowed:
            raise ValidationError({"vat_rate": "Choose one of your VAT rates."})
    totals = vat.totals(
        (line.rate.key, line.net, line.vat) for line in compute(inputs, gross=gross)
    )
    try:
        check_charge_limits(totals.total, currency)
    except MoneyError as exc:
        raise ValidationError({"amount": f"The invoice total: {exc}"}) from exc
    return totals


def write(invoice: Invoice, inputs: list[LineInput]) -> vat.Totals:
    """Replace the invoice's lines and set its net, VAT and total (amount). Caller locks."""
    computed = compute(inputs, gross=invoice.prices_include_vat)
    invoice.lines.all().delete()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            workspace_id=invoice.workspace_id,
            invoice=invoice,
            position=line.position,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.rate.key,
            vat_rate_bps=line.rate.bps,
            vat_category=line.rate.category,
            net=line.net,
            vat=line.vat,
        )
        for line in computed
    )
    totals = vat.totals((line.rate.key, line.net, line.vat) for line in computed)
    invoice.net_amount, invoice.vat_amount = totals.net, totals.vat
    invoice.amount = totals.total
    return totals


def lines_of(invoice: Invoice, rows: Iterable[InvoiceLine] | None = None) -> list[Line]:
    """The invoice's lines (``rows``: its stored lines when the caller has read them)."""
    stored = [
        Line(
            row.position,
            row.description,
            row.quantity,
            row.unit_price,
            vat.VAT_RATES.get(row.vat_rate)
            or vat.VatRate(row.vat_rate, row.vat_rate, row.vat_rate_bps, row.vat_category),
            row.net,
            row.vat,
        )
        for row in (invoice.lines.all() if rows is None else rows)
    ]
    if stored:
        return stored
    return [
        Line(
            1,
            invoice.description,
            Decimal(1),
            invoice.amount,
            vat.VAT_RATES["none"],
            invoice.amount,
            0,
        )
    ]


def totals_of(lines: list[Line]) -> vat.Totals:
    return vat.totals((line.rate.key, line.net, line.vat) for line in lines)


def inputs_of(invoice: Invoice) -> list[LineInput]:
    return [
        LineInput(line.description, line.quantity, line.unit_price, line.rate.key)
        for line in lines_of(invoice)
    ]
