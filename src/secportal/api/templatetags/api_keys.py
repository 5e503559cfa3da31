from typing import Any

from django import template

from secportal.api.models import ApiKey

register = template.Library()


@register.inclusion_tag("api/_settings.html", takes_context=True)
def api_keys(context: Any) -> dict[str, Any]:
    """Settings → API keys: the workspace's keys (prefix, role, last used), for owners."""
    return {
        "keys": list(ApiKey.objects.select_related("created_by").order_by("-created_at")),
        "membership": context["membership"],
        "csrf_token": context.get("csrf_token"),
    }
