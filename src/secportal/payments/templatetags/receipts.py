"""``{% load receipts %}{% if invoice|has_receipt %}``: show "Receipt" only when there is one."""

from __future__ import annotations

from typing import Any

from django import template

from secportal.payments.selectors import page_payments

register = template.Library()


@register.filter
def has_receipt(invoice: Any) -> bool:
    """Whether the invoice has a payment (not a refunded second one) to give a receipt of."""
    return any(not p.duplicate for p in page_payments(invoice))
