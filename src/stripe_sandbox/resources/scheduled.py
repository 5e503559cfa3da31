"""What the sandbox clock makes happen: bank debits settling, refunds settling or failing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..sandbox import Sandbox
from . import bank, refunds


def _refund_settle(sb: Sandbox, data: dict[str, Any]) -> None:
    refunds.settle(sb, data["refund"])


def _refund_fail(sb: Sandbox, data: dict[str, Any]) -> None:
    refund = sb.store.get(data["refund"], "refund")
    if refund is not None and refund["status"] in ("pending", "succeeded"):
        refunds.fail(sb, data["refund"])


ACTIONS: dict[str, Callable[[Sandbox, dict[str, Any]], None]] = {
    "refund_settle": _refund_settle,
    "refund_fail": _refund_fail,
    "bank_debit_settle": bank.settle_debit,
}


def run(sb: Sandbox, action: str, data: dict[str, Any]) -> None:
    ACTIONS[action](sb, data)
