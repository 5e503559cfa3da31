"""Paying a Checkout Session: by card, by bank debit, or by bank transfer (hosted page and
``POST /_sandbox/checkout/{id}/pay``)."""

from __future__ import annotations

import re
import time
from typing import Any

from ..errors import missing
from ..sandbox import Sandbox
from ..store import clone
from . import bank, disputes, payments
from .cards import DISPUTES
from .checkout import EMAIL, expire_now

# Paying ------------------------------------------------------------------------------------


def _card_problem(number: str, expiry: str | None, cvc: str | None) -> dict[str, str] | None:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return {
            "code": "incorrect_number",
            "param": "card_number",
            "message": "Your card number is incomplete.",
        }
    digits = [int(d) for d in reversed(number)]
    checksum = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    if checksum % 10:
        return {
            "code": "incorrect_number",
            "param": "card_number",
            "message": "Your card number is invalid.",
        }
    if expiry is not None:
        match = re.fullmatch(r"\s*(\d{1,2})\s*/?\s*(\d{2}|\d{4})\s*", expiry)
        if not match or not 1 <= int(match.group(1)) <= 12:
            return {
                "code": "invalid_expiry_month",
                "param": "expiry",
                "message": "Your card's expiration date is incomplete.",
            }
        month, year = int(match.group(1)), int(match.group(2))
        year = year + 2000 if year < 100 else year
        today = time.gmtime()
        if (year, month) < (today.tm_year, today.tm_mon):
            return {
                "code": "invalid_expiry_year",
                "param": "expiry",
                "message": "Your card's expiration date is in the past.",
            }
    if cvc is not None and not re.fullmatch(r"\d{3,4}", cvc.strip()):
        return {
            "code": "invalid_cvc",
            "param": "cvc",
            "message": "Your card's security code is incomplete.",
        }
    return None


def _expiry(expiry: str | None) -> tuple[int, int]:
    if expiry:
        match = re.fullmatch(r"\s*(\d{1,2})\s*/?\s*(\d{2}|\d{4})\s*", expiry)
        if match:
            year = int(match.group(2))
            return int(match.group(1)), year + 2000 if year < 100 else year
    return 12, 2034


def _complete(session: dict[str, Any], email: str, billing: dict[str, Any], paid: bool) -> None:
    session["status"] = "complete"
    session["payment_status"] = "paid" if paid else "unpaid"
    session["url"] = None
    session["customer_details"] = {
        "address": billing["address"],
        "business_name": None,
        "email": email,
        "individual_name": None,
        "name": billing["name"],
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
    }
    session["collected_information"] = {"shipping_details": None}


def pay(
    sb: Sandbox,
    session_id: str,
    *,
    card_number: str = "",
    email: str | None = None,
    name: str | None = None,
    expiry: str | None = None,
    cvc: str | None = None,
    payment_method: str = "card",
    bank_details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Pay an open session; the outcome as a dict (never raises for declines).

    ``outcome`` is ``succeeded``, ``declined`` (a card error: ``error`` has Stripe's code,
    decline_code and message; the session stays open), ``processing`` (a bank debit: the
    session is complete and unpaid until the clock settles it), ``awaiting_funding`` (a bank
    transfer), ``invalid`` (the form was incomplete), or ``not_open`` (expired or complete).
    """
    session = sb.store.get(session_id, "checkout.session")
    if session is None:
        raise missing("checkout.session", session_id, param="session")
    owner = sb.store.owner.get(session_id)
    sb.store.livemode = bool(session.get("livemode"))
    if session["status"] == "open" and session["expires_at"] <= sb.now():
        expire_now(sb, session, None)
    if session["status"] != "open":
        return {"outcome": "not_open", "status": session["status"], "session": clone(session)}
    problem = None
    if payment_method not in session["payment_method_types"]:
        problem = {
            "code": "payment_method_unavailable",
            "param": "payment_method",
            "message": f"This Checkout Session does not accept {payment_method}.",
        }
    number = re.sub(r"[\s-]", "", card_number or "")
    if problem is None and payment_method == "card":
        problem = _card_problem(number, expiry, cvc)
    email = (email or "").strip() or session.get("customer_email")
    if problem is None and not (email and EMAIL.match(email)):
        problem = {
            "code": "email_invalid",
            "param": "email",
            "message": "Your email address is incomplete."
            if not email
            else "Your email address is invalid.",
        }
    if problem is not None:
        return {"outcome": "invalid", "error": problem, "session": clone(session)}
    assert email is not None
    internal = sb.store.internal_of(session_id)
    intent = sb.store.get(session["payment_intent"] or "", "payment_intent")
    if intent is None:
        intent = payments.new_payment_intent(
            sb,
            owner,
            session["amount_total"],
            session["currency"],
            internal.get("payment_intent_data") or {},
        )
        intent["payment_method_types"] = list(session["payment_method_types"])
        sb.store.add(intent, owner)
        session["payment_intent"] = intent["id"]
    billing = payments.billing_details(email, (name or "").strip() or None)
    if payment_method != "card":
        return _pay_by_bank(
            sb, owner, session, intent, payment_method, bank_details, email, billing
        )
    month, year = _expiry(expiry)
    card = payments.Card(number, month, year)
    charge, events = payments.attempt_payment(sb, owner, intent, card, billing)
    if charge["status"] != "succeeded":
        for event_type, obj, account in events:
            sb.emit(event_type, obj, account=account)
        error = clone(intent["last_payment_error"])
        return {
            "outcome": "declined",
            "error": error,
            "payment_intent": intent["id"],
            "charge": charge["id"],
            "session": clone(session),
        }
    _complete(session, email, billing, paid=True)
    sb.store.touch()
    events.insert(2, ("checkout.session.completed", session, owner))
    for event_type, obj, account in events:
        sb.emit(event_type, obj, account=account)
    if number in DISPUTES:  # Stripe's dispute test cards: the charge is disputed at once
        disputes.open_dispute(sb, charge["id"], DISPUTES[number])
    return {
        "outcome": "succeeded",
        "payment_intent": intent["id"],
        "charge": charge["id"],
        "application_fee": charge["application_fee"],
        "redirect": success_redirect(session),
        "session": clone(session),
    }


def _pay_by_bank(
    sb: Sandbox,
    owner: str | None,
    session: dict[str, Any],
    intent: dict[str, Any],
    method: str,
    fields: dict[str, Any] | None,
    email: str,
    billing: dict[str, Any],
) -> dict[str, Any]:
    if method == "customer_balance":
        outcome = bank.start_transfer(sb, owner, session, intent)
    else:
        outcome = bank.start_debit(sb, owner, session, intent, method, fields or {}, billing)
        if outcome["outcome"] == "invalid":
            return {**outcome, "session": clone(session)}
    _complete(session, email, billing, paid=False)
    sb.store.touch()
    sb.emit("checkout.session.completed", session, account=owner)
    return {**outcome, "redirect": success_redirect(session), "session": clone(session)}


def success_redirect(session: dict[str, Any]) -> str:
    return str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", session["id"])
