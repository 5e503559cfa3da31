"""Stripe's refusals in plain words for the person in front of the screen (issue 13, item 4).

Stripe's own message ("The provided key 'sk_test_…' does not have access to account …") is for
developers: it goes to the log, with Stripe's request id, and never to a page. This module does
not import ``stripe``: the gateway passes the error's class name and code.
"""

from __future__ import annotations

RECONNECT = (
    "SecPortal cannot reach your Stripe account any more: it may have been disconnected or "
    "reconnected as another account. An owner can connect it again in Settings; nothing was "
    "charged or refunded."
)

BY_CODE = {
    "account_invalid": RECONNECT,
    "charge_already_refunded": "This payment has already been refunded in full.",
    "amount_too_large": "The amount is more than is left to refund. Enter a smaller amount.",
    "idempotency_error": (
        "This request was already made with other details. Reload the page and try again."
    ),
    "resource_missing": (
        "Stripe no longer has this record (it may have been deleted in the Stripe Dashboard, or "
        "belong to another Stripe account). Nothing was changed; if an owner reconnected Stripe, "
        "check Settings."
    ),
    "charge_disputed": (
        "This payment is disputed by the client's bank, so it cannot be refunded here: respond "
        "to the dispute in your Stripe Dashboard."
    ),
    "insufficient_funds": (
        "Your Stripe balance is too low for this refund just now. Add funds in your Stripe "
        "Dashboard, or try again after your next payment arrives."
    ),
    "balance_insufficient": (
        "Your Stripe balance is too low for this refund just now. Add funds in your Stripe "
        "Dashboard, or try again after your next payment arrives."
    ),
}

BY_KIND = {
    "PermissionError": RECONNECT,
    "AuthenticationError": (
        "Online payments are not available just now: SecPortal's connection to Stripe is not "
        "set up correctly. Nothing was charged or refunded; please contact SecPortal support."
    ),
    "IdempotencyError": BY_CODE["idempotency_error"],
    "CardError": "The card was declined. Try another card, or contact your bank.",
}


def plain_message(kind: str, code: str | None, request_id: str | None) -> str:
    """What to tell a person about Stripe refusing a request: what happened and what to do."""
    words = BY_CODE.get(code or "") or BY_KIND.get(kind)
    if words:
        return words
    reference = f" (reference {request_id})" if request_id else ""
    return (
        "Stripe did not accept this request, so nothing was changed. Please try again; if it "
        f"happens again, contact SecPortal support{reference}."
    )


REFUND_FAILURES = {
    "lost_or_stolen_card": "the client's card was reported lost or stolen",
    "expired_or_canceled_card": "the client's card has expired or was cancelled",
    "charge_for_pending_refund_disputed": "the client's bank disputed the payment meanwhile",
    "insufficient_funds": "your Stripe balance was too low",
    "declined": "the client's bank declined it",
    "merchant_request": "it was cancelled in the Stripe Dashboard",
    "unknown": "Stripe did not say why",
}


def refund_failure_words(value: str) -> str:
    """A refund's failure, in words: Stripe's ``failure_reason`` codes become a sentence with
    what to do; a sentence (ours, from ``plain_message``) is kept."""
    if not value or " " in value:
        return value
    why = REFUND_FAILURES.get(value, REFUND_FAILURES["unknown"])
    return (
        f"The refund failed because {why}. Nothing was returned to the client: refund them "
        "another way (for example by bank transfer) and note it on the invoice."
    )
