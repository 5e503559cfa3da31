"""The platform's fee per plan (the seed's table), computed in one place."""

from __future__ import annotations

from decimal import Decimal

PLAN_FEE_BPS = {"starter": 400, "pro": 350, "team": 200}


def platform_fee(amount_minor: int, fee_bps: int) -> int:
    """Fee in minor units, rounded half up: ``(amount * bps + 5000) // 10000``."""
    if amount_minor < 0 or fee_bps < 0:
        raise ValueError("amount and rate must not be negative")
    if fee_bps > 10_000:
        raise ValueError("the rate must not be above 100% (10000 basis points)")
    return (amount_minor * fee_bps + 5000) // 10000


def fee_percent(fee_bps: int) -> str:
    """``4%``, ``3.5%``, ``2%``: the rate as the seed writes it."""
    return f"{(Decimal(fee_bps) / 100).normalize():f}%"
