"""Plain words for what Stripe reports in codes (issue 13, item 4)."""

from __future__ import annotations

from django import template

from secportal.payments.error_words import refund_failure_words

register = template.Library()


@register.filter
def refund_error(value: str) -> str:
    return refund_failure_words(value)
