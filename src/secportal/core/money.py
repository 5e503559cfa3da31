"""Money: integer minor units everywhere, parsed and formatted at the edges (DESIGN.md 5)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_symbol

CURRENCIES = ("GBP", "USD", "EUR")
CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]
MINOR_UNIT_DIGITS = {"GBP": 2, "USD": 2, "EUR": 2}
# Stripe's minimum charge per currency, and its maximum for these currencies (999,999.99).
MINIMUM_CHARGE = {"GBP": 30, "USD": 50, "EUR": 50}
MAXIMUM_CHARGE = 99_999_999
# The locale money is shown in for each currency, unless a caller names another.
DEFAULT_LOCALE = {"GBP": "en_GB", "USD": "en_US", "EUR": "de_DE"}

_SYMBOLS = "£$€"
_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?$")


class MoneyError(ValueError):
    """An amount that cannot be charged; the message says which rule it breaks."""


def parse_amount(text: str, currency: str) -> int:
    """Turn what a person typed (``1,250.50``, ``£1,250.50``) into minor units."""
    if currency not in CURRENCIES:
        raise MoneyError(f"Choose one of {', '.join(CURRENCIES)}.")
    cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise MoneyError("Enter an amount.")
    if cleaned.startswith(("-", "\u2212")):
        raise MoneyError("The amount must be more than zero.")
    cleaned = cleaned.lstrip(_SYMBOLS)
    if cleaned.upper().startswith(currency):
        cleaned = cleaned[len(currency) :]
    if cleaned.startswith("-"):
        raise MoneyError("The amount must be more than zero.")
    match = _NUMBER.match(cleaned)
    if not match:
        raise MoneyError("Enter the amount as a number, like 1250 or 1,250.50.")
    digits = MINOR_UNIT_DIGITS[currency]
    decimals = match.group(1) or ""
    if len(decimals) > digits:
        raise MoneyError(f"Use at most {digits} decimal places.")
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes this
        raise MoneyError("Enter the amount as a number, like 1250 or 1,250.50.") from exc
    minor = int(value.scaleb(digits))
    if minor <= 0:
        raise MoneyError("The amount must be more than zero.")
    if minor < MINIMUM_CHARGE[currency]:
        raise MoneyError(
            f"The minimum amount in {currency} is "
            f"{format_money(MINIMUM_CHARGE[currency], currency)}."
        )
    if minor > MAXIMUM_CHARGE:
        raise MoneyError(
            f"The maximum amount is {format_money(MAXIMUM_CHARGE, currency)} "
            "(Stripe's limit for one payment)."
        )
    return minor


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-MINOR_UNIT_DIGITS[currency])


def format_money(minor: int, currency: str, locale: str | None = None) -> str:
    """``£1,250.50``; ``1.250,50 €`` where the locale wants it."""
    return format_currency(
        to_decimal(minor, currency), currency, locale=locale or DEFAULT_LOCALE[currency]
    )


def format_plain(minor: int, currency: str) -> str:
    """The amount as a person would type it back into a form: ``1250.50``."""
    return f"{to_decimal(minor, currency):.{MINOR_UNIT_DIGITS[currency]}f}"


def currency_symbol(currency: str) -> str:
    return get_currency_symbol(currency, locale=DEFAULT_LOCALE[currency])
