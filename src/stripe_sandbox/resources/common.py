"""Helpers shared by the resources: metadata rules, deep merges, diffs, money, URLs."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

from ..errors import invalid

# Smallest charge per currency in minor units (Stripe's minimums); others default to 50.
MINIMUM_AMOUNT = {"gbp": 30, "usd": 50, "eur": 50, "chf": 50, "cad": 50, "aud": 50}
MAXIMUM_AMOUNT = 99_999_999
ZERO_DECIMAL = {
    "bif",
    "clp",
    "djf",
    "gnf",
    "jpy",
    "kmf",
    "krw",
    "mga",
    "pyg",
    "rwf",
    "ugx",
    "vnd",
    "vuv",
    "xaf",
    "xof",
    "xpf",
}
SYMBOLS = {"gbp": "£", "usd": "$", "eur": "€", "aud": "A$", "cad": "CA$", "jpy": "¥"}
# Stripe's processing fee in the sandbox: (basis points, fixed minor units) per currency.
STRIPE_FEES = {"gbp": (150, 20), "eur": (150, 25), "usd": (290, 30)}


def format_amount(amount: int, currency: str) -> str:
    """``125000, "gbp"`` -> ``£1,250.00``."""
    currency = currency.lower()
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    zero_decimal = currency in ZERO_DECIMAL
    number = f"{amount:,}" if zero_decimal else f"{amount // 100:,}.{amount % 100:02d}"
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency.upper()}"


def stripe_fee(amount: int, currency: str) -> int:
    bps, fixed = STRIPE_FEES.get(currency.lower(), (290, 30))
    return (amount * bps + 5000) // 10000 + fixed


def apply_metadata(current: dict[str, str], update: Any) -> dict[str, str]:
    """Stripe's rules: ``metadata=""`` clears all, ``metadata[k]=""`` removes ``k``."""
    if update == "":
        return {}
    merged = dict(current)
    for key, value in (update or {}).items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    if len(merged) > 50:
        raise invalid("Metadata can have at most 50 keys.", param="metadata")
    return merged


def deep_merge(target: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_merge(target[key], value)
        else:
            target[key] = None if value == "" else copy.deepcopy(value)


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``previous_attributes``: the old values of what changed (nested hashes by key)."""
    changed: dict[str, Any] = {}
    for key in set(old) | set(new):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict) and before and after:
            changed[key] = diff(before, after)
        else:
            changed[key] = copy.deepcopy(before)
    return changed


def check_url(value: str, param: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid("Not a valid URL", param=param, code="url_invalid")
    return value


def empty_address() -> dict[str, Any]:
    return {k: None for k in ("city", "country", "line1", "line2", "postal_code", "state")}


def created_matches(created: int, spec: Any) -> bool:
    """``created`` filters: an exact time or a hash of ``gt``/``gte``/``lt``/``lte``."""
    if spec is None or spec == "":
        return True
    if isinstance(spec, int):
        return created == spec
    checks = {
        "gt": created > spec.get("gt", created - 1),
        "gte": created >= spec.get("gte", created),
        "lt": created < spec.get("lt", created + 1),
        "lte": created <= spec.get("lte", created),
    }
    return all(checks.values())
