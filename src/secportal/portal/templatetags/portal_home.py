"""The portal home's sections and their invoice items, written in one pass (issue 19).

``{% portal_sections sections payment_closed more_step %}`` writes the same ``<section>``s the
template loop wrote (``portal/home.html``), and ``{% portal_invoice_items section.invoices
payment_closed %}`` their ``<li>`` items: a loop of a dozen tags per invoice, and of as many per
section, cost the template engine about as much as the rest of the page. ``views.home`` fills
``invoice.row`` (addresses, shown status and its label) beforehand.
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


@register.simple_tag(takes_context=True)
def portal_sections(
    context: Any, sections: Iterable[Any], payment_closed: bool, more_step: int
) -> SafeString:
    """The home's engagement sections (``selectors.EngagementSection``), "Other invoices" last."""
    invoicing = context["workspace"].invoicing_enabled
    out = []
    for n, section in enumerate(sections, start=1):
        engagement = section.engagement
        name = escape(engagement) if engagement else "Other invoices"
        meta = ""
        if engagement:
            dates = ""
            if engagement.start_date:
                dates = f" · {escape(day_filter(engagement.start_date))}"
                if engagement.end_date:
                    dates += f" \u2013 {escape(day_filter(engagement.end_date))}"
            meta = f'<p class="muted">{escape(engagement.get_status_display())}{dates}</p>'
        invoices = section.invoices
        if invoices:
            more = ""
            if section.hidden:
                of = f" of {name}" if engagement else ""
                more = (
                    f'<p class="more">Showing the newest {len(invoices)} of {section.total} '
                    f'invoices. <a class="button" href="?more={escape(section.key)}&amp;shown='
                    f'{len(invoices) + more_step}#section-{n}">Show more<span '
                    f'class="visually-hidden"> invoices{of}</span></a></p>'
                )
            items = portal_invoice_items(context, invoices, payment_closed)
            body = f'\n  <ul class="invoice-list">\n    {items}\n  </ul>\n  {more}\n  '
        else:
            empty = '<p class="empty">No invoices for this engagement yet.</p>' if invoicing else ""
            body = f"\n  {empty}\n  "
        out.append(
            f'\n<section class="card engagement" aria-labelledby="section-{n}">\n'
            f'  <h2 id="section-{n}">{name}</h2>\n'
            f"  {meta}\n  {body}\n</section>\n"
        )
    return mark_safe("".join(out))  # noqa: S308  (every value escaped above)
