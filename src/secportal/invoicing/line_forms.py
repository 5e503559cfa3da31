"""The invoice form's lines: rows named ``line-<key>-<field>`` in the posted data, in order.

A row's key is any short token (the "Add line" button makes a fresh one), so rows can be added
and removed without renumbering; the order they arrive in is the order of the lines. Each field
is checked on the server and a refusal is shown beside it (``LineRow.errors``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from secportal.core.money import MAXIMUM_CHARGE, MoneyError, format_plain, parse_amount
from secportal.core.validators import MULTI_LINE

from . import vat
from .lines import LineInput

MAX_LINES = 100
FIELDS = ("description", "quantity", "unit_price", "vat_rate")
_KEY = re.compile(r"^line-([A-Za-z0-9]{1,16})-description$")


def new_key() -> str:
    return secrets.token_hex(4)


@dataclass
class LineRow:
    key: str
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    cleaned: LineInput | None = None

    def name(self, field_name: str) -> str:
        return f"line-{self.key}-{field_name}"

    @property
    def is_blank(self) -> bool:
        return not any(self.values.get(f, "").strip() for f in FIELDS if f != "vat_rate")

    def clean(self, currency: str, rate_keys: set[str]) -> None:
        description = self.values.get("description", "").strip()
        if not description:
            self.errors["description"] = "Describe the line."
        elif len(description) > 500:
            self.errors["description"] = "Use at most 500 characters."
        elif MULTI_LINE.search(description):
            self.errors["description"] = "Remove the control characters."
        try:
            quantity = vat.parse_quantity(self.values.get("quantity", ""))
        except ValueError as exc:
            self.errors["quantity"] = str(exc)
        try:
            unit_price = parse_amount(
                self.values.get("unit_price", ""), currency, charge_limits=False
            )
            if unit_price > MAXIMUM_CHARGE:
                raise MoneyError("The unit price is above the largest invoice total.")
        except MoneyError as exc:
            self.errors["unit_price"] = str(exc).replace("amount", "unit price", 1)
        rate = self.values.get("vat_rate", "") or ("none" if rate_keys == {"none"} else "")
        if rate not in rate_keys:
            self.errors["vat_rate"] = "Choose one of your VAT rates."
        if self.errors:
            return
        if vat.line_amounts(quantity, unit_price, 0)[0] > MAXIMUM_CHARGE:
            self.errors["unit_price"] = "Quantity x unit price is above the largest invoice total."
            return
        self.cleaned = LineInput(description, quantity, unit_price, rate)


def rows_from(data: Any) -> list[LineRow]:
    """The rows in the posted data, in order (at most ``MAX_LINES``)."""
    rows = []
    for name in data:
        match = _KEY.match(name)
        if match:
            key = match.group(1)
            rows.append(LineRow(key, {f: str(data.get(f"line-{key}-{f}", "")) for f in FIELDS}))
    return rows[: MAX_LINES + 1]


def rows_of(inputs: list[LineInput], currency: str) -> list[LineRow]:
    """Rows showing saved lines, for editing a draft."""
    return [
        LineRow(
            new_key(),
            {
                "description": item.description,
                "quantity": f"{item.quantity.normalize():f}",
                "unit_price": format_plain(item.unit_price, currency),
                "vat_rate": item.vat_rate,
            },
        )
        for item in inputs
    ]


def blank_row(vat_registered: bool) -> LineRow:
    return LineRow(
        new_key(),
        {
            "description": "",
            "quantity": "1",
            "unit_price": "",
            "vat_rate": vat.default_rate(vat_registered),
        },
    )
