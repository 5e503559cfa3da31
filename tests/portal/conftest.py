"""Portal fixtures: sent invoices set up directly, and browsers signed in as a client contact."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from secportal.clients.models import Client, ClientContact
from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.portal import access

from ..conftest import Tenant

_numbers = itertools.count(1)


def make_sent(
    invoice: Invoice,
    *,
    due: datetime.date | None = None,
    status: str = InvoiceStatus.SENT,
    **fields: Any,
) -> Invoice:
    """Move a draft to sent (or beyond) by setting its fields, as send_invoice would."""
    today = timezone.now().date()
    invoice.status = status
    invoice.number = invoice.number or f"INV-{next(_numbers):04d}"
    invoice.issue_date = invoice.issue_date or today
    invoice.due_date = due or today + datetime.timedelta(days=30)
    invoice.sent_at = invoice.sent_at or timezone.now()
    if status == InvoiceStatus.PAID:
        invoice.paid_at = invoice.paid_at or timezone.now()
    if status == InvoiceStatus.VOID:
        invoice.voided_at = invoice.voided_at or timezone.now()
    for name, value in fields.items():
        setattr(invoice, name, value)
    invoice.save()
    return invoice


def new_invoice(tenant: Tenant, *, client: Client | None = None, **fields: Any) -> Invoice:
    values: dict[str, Any] = {
        "workspace": tenant.workspace,
        "client": client or tenant.client,
        "engagement": tenant.engagement if client is None else None,
        "amount": 50000,
        "currency": "GBP",
        "description": "Retest",
    }
    values.update(fields)
    return Invoice.objects.create(**values)


def portal_browser(contact: ClientContact, **client_kwargs: Any) -> HttpClient:
    """A browser whose session holds a signed-in contact, as the magic link would leave it."""
    browser = HttpClient(**client_kwargs)
    session = browser.session
    session[access.EMAIL_KEY] = contact.email.lower()
    session[access.SINCE_KEY] = timezone.now().isoformat()
    session[access.CONTACT_KEY] = contact.pk
    session.save()
    return browser


@pytest.fixture
def sent(tenant: Tenant) -> Invoice:
    return make_sent(tenant.invoice)


@pytest.fixture
def contact_browser(tenant: Tenant) -> HttpClient:
    return portal_browser(tenant.contact)
