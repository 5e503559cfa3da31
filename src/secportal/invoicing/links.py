"""Absolute links that go into emails and PDFs."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from secportal.core.signing import make_pay_token

from .models import Invoice


def pay_link(invoice: Invoice) -> str:
    """The signed per-invoice link of the email's Pay Invoice button (works without signing in)."""
    token = make_pay_token(invoice.public_id, invoice.amount, invoice.currency)
    return settings.SITE_URL + reverse("portal:pay_link", args=[token])


def portal_link() -> str:
    return settings.SITE_URL + reverse("portal:login")


def consultant_link(invoice: Invoice) -> str:
    return settings.SITE_URL + reverse("invoicing:detail", args=[invoice.public_id])
