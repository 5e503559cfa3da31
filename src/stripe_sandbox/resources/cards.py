"""Stripe's test cards: the details a charge shows, and the numbers that decline."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

__all__ = ["DECLINES", "DISPUTES", "Card"]


@dataclass
class Card:
    number: str
    exp_month: int = 12
    exp_year: int = 2034

    @property
    def brand(self) -> str:
        n = self.number
        if n.startswith("4"):
            return "visa"
        if n[:2] in ("51", "52", "53", "54", "55") or "2221" <= n[:4] <= "2720":
            return "mastercard"
        if n[:2] in ("34", "37"):
            return "amex"
        if n.startswith(("6011", "65")):
            return "discover"
        return "unknown"

    @property
    def last4(self) -> str:
        return self.number[-4:]

    def details(self) -> dict[str, Any]:
        return {
            "card": {
                "amount_authorized": None,
                "brand": self.brand,
                "checks": {
                    "address_line1_check": None,
                    "address_postal_code_check": None,
                    "cvc_check": "pass",
                },
                "country": "GB",
                "exp_month": self.exp_month,
                "exp_year": self.exp_year,
                "fingerprint": hashlib.sha256(self.number.encode()).hexdigest()[:16],
                "funding": "credit",
                "installments": None,
                "last4": self.last4,
                "mandate": None,
                "network": self.brand,
                "network_token": {"used": False},
                "three_d_secure": None,
                "wallet": None,
            },
            "type": "card",
        }


# Stripe's test cards that fail: number -> (code, decline_code, message).
DECLINES: dict[str, tuple[str, str, str]] = {
    "4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
    "4000000000009995": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    "4000000000009987": ("card_declined", "lost_card", "Your card was declined."),
    "4000000000009979": ("card_declined", "stolen_card", "Your card was declined."),
    "4000000000000069": ("expired_card", "expired_card", "Your card has expired."),
    "4000000000000127": (
        "incorrect_cvc",
        "incorrect_cvc",
        "Your card's security code is incorrect.",
    ),
    "4000000000000119": (
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}

# Stripe's test cards whose charge succeeds, then is disputed: number -> the dispute's reason.
DISPUTES: dict[str, str] = {
    "4000000000000259": "fraudulent",
    "4000000000002685": "product_not_received",
}
