from typing import Any

from django import template
from django.urls import reverse

from secportal.invoicing import selectors, services

register = template.Library()


@register.inclusion_tag("invoicing/_engagement_invoices.html", takes_context=True)
def engagement_invoices(context: Any, engagement: Any) -> dict[str, Any]:
    """The invoices of an engagement, for its page (Consulting mode only)."""
    workspace = context["workspace"]
    return {
        "engagement": engagement,
        "invoices": selectors.invoices_of_engagement(engagement),
        "today": services.today_in(workspace),
        "new_url": reverse("invoicing:create") + f"?engagement={engagement.public_id}",
    }


@register.simple_tag
def shown_status(invoice: Any, today: Any) -> str:
    return invoice.shown_status(today)


@register.inclusion_tag("invoicing/_status.html")
def status_badge(invoice: Any, today: Any) -> dict[str, Any]:
    return {"status": invoice.shown_status(today), "label": invoice.shown_status_label(today)}


EVENT_LABELS = {
    "created": "Created",
    "edited": "Edited",
    "sent": "Sent",
    "email_delivered": "Email delivered",
    "email_failed": "Email failed",
    "email_resent": "Email sent again",
    "viewed": "Viewed by the client",
    "became_overdue": "Became overdue",
    "reminder_sent": "Overdue reminder sent",
    "checkout_started": "Checkout started",
    "paid": "Paid",
    "payment_flagged": "Payment needs attention",
    "refunded": "Refunded",
    "partially_refunded": "Partly refunded",
    "voided": "Voided",
}


@register.filter
def event_label(kind: str) -> str:
    return EVENT_LABELS.get(kind, kind.replace("_", " ").capitalize())
