"""VAT rates and the one rounding rule for invoice lines (DESIGN.md 12). Pure: no Django models.

Each line is rounded to minor units on its own (net, then VAT), and the invoice's figures are the
sums of its lines: net, VAT per rate, total. ``line_amounts`` is the only place a quantity, a
price and a rate become money; everything else adds integers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# The largest quantity and number of decimals a line takes (4.5 days, 0.25 hours, 1,000 hosts).
MAX_QUANTITY = Decimal("100000")
QUANTITY_DECIMALS = 3


@dataclass(frozen=True)
class VatRate:
    key: str
    label: str
    bps: int  # basis points: 2000 = 20%
    category: str  # UNTDID 5305 code, as EN 16931 e-invoices want it
    note: str = ""  # printed on the invoice for this rate


#: The workspace's rates. A workspace without a VAT number charges no VAT ("none").
VAT_RATES: dict[str, VatRate] = {
    rate.key: rate
    for rate in (
        VatRate("standard", "Standard 20%", 2000, "S"),
        VatRate("reduced", "Reduced 5%", 500, "S"),
        VatRate("zero", "Zero-rated 0%", 0, "Z"),
        VatRate("exempt", "Exempt", 0, "E", "Exempt from VAT."),
        VatRate(
            "reverse_charge",
            "Reverse charge",
            0,
            "AE",
            "Reverse charge: the customer accounts for the VAT (Article 196, Directive "
            "2006/112/EC).",
        ),
        VatRate("none", "No VAT", 0, "O", ""),
    )
}
REGISTERED_RATES = [key for key in VAT_RATES if key != "none"]


def rate_choices(vat_registered: bool) -> list[tuple[str, str]]:
    keys = REGISTERED_RATES if vat_registered else ["none"]
    return [(key, VAT_RATES[key].label) for key in keys]


def default_rate(vat_registered: bool) -> str:
    return "standard" if vat_registered else "none"


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def line_amounts(
    quantity: Decimal, unit_price: int, rate_bps: int, *, gross: bool = False
) -> tuple[int, int]:
    """(net, VAT) of one line in minor units, each rounded half up.

    ``unit_price`` is net, or, with ``gross``, includes VAT: then net + VAT is exactly the
    rounded gross amount of the line, and the VAT is what is left after the net is rounded.
    """
    if quantity <= 0 or unit_price < 0 or rate_bps < 0:
        raise ValueError("quantity must be positive; price and rate not negative")
    amount = _half_up(quantity * unit_price)
    if gross:
        net = _half_up(Decimal(amount) * 10000 / (10000 + rate_bps))
        return net, amount - net
    return amount, _half_up(Decimal(amount) * rate_bps / 10000)


@dataclass(frozen=True)
class RateTotal:
    rate: VatRate
    net: int
    vat: int


@dataclass(frozen=True)
class Totals:
    net: int
    vat: int
    by_rate: tuple[RateTotal, ...]

    @property
    def total(self) -> int:
        return self.net + self.vat


def totals(lines: Iterable[tuple[str, int, int]]) -> Totals:
    """The invoice's figures from its lines' (rate key, net, VAT): sums, per rate in rate order."""
    sums: dict[str, list[int]] = {}
    for key, net, vat in lines:
        pair = sums.setdefault(key, [0, 0])
        pair[0] += net
        pair[1] += vat
    by_rate = tuple(RateTotal(VAT_RATES[key], *sums[key]) for key in VAT_RATES if key in sums)
    return Totals(net=sum(r.net for r in by_rate), vat=sum(r.vat for r in by_rate), by_rate=by_rate)


def parse_quantity(text: str) -> Decimal:
    """``4.5`` → Decimal('4.5'); refused (``ValueError`` with the reason) otherwise."""
    cleaned = (text or "").strip().replace(",", "")
    if not cleaned:
        raise ValueError("Enter a quantity, e.g. 1 or 4.5.")
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        raise ValueError("Enter the quantity as a number, e.g. 4.5.") from None
    if not value.is_finite():
        raise ValueError("Enter the quantity as a number, e.g. 4.5.")
    if value <= 0:
        raise ValueError("The quantity must be more than zero.")
    if -value.as_tuple().exponent > QUANTITY_DECIMALS:  # type: ignore[operator]
        raise ValueError(f"Use at most {QUANTITY_DECIMALS} decimal places in the quantity.")
    if value > MAX_QUANTITY:
        raise ValueError(f"The quantity can be at most {MAX_QUANTITY:,}.")
    return value.quantize(Decimal(1)) if value == value.to_integral() else value
