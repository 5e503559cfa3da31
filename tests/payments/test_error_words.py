"""Issue 13, item 4: Stripe's raw errors never reach people: each becomes a plain sentence with
what to do, and Stripe's own text (with its request id) goes to the log."""

from __future__ import annotations

import logging

import pytest

from secportal.payments import gateway
from secportal.payments.error_words import plain_message, refund_failure_words

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_key_without_access_to_the_account_is_explained_and_logged(sandbox, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="secportal.payments.gateway")
    with pytest.raises(gateway.PaymentRefused) as caught:
        gateway.retrieve_checkout_session("cs_test_nothing", "acct_1nothere")
    message = caught.value.message
    assert "does not have access" not in message and "sk_test" not in message
    assert "connect it again in Settings" in message
    assert "does not have access to account 'acct_1nothere'" in caplog.text


def test_every_refusal_has_plain_words() -> None:
    for kind, code in [
        ("InvalidRequestError", "parameter_unknown"),
        ("InvalidRequestError", None),
        ("APIError", None),
        ("StripeError", "something_new"),
    ]:
        words = plain_message(kind, code, "req_123")
        assert "nothing was changed" in words.lower() and "req_123" in words
    assert "Settings" in plain_message("PermissionError", None, None)
    assert "support" in plain_message("AuthenticationError", None, None)


def test_refund_failure_codes_become_sentences() -> None:
    words = refund_failure_words("expired_or_canceled_card")
    assert "expired" in words and "Nothing was returned" in words
    assert "Stripe did not say why" in refund_failure_words("brand_new_reason")
    assert refund_failure_words("A sentence of ours.") == "A sentence of ours."
