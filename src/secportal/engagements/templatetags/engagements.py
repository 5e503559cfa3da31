"""Engagements shown on other apps' pages (the client page), without those apps importing us."""

from typing import Any

from django import template

from secportal.engagements import selectors

register = template.Library()


@register.inclusion_tag("engagements/_client_engagements.html", takes_context=True)
def client_engagements(context: Any, client: Any) -> dict[str, Any]:
    """The client's engagements, for its page."""
    return {
        "client": client,
        "engagements": selectors.engagements_of_client(client),
        "membership": context.get("membership"),
    }
