from typing import Any

from django import template
from django.urls import reverse

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
