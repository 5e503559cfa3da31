"""Money: integer minor units everywhere, parsed and formatted at the edges (DESIGN.md 5)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from babel.core import Locale
from babel.numbers import (
    format_currency,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    parse_pattern,
)

from .locales import current_locale

CURRENCIES = ("GBP", "USD", "EUR")
CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]
MINOR_UNIT_DIGITS = {"GBP": 2, "USD": 2, "EUR": 2}
# Stripe's minimum charge per currency, and its maximum for these currencies (999,999.99).
MINIMUM_CHARGE = {"GBP": 30, "USD": 50, "EUR": 50}
MAXIMUM_CHARGE = 99_999_999
# The locale money is shown in for each currency, unless a caller names another.
DEFAULT_LOCALE = {"GBP": "en_GB", "USD": "en_US", "EUR": "de_DE"}

# The sign each currency is written with; a person may type it (or the code) next to the number.
CURRENCY_SIGNS = {"GBP": "£", "USD": "$", "EUR": "€"}
_MINUS_SIGNS = ("-", "\u2212")
# ASCII digits only: ``\d`` would also let through Arabic-Indic or full-width digits.
_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]*))?")
_DIGITS_COMMAS_POINT = re.compile(r"[0-9,]+(?:\.[0-9]*)?")
_DECIMAL_COMMA = re.compile(r"[0-9.]*,[0-9]{1,2}")
_LOOKS_LIKE_A_NUMBER = re.compile(r"[0-9][0-9,.]*")
_POINTS_AND_DIGITS = re.compile(r"[0-9,]*\.[0-9,]*\.[0-9.,]*")

NOT_A_NUMBER = "Enter the amount as a number, like 1250 or 1,250.50."
NOT_POSITIVE = "The amount must be more than zero."
SPACES_INSIDE = (
    "Write the amount without spaces inside it, like 1250.50 or 1,250.50 "
    "(commas group thousands, a point marks the decimals)."
)
DECIMAL_COMMA = (
    "Use a point for the decimals, like 12.50 or 1,250.50: a comma only separates thousands."
)
ONE_POINT = (
    "Use a point only once, for the decimals; separate thousands with commas, like 12,500.00."
)
BAD_GROUPING = (
    "Commas must separate thousands in groups of three digits, like 1,250.50 "
    "(or leave them out: 1250.50)."
)


class MoneyError(ValueError):
    """An amount that cannot be charged; the message says which rule it breaks."""


def _strip_currency(text: str, currency: str) -> str:
    """Remove the currency's code and/or sign (``GBP``, ``£``); refuse another currency's."""
    seen_code = seen_sign = False
    while text:
        head = text[:3].upper()
        if not seen_code and len(text) >= 3 and head.isalpha() and head.isascii():
            if head == currency:
                text, seen_code = text[3:].lstrip(), True
                continue
            if head in CURRENCIES:
                raise MoneyError(
                    f"This invoice is in {currency}: remove {head} from the amount "
                    f"or choose {head} as the currency."
                )
            break
        if not seen_sign and text[0] in CURRENCY_SIGNS.values():
            if text[0] == CURRENCY_SIGNS[currency]:
                text, seen_sign = text[1:].lstrip(), True
                continue
            raise MoneyError(
                f"This invoice is in {currency}: remove the {text[0]} sign from the amount "
                "or choose the matching currency."
            )
        break
    return _strip_currency_suffix(text, currency)


def _strip_currency_suffix(text: str, currency: str) -> str:
    """``1250.50 €`` or ``1250.50 EUR``: the sign or code after the number, same rules."""
    tail = text[-3:].upper()
    if len(text) > 3 and tail.isalpha() and tail.isascii() and tail in CURRENCIES:
        if tail != currency:
            raise MoneyError(
                f"This invoice is in {currency}: remove {tail} from the amount "
                f"or choose {tail} as the currency."
            )
        text = text[:-3].rstrip()
    if text and text[-1] in CURRENCY_SIGNS.values():
        if text[-1] != CURRENCY_SIGNS[currency]:
            raise MoneyError(
                f"This invoice is in {currency}: remove the {text[-1]} sign from the amount "
                "or choose the matching currency."
            )
        text = text[:-1].rstrip()
    return text


def parse_amount(text: str, currency: str, *, charge_limits: bool = True) -> int:
    """Turn what a person typed (``1,250.50``, ``£1,250.50``) into minor units.

    Accepted: digits with an optional point and at most two decimals, commas only as thousands
    separators in groups of three, optionally after (or before) the currency's sign or code,
    with spaces around. Everything else is refused with a message naming the rule it breaks.
    Without ``charge_limits`` (a unit price on an invoice line) Stripe's minimum and maximum
    charge do not apply.
    """
    if currency not in CURRENCIES:
        raise MoneyError(f"Choose one of {', '.join(CURRENCIES)}.")
    cleaned = (text or "").strip()
    if not cleaned:
        raise MoneyError("Enter an amount.")
    if cleaned.startswith(_MINUS_SIGNS):
        raise MoneyError(NOT_POSITIVE)
    cleaned = _strip_currency(cleaned, currency)
    if cleaned.startswith(_MINUS_SIGNS):
        raise MoneyError(NOT_POSITIVE)
    match = _NUMBER.fullmatch(cleaned)
    if not match:
        raise MoneyError(_why_not_a_number(cleaned))
    digits = MINOR_UNIT_DIGITS[currency]
    decimals = match.group(1) or ""
    if len(decimals) > digits:
        raise MoneyError(f"Use at most {digits} decimal places.")
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes this
        raise MoneyError(NOT_A_NUMBER) from exc
    minor = int(value.scaleb(digits))
    if minor <= 0:
        raise MoneyError(NOT_POSITIVE)
    if charge_limits:
        check_charge_limits(minor, currency)
    return minor


def check_charge_limits(minor: int, currency: str) -> None:
    """Stripe's minimum and maximum charge for one payment, as ``MoneyError``."""
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


def _why_not_a_number(cleaned: str) -> str:
    """The most helpful message for text that is not an amount as we accept it."""
    if any(char.isspace() for char in cleaned) and _LOOKS_LIKE_A_NUMBER.fullmatch(
        "".join(cleaned.split())
    ):
        return SPACES_INSIDE
    if _DECIMAL_COMMA.fullmatch(cleaned):
        return DECIMAL_COMMA
    if _POINTS_AND_DIGITS.fullmatch(cleaned):
        return ONE_POINT
    if "," in cleaned and _DIGITS_COMMAS_POINT.fullmatch(cleaned):
        return BAD_GROUPING
    return NOT_A_NUMBER


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-MINOR_UNIT_DIGITS[currency])


def format_money(minor: int, currency: str, locale: str | None = None) -> str:
    """``£1,250.50``; ``1.250,50 €`` where the locale wants it."""
    # The caller's locale, else the workspace's (core.locales), else the currency's own.
    locale = locale or current_locale() or DEFAULT_LOCALE[currency]
    fast = _fast_formatter(currency, locale)
    if fast is not None:
        return fast(minor)
    return babel_format_money(minor, currency, locale)


def babel_format_money(minor: int, currency: str, locale: str) -> str:
    """Babel's own formatting (slow: it parses and applies the CLDR pattern on every call)."""
    return format_currency(to_decimal(minor, currency), currency, locale=locale)


# Samples the fast formatter must reproduce exactly before it is used instead of Babel's.
_CHECKS = (0, 1, 9, 10, 99, 100, 999, 1_000, 12_345, 123_456, 1_234_567, 99_999_999, 10**15 + 7)


@functools.cache
def _fast_formatter(currency: str, locale: str) -> Callable[[int], str] | None:
    """Babel's currency format for one (currency, locale), worked out once: the prefix and
    suffix around the number (sign and symbol included) and the separators, then applied with
    plain integer arithmetic. ``None`` (use Babel) unless the pattern is the plain kind these
    locales have: groups of three, the currency's own number of decimals, no scaling."""
    if currency not in MINOR_UNIT_DIGITS:
        return None
    try:
        parsed = Locale.parse(locale)
        pattern = parse_pattern(parsed.currency_formats["standard"])
    except (ValueError, LookupError, TypeError):
        return None
    if pattern.grouping != (3, 3) or pattern.scale != 0 or pattern.exp_prec:
        return None
    digits = MINOR_UNIT_DIGITS[currency]
    unit = 10**digits
    group, point = get_group_symbol(parsed), get_decimal_symbol(parsed)

    def number(value: int) -> str:
        whole, fraction = divmod(value, unit)
        text = f"{whole:,}".replace(",", group)
        return f"{text}{point}{fraction:0{digits}d}" if digits else text

    affixes = []
    for sign in (1, -1):
        sample = 1_234_567 * unit + (unit - 1 if digits else 0)
        shown = babel_format_money(sign * sample, currency, locale)
        core = number(sample)
        if shown.count(core) != 1:
            return None
        prefix, suffix = shown.split(core)
        affixes.append((prefix, suffix))
    (pos_prefix, pos_suffix), (neg_prefix, neg_suffix) = affixes

    def fast(minor: int) -> str:
        if minor < 0:
            return f"{neg_prefix}{number(-minor)}{neg_suffix}"
        return f"{pos_prefix}{number(minor)}{pos_suffix}"

    for minor in _CHECKS:
        for value in (minor, -minor):
            if fast(value) != babel_format_money(value, currency, locale):
                return None
    return fast


def format_plain(minor: int, currency: str) -> str:
    """The amount as a person would type it back into a form: ``1250.50``."""
    return f"{to_decimal(minor, currency):.{MINOR_UNIT_DIGITS[currency]}f}"


def currency_symbol(currency: str) -> str:
    return get_currency_symbol(currency, locale=DEFAULT_LOCALE[currency])
