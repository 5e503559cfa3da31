import datetime
import html
from typing import Any

from django import template
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from secportal.invoicing import selectors

register = template.Library()


@register.inclusion_tag("invoicing/_engagement_invoices.html", takes_context=True)
def engagement_invoices(context: Any, engagement: Any) -> dict[str, Any]:
    """The invoices of an engagement, for its page (Consulting mode only)."""
    workspace = context["workspace"]
    return {
        "engagement": engagement,
        "invoices": selectors.invoices_of_engagement(engagement),
        "today": workspace.today(),
        "new_url": reverse("invoicing:create") + f"?engagement={engagement.public_id}",
    }


@register.inclusion_tag("invoicing/_status.html")
def status_badge(invoice: Any, today: Any) -> dict[str, Any]:
    return {"status": invoice.shown_status(today), "label": invoice.shown_status_label(today)}


_DASH = "\u2014"


@register.simple_tag
def invoice_list_head(columns: dict[str, dict[str, str]]) -> SafeString:
    """The invoice list's header cells (``views._sort_columns``: each sortable column's link,
    label and aria-sort), the markup the template's ``{% with %}`` blocks wrote, in one pass."""

    def sortable(key: str, css: str = "") -> str:
        column = columns[key]
        return (
            f'<th scope="col"{css} aria-sort="{html.escape(str(column["state"]))}">'
            f'<a href="{html.escape(str(column["href"]))}">{html.escape(str(column["label"]))}'
            "</a></th>"
        )

    return mark_safe(  # noqa: S308  (every value escaped above)
        sortable("number")
        + sortable("client")
        + '<th scope="col">Engagement and description</th>'
        + sortable("issued")
        + sortable("due")
        + '<th scope="col">Paid</th>'
        + sortable("amount", ' class="num"')
        + sortable("status")
    )


@register.simple_tag
def invoice_rows(rows: list[dict[str, Any]]) -> SafeString:
    """The invoice list's rows (``selectors.invoice_page``) as ``<tr>`` elements.

    The same markup the template loop wrote, built in one pass: 25 rows of 8 cells each cost
    a template engine about as much as everything else on the page (issue 19).
    """
    from secportal.core.templatetags.when import day_filter

    # html.escape is what django.utils.html.escape calls, without its lazy-string wrapper
    # (300 calls a page); the text is the same.
    def escape(value: object) -> str:
        return html.escape(str(value))

    def day(value: datetime.date | datetime.datetime | None) -> str:
        return escape(day_filter(value)) if value else _DASH

    def short(text: str) -> str:
        """``truncatechars:80``; a text of at most 80 characters is never cut (the filter
        looks up its translated ellipsis on every call)."""
        return text if len(text) <= 80 else truncatechars(text, 80)

    out = []
    for row in rows:
        description = row["description"]
        small = f'<small class="muted">{escape(short(description))}</small>' if description else ""
        status = escape(row["status"])
        balance = (
            f'<small class="muted">Balance due {escape(row["balance"])}</small>'
            if row.get("balance")
            else ""
        )
        out.append(
            "\n    <tr>\n"
            f'      <td data-label="Number"><a href="{escape(row["url"])}">'
            f"{escape(row['label'])}</a></td>\n"
            f'      <td data-label="Client">{escape(row["client"])}</td>\n'
            f'      <td data-label="Engagement" class="desc phone-hide">'
            f"{escape(row['engagement'] or _DASH)}{small}</td>\n"
            f'      <td data-label="Issued" class="phone-hide">{day(row["issue_date"])}</td>\n'
            f'      <td data-label="Due date">{day(row["due_date"])}</td>\n'
            f'      <td data-label="Paid" class="phone-hide">{day(row["paid_at"])}</td>\n'
            f'      <td data-label="Amount" class="num">{escape(row["amount"])}{balance}</td>\n'
            f'      <td data-label="Status"><span class="badge status-{status}">'
            f"{escape(row['status_label'])}</span></td>\n"
            "    </tr>"
        )
    return mark_safe("".join(out))  # noqa: S308  (every value escaped above)
