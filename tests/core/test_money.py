"""Money parsing and display (DESIGN.md 5): examples for every rule, properties for round trips."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from secportal.core.money import (
    CURRENCIES,
    MAXIMUM_CHARGE,
    MINIMUM_CHARGE,
    MoneyError,
    currency_symbol,
    format_money,
    format_plain,
    parse_amount,
    to_decimal,
)

NBSP = "\u00a0"


def plain_spaces(text: str) -> str:
    """Babel puts no-break spaces where a locale wants a space; compare with plain ones."""
    return text.replace(NBSP, " ").replace("\u202f", " ")


def error_for(text: str, currency: str = "GBP") -> str:
    with pytest.raises(MoneyError) as caught:
        parse_amount(text, currency)
    return str(caught.value)


currencies = st.sampled_from(CURRENCIES)


@st.composite
def valid_amounts(draw: st.DrawFn, currency: str | None = None) -> tuple[int, str]:
    code = currency or draw(currencies)
    return draw(st.integers(MINIMUM_CHARGE[code], MAXIMUM_CHARGE)), code


# --- accepted forms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1250", "GBP", 125_000),
        ("1250.5", "GBP", 125_050),
        ("1250.50", "GBP", 125_050),
        ("1,250.50", "GBP", 125_050),
        ("£1,250.50", "GBP", 125_050),
        ("$1,250.50", "USD", 125_050),
        ("€1,250.50", "EUR", 125_050),
        ("GBP 1,250.50", "GBP", 125_050),
        ("GBP1250.50", "GBP", 125_050),
        ("gbp 1250.50", "GBP", 125_050),
        ("USD 1,250.50", "USD", 125_050),
        ("EUR 1,250.50", "EUR", 125_050),
        ("GBP £1,250.50", "GBP", 125_050),
        ("1250.50 €", "EUR", 125_050),
        ("1,250.50 EUR", "EUR", 125_050),
        ("  £1,250.50  ", "GBP", 125_050),
        ("\t£ 1,250.50\n", "GBP", 125_050),
        (f"{NBSP}£1,250.50{NBSP}", "GBP", 125_050),
        ("1,000", "GBP", 100_000),
        ("1,000,000", "GBP", None),  # grouped correctly but above the maximum: see below
        ("999,999.99", "USD", 99_999_999),
        ("0.30", "GBP", 30),
        ("0.3", "GBP", 30),
        ("0.50", "USD", 50),
        ("0.50", "EUR", 50),
        ("1250.", "GBP", 125_000),
        ("001250", "GBP", 125_000),
    ],
)
def test_accepted_forms(text: str, currency: str, minor: int | None) -> None:
    if minor is None:
        assert "maximum amount" in error_for(text, currency)
    else:
        assert parse_amount(text, currency) == minor


# --- refused forms, each with the rule it breaks --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("", "GBP", "Enter an amount."),
        ("   ", "GBP", "Enter an amount."),
        ("-5", "GBP", "more than zero"),
        ("-0.50", "GBP", "more than zero"),
        ("\u22125", "GBP", "more than zero"),
        ("- 5", "GBP", "more than zero"),
        ("£-5", "GBP", "more than zero"),
        ("GBP -5", "GBP", "more than zero"),
        ("0", "GBP", "more than zero"),
        ("0.00", "GBP", "more than zero"),
        ("0,000", "GBP", "more than zero"),
        ("12.345", "GBP", "at most 2 decimal places"),
        ("0.001", "GBP", "at most 2 decimal places"),
        ("1,250.505", "USD", "at most 2 decimal places"),
        ("twelve", "GBP", "Enter the amount as a number"),
        ("abc", "GBP", "Enter the amount as a number"),
        ("£", "GBP", "Enter the amount as a number"),
        ("GBP", "GBP", "Enter the amount as a number"),
        ("1e3", "GBP", "Enter the amount as a number"),
        ("nan", "GBP", "Enter the amount as a number"),
        ("Infinity", "GBP", "Enter the amount as a number"),
        ("+5", "GBP", "Enter the amount as a number"),
        (".50", "GBP", "Enter the amount as a number"),
        ("1_000", "GBP", "Enter the amount as a number"),
        ("££100", "GBP", "Enter the amount as a number"),
        ("0x10", "GBP", "Enter the amount as a number"),
        ("\u0661\u0662\u0663", "GBP", "Enter the amount as a number"),  # Arabic-Indic 123
        ("\uff11\uff12\uff13", "GBP", "Enter the amount as a number"),  # full-width 123
        ("0.29", "GBP", "minimum amount in GBP is £0.30"),
        ("0.20", "GBP", "minimum amount in GBP"),
        ("0.49", "USD", "minimum amount in USD is $0.50"),
        ("0.40", "USD", "minimum amount in USD"),
        ("0.49", "EUR", "minimum amount in EUR"),
        ("0.01", "EUR", "minimum amount in EUR"),
        ("1000000", "EUR", "maximum amount"),
        ("1,000,000.00", "GBP", "maximum amount is £999,999.99"),
        ("1000000", "USD", "maximum amount is $999,999.99"),
        ("99999999999999999999999999", "GBP", "maximum amount"),
        ("100", "XYZ", "Choose one of GBP, USD, EUR."),
        ("100", "gbp", "Choose one of GBP, USD, EUR."),
        ("100", "", "Choose one of GBP, USD, EUR."),
    ],
)
def test_refused_forms_say_which_rule(text: str, currency: str, message: str) -> None:
    assert message in error_for(text, currency)


def test_maximum_message_names_stripe_limit() -> None:
    assert (
        error_for("1000000")
        == "The maximum amount is £999,999.99 (Stripe's limit for one payment)."
    )


@pytest.mark.parametrize(
    "text", ["1,25.00", "12,3456", "1,2,3", ",100", "1,,000", "1,000,00", "1,0"]
)
def test_comma_grouping_typos_are_refused_not_misread(text: str) -> None:
    message = error_for(text)
    assert "comma" in message.lower()
    assert "1,250.50" in message


@pytest.mark.parametrize("text", ["12,50", "1250,5", "1.250,50", "€1.250,50", "1.250,50 €"])
def test_decimal_comma_is_refused_with_a_clear_message(text: str) -> None:
    assert error_for(text, "EUR").startswith("Use a point for the decimals")


@pytest.mark.parametrize(
    "text", ["1 250,50", "1 250.50", "1 250", "1\u00a0250,50", "12 50", "1\t000"]
)
def test_spaces_inside_the_number_are_refused(text: str) -> None:
    message = error_for(text, "EUR")
    assert message.startswith("Write the amount without spaces inside it")
    assert "a point marks the decimals" in message


@pytest.mark.parametrize("text", ["1.000.000", "1.2.3", "1..5"])
def test_several_points_are_refused(text: str) -> None:
    assert error_for(text).startswith("Use a point only once")


@pytest.mark.parametrize(
    ("text", "currency", "wrong"),
    [
        ("$100", "GBP", "$"),
        ("€100", "GBP", "€"),
        ("£100", "EUR", "£"),
        ("100 €", "USD", "€"),
        ("USD 100", "GBP", "USD"),
        ("eur100", "GBP", "EUR"),
        ("100 GBP", "USD", "GBP"),
    ],
)
def test_another_currencys_sign_or_code_is_refused(text: str, currency: str, wrong: str) -> None:
    message = error_for(text, currency)
    assert f"This invoice is in {currency}" in message
    assert wrong in message


# --- display --------------------------------------------------------------------------------------


def test_display_per_currency() -> None:
    assert format_money(125_050, "GBP") == "£1,250.50"
    assert format_money(125_050, "USD") == "$1,250.50"
    assert plain_spaces(format_money(125_050, "EUR")) == "1.250,50 €"
    assert format_money(125_050, "EUR", locale="en_GB") == "€1,250.50"
    assert format_money(30, "GBP") == "£0.30"
    assert format_money(MAXIMUM_CHARGE, "GBP") == "£999,999.99"


def test_plain_form_and_decimal() -> None:
    assert format_plain(125_050, "GBP") == "1250.50"
    assert format_plain(30, "GBP") == "0.30"
    assert format_plain(100, "EUR") == "1.00"
    assert to_decimal(125_050, "GBP") == Decimal("1250.50")
    assert {code: currency_symbol(code) for code in CURRENCIES} == {
        "GBP": "£",
        "USD": "$",
        "EUR": "€",
    }


# --- properties -----------------------------------------------------------------------------------


@given(valid_amounts())
@example((MINIMUM_CHARGE["GBP"], "GBP"))
@example((MAXIMUM_CHARGE, "EUR"))
def test_plain_form_round_trips(amount: tuple[int, str]) -> None:
    minor, currency = amount
    assert parse_amount(format_plain(minor, currency), currency) == minor


@given(valid_amounts("GBP"))
@example((125_050, "GBP"))
@example((MAXIMUM_CHARGE, "GBP"))
def test_gbp_display_round_trips(amount: tuple[int, str]) -> None:
    minor, currency = amount
    assert parse_amount(format_money(minor, currency), currency) == minor


@given(valid_amounts("USD"))
@example((MAXIMUM_CHARGE, "USD"))
def test_usd_display_round_trips(amount: tuple[int, str]) -> None:
    minor, currency = amount
    assert parse_amount(format_money(minor, currency), currency) == minor


@given(valid_amounts("EUR"))
def test_eur_in_an_english_locale_round_trips(amount: tuple[int, str]) -> None:
    minor, currency = amount
    assert parse_amount(format_money(minor, currency, locale="en_GB"), currency) == minor


@given(valid_amounts(), st.sampled_from(["", " ", "  ", "\t", "\n", NBSP]))
def test_surrounding_spaces_and_prefixes_do_not_matter(amount: tuple[int, str], pad: str) -> None:
    minor, currency = amount
    plain = format_plain(minor, currency)
    sign = currency_symbol(currency)
    for text in (plain, f"{sign}{plain}", f"{currency} {plain}", f"{currency}{plain}"):
        assert parse_amount(f"{pad}{text}{pad}", currency) == minor


@given(valid_amounts())
def test_negatives_are_refused(amount: tuple[int, str]) -> None:
    minor, currency = amount
    assert "more than zero" in error_for(f"-{format_plain(minor, currency)}", currency)


@given(currencies, st.integers(1, 10**6), st.integers(3, 6))
def test_more_than_two_decimals_are_refused(currency: str, units: int, places: int) -> None:
    text = f"{units}." + "1" * places
    assert error_for(text, currency) == "Use at most 2 decimal places."


@given(currencies)
def test_below_the_minimum_names_the_minimum(currency: str) -> None:
    below = MINIMUM_CHARGE[currency] - 1
    message = error_for(format_plain(below, currency), currency)
    assert (
        f"minimum amount in {currency} is {format_money(MINIMUM_CHARGE[currency], currency)}"
        in (message)
    )


@given(currencies, st.integers(MAXIMUM_CHARGE + 1, 10**15))
def test_above_the_maximum_is_refused(currency: str, minor: int) -> None:
    assert "maximum amount" in error_for(format_plain(minor, currency), currency)


@given(valid_amounts(), st.data())
def test_a_misplaced_comma_is_never_silently_accepted(
    amount: tuple[int, str], data: st.DataObject
) -> None:
    """Put a comma anywhere in the whole part: either it is a correct thousands separator
    (and the value is unchanged) or the amount is refused with a message about commas."""
    minor, currency = amount
    whole, _, fraction = format_plain(minor, currency).partition(".")
    at = data.draw(st.integers(1, len(whole)), label="comma position")
    whole_with_comma = whole[:at] + "," + whole[at:]
    text = f"{whole_with_comma}.{fraction}"
    grouped_ok = len(whole) - at == 3  # one comma is right only before the last three digits
    if grouped_ok:
        assert parse_amount(text, currency) == minor
    else:
        assert "comma" in error_for(text, currency).lower()


_AMOUNT_LIKE = st.text(alphabet="0123456789,.£$€ -GBPUSDEUR\u00a0\u0661", max_size=16)


@given(st.one_of(st.text(max_size=30), _AMOUNT_LIKE), currencies)
def test_any_text_is_either_a_valid_amount_or_a_money_error(text: str, currency: str) -> None:
    try:
        minor = parse_amount(text, currency)
    except MoneyError as exc:
        assert str(exc)  # always a message for the person
        return
    assert MINIMUM_CHARGE[currency] <= minor <= MAXIMUM_CHARGE
    # What was accepted reads the same as a plain decimal with the grouping commas removed:
    number = re.sub(r"[^0-9.]", "", text.upper().replace(currency, ""))
    assert Decimal(number) * 100 == minor
    # and any commas were real thousands separators.
    digits_and_commas = re.search(r"[0-9][0-9,]*", text)
    assert digits_and_commas is not None
    whole = digits_and_commas.group(0)
    if "," in whole:
        assert whole == f"{int(whole.replace(',', '')):,}" or whole.startswith("0")


# The fast formatter (a cached prefix/suffix and separators per currency and locale) must say
# exactly what Babel says, for every amount the app can hold and for the locales it may use.
FAST_LOCALES = ["en_GB", "en_US", "de_DE", "fr_FR", "de_CH", "en_IE", "nl_NL", "ja_JP"]


@given(
    minor=st.integers(min_value=-(10**15), max_value=10**15)
    | st.integers(min_value=0, max_value=MAXIMUM_CHARGE),
    currency=st.sampled_from(CURRENCIES),
    locale=st.sampled_from([None, *FAST_LOCALES]),
)
@example(minor=0, currency="GBP", locale=None)
@example(minor=-1, currency="EUR", locale=None)
@example(minor=100_000, currency="EUR", locale="de_DE")
@example(minor=99_999_999, currency="USD", locale="en_US")
def test_fast_format_money_is_babels(minor: int, currency: str, locale: str | None) -> None:
    from secportal.core.money import DEFAULT_LOCALE, babel_format_money

    assert format_money(minor, currency, locale) == babel_format_money(
        minor, currency, locale or DEFAULT_LOCALE[currency]
    )


def test_fast_formatter_is_used_for_the_default_locales_and_refuses_odd_groupings() -> None:
    from secportal.core.money import DEFAULT_LOCALE, _fast_formatter

    for currency in CURRENCIES:
        assert _fast_formatter(currency, DEFAULT_LOCALE[currency]) is not None
    # Indian grouping (12,34,567.89) is not groups of three: Babel formats it.
    assert _fast_formatter("GBP", "en_IN") is None
    assert format_money(123456789, "GBP", "en_IN") == "£12,34,567.89"
