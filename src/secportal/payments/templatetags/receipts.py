"""``{% load receipts %}{% if invoice|has_receipt %}``: show "Receipt" only when there is one."""

from __future__ import annotations

from typing import Any

from django import template

from secportal.payments.models import Payment

register = template.Library()


@register.filter
def has_receipt(invoice: Any) -> bool:
    """Whether the invoice has a payment (not a refunded second one) to give a receipt of."""
    return Payment.unscoped.filter(invoice_id=invoice.pk, duplicate=False).exists()
