"""The one-click "Invoice late-payment interest": a separate draft for the statutory interest
and compensation of an overdue invoice (issue 17, 5; the figures are ``interest``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from secportal.core.money import format_money

from . import services
from .interest import for_invoice
from .lines import LineInput
from .models import Invoice


def _description(invoice: Invoice) -> str:
    return f"Late payment interest and compensation on invoice {invoice.label}"


@transaction.atomic
def invoice_late_interest(invoice_id: int, user: Any) -> Invoice:
    """ "Invoice late-payment interest": a separate draft invoice to the client for the interest
    accrued so far and the fixed compensation. A draft for it already waiting is returned."""
    invoice = services.lock_invoice(invoice_id)
    workspace = invoice.workspace
    figures = for_invoice(invoice, workspace.today())
    if figures is None:
        raise services.InvoiceError(
            "No statutory interest is due on this invoice (it must be an overdue sterling "
            "invoice, with Late payment interest on in Settings → Reminders)."
        )
    waiting = Invoice.objects.filter(
        workspace=workspace,
        client=invoice.client,
        status="draft",
        description=_description(invoice),
    ).first()
    if waiting is not None:
        return waiting
    rate = "exempt" if workspace.vat_registered else "none"  # outside the scope of VAT
    return services.create_invoice(
        workspace,
        user,
        {
            "client": invoice.client,
            "engagement": invoice.engagement,
            "currency": "GBP",
            "description": _description(invoice),
            "lines": [
                line
                for line in (
                    LineInput(
                        f"Statutory interest on invoice {invoice.label}: {figures.days} days on "
                        f"{format_money(figures.debt, 'GBP')} at {figures.rate_words} a year",
                        Decimal(1),
                        figures.interest,
                        rate,
                    )
                    if figures.interest
                    else None,
                    LineInput(
                        f"Fixed compensation for late payment of invoice {invoice.label}",
                        Decimal(1),
                        figures.compensation,
                        rate,
                    ),
                )
                if line is not None
            ],
        },
    )
