"""The platform fee (DESIGN.md 5, the seed's table): one function, half-up, in minor units."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from secportal.core.fees import PLAN_FEE_BPS, fee_percent, platform_fee
from secportal.core.money import MAXIMUM_CHARGE

plan_rates = st.sampled_from(sorted(PLAN_FEE_BPS.values()))
any_rate = st.integers(0, 10_000)
amounts = st.integers(0, MAXIMUM_CHARGE * 10)


def reference_fee(amount_minor: int, fee_bps: int) -> int:
    """The same rule written with Decimal: amount x rate, rounded half up to a whole minor unit."""
    exact = Decimal(amount_minor) * Decimal(fee_bps) / Decimal(10_000)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_the_seed_rates() -> None:
    assert PLAN_FEE_BPS == {"starter": 400, "pro": 350, "team": 200}


@pytest.mark.parametrize(("plan", "shown"), [("starter", "4%"), ("pro", "3.5%"), ("team", "2%")])
def test_fee_percent_as_the_seed_writes_it(plan: str, shown: str) -> None:
    assert fee_percent(PLAN_FEE_BPS[plan]) == shown


@pytest.mark.parametrize(
    ("bps", "shown"), [(0, "0%"), (1, "0.01%"), (125, "1.25%"), (1000, "10%"), (10_000, "100%")]
)
def test_fee_percent_other_rates(bps: int, shown: str) -> None:
    assert fee_percent(bps) == shown


@pytest.mark.parametrize(
    ("amount", "bps", "fee"),
    [
        (10_000, 400, 400),  # 4% of £100.00 is 400 pence
        (10_000, 350, 350),
        (10_000, 200, 200),
        (1_000, 350, 35),  # 3.5% of 1000
        (1_999, 200, 40),  # 2% of 19.99 = 39.98, rounds to 40
        (125_050, 400, 5_002),
        (125_050, 350, 4_377),  # 4376.75 -> 4377
        (125_050, 200, 2_501),
        (MAXIMUM_CHARGE, 400, 4_000_000),  # 3,999,999.96 -> 4,000,000
        (MAXIMUM_CHARGE, 200, 2_000_000),
        (0, 400, 0),
        (1, 400, 0),
        (30, 400, 1),  # 1.2 -> 1
        (50, 350, 2),  # 1.75 -> 2
    ],
)
def test_examples(amount: int, bps: int, fee: int) -> None:
    assert platform_fee(amount, bps) == fee


@pytest.mark.parametrize(
    ("amount", "bps", "fee"),
    [
        # exactly half a minor unit rounds up ...
        (100, 350, 4),  # 3.5 -> 4
        (300, 350, 11),  # 10.5 -> 11
        (25, 200, 1),  # 0.5 -> 1
        (75, 200, 2),  # 1.5 -> 2
        (1, 5_000, 1),  # 0.5 -> 1
        # ... and just under half rounds down
        (99, 350, 3),  # 3.465 -> 3
        (24, 200, 0),  # 0.48 -> 0
        (74, 200, 1),  # 1.48 -> 1
        (1, 4_999, 0),  # 0.4999 -> 0
    ],
)
def test_half_up_boundaries(amount: int, bps: int, fee: int) -> None:
    assert platform_fee(amount, bps) == fee


@pytest.mark.parametrize(("amount", "bps"), [(-1, 400), (100, -1), (100, 10_001)])
def test_nonsense_is_refused(amount: int, bps: int) -> None:
    with pytest.raises(ValueError, match=r"negative|above 100%"):
        platform_fee(amount, bps)


@given(amounts, any_rate)
@example(1, 5_000)
@example(MAXIMUM_CHARGE, 10_000)
def test_matches_decimal_half_up(amount: int, bps: int) -> None:
    assert platform_fee(amount, bps) == reference_fee(amount, bps)


@given(amounts, any_rate)
def test_never_negative_never_above_the_amount(amount: int, bps: int) -> None:
    assert 0 <= platform_fee(amount, bps) <= amount


@given(amounts, any_rate)
def test_within_half_a_minor_unit_of_the_exact_fee(amount: int, bps: int) -> None:
    fee = platform_fee(amount, bps)
    assert abs(fee * 10_000 - amount * bps) <= 5_000


@given(amounts, amounts, any_rate)
def test_monotonic_in_amount(first: int, second: int, bps: int) -> None:
    low, high = sorted((first, second))
    assert platform_fee(low, bps) <= platform_fee(high, bps)


@given(amounts, any_rate, any_rate)
def test_monotonic_in_rate(amount: int, first: int, second: int) -> None:
    low, high = sorted((first, second))
    assert platform_fee(amount, low) <= platform_fee(amount, high)


@given(st.integers(0, MAXIMUM_CHARGE // 100), plan_rates)
def test_exact_on_whole_units_where_the_rate_divides(units: int, bps: int) -> None:
    """On whole pounds (multiples of 100 minor units) Starter and Team are exact, and Pro is
    exact on even pounds: no rounding happens, the fee is precisely amount x rate."""
    amount = units * 100
    if bps == 350 and units % 2:
        assert platform_fee(amount, bps) == (units * 7 + 1) // 2  # x.5 rounds up
    else:
        assert platform_fee(amount, bps) * 10_000 == amount * bps


@given(st.integers(1, MAXIMUM_CHARGE), plan_rates)
def test_fee_is_additive_up_to_rounding(amount: int, bps: int) -> None:
    """Splitting an amount in two never changes the total fee by more than one minor unit."""
    half = amount // 2
    assert (
        abs(platform_fee(half, bps) + platform_fee(amount - half, bps) - platform_fee(amount, bps))
        <= 1
    )
