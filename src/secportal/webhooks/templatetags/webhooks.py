from typing import Any

from django import template

from secportal.webhooks.models import WebhookEndpoint

register = template.Library()


@register.inclusion_tag("webhooks/_settings.html", takes_context=True)
def webhooks(context: Any) -> dict[str, Any]:
    """Settings → Webhooks: the workspace's endpoints, for owners."""
    return {
        "endpoints": list(WebhookEndpoint.objects.order_by("-created_at")),
        "membership": context["membership"],
    }
