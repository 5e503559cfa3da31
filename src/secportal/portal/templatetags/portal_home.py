"""The portal home's invoice items, written in one pass (issue 19).

``{% portal_invoice_items section.invoices payment_closed %}`` writes the same ``<li>`` items the
template loop wrote (``portal/home.html``): a loop of a dozen tags per invoice cost the template
engine about as much as the rest of the page. ``views.home`` fills ``invoice.row`` (addresses,
shown status and its label) beforehand.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from secportal.core.money import format_money
from secportal.core.templatetags.when import day_filter
from secportal.invoicing.models import InvoiceStatus

register = template.Library()


def escape(value: object) -> str:
    """What ``django.utils.html.escape`` writes, without its lazy-string wrapper."""
    return html.escape(str(value))


def _csrf_input(context: Any) -> str:
    """What ``{% csrf_token %}`` writes."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


@register.simple_tag(takes_context=True)
def portal_invoice_items(context: Any, invoices: Iterable[Any], payment_closed: bool) -> SafeString:
    csrf = None
    out = []
    for invoice in invoices:
        row = invoice.row
        currency = invoice.currency
        label = escape(invoice.label)
        balance = ""
        if invoice.is_payable and invoice.balance_due != invoice.amount:
            balance = (
                ' <span class="muted">Balance due '
                f"{escape(format_money(invoice.balance_due, currency))}</span>"
            )
        if invoice.status == InvoiceStatus.PAID and invoice.paid_at:
            when = f"Paid on {escape(day_filter(invoice.paid_at))}"
        elif invoice.due_date:
            when = f"Due {escape(day_filter(invoice.due_date))}"
        else:
            when = ""
        pay = ""
        if invoice.is_payable and not payment_closed:
            if csrf is None:
                csrf = _csrf_input(context)
            pay = (
                f'\n        <form method="post" action="{escape(row["pay_url"])}" class="inline">'
                f'{csrf}<button type="submit" class="primary">Pay Invoice</button></form>\n        '
            )
        pdf_label = "Paid invoice (PDF)" if invoice.status == InvoiceStatus.PAID else "Invoice PDF"
        out.append(
            "\n    <li>\n"
            '      <div class="what">\n'
            f'        <a href="{escape(row["url"])}"><strong>Invoice {label}</strong></a>\n'
            f"        <span><strong>{escape(format_money(invoice.amount, currency))}</strong> "
            f'<span class="badge status-{escape(row["status"])}">'
            f"{escape(row['status_label'])}</span>{balance}</span>\n"
            f'        <span class="muted">{when}</span>\n'
            "      </div>\n"
            '      <div class="acts">\n'
            f"        {pay}\n"
            f'        <a class="button" href="{escape(row["pdf_url"])}">{pdf_label}'
            f'<span class="visually-hidden">, {label}</span></a>\n'
            "      </div>\n"
            "    </li>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308  (every value escaped above)
