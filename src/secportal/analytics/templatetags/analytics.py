"""Money figures for a client's or an engagement's page (Consulting mode only).

The client and engagement templates load this library; those apps never import analytics.
"""

from typing import Any

from django import template

from secportal.analytics import selectors

register = template.Library()


@register.inclusion_tag("analytics/_party_money.html", takes_context=True)
def client_money(context: Any, client: Any) -> dict[str, Any]:
    """Invoiced, collected (net of refunds), outstanding and overdue for a client."""
    workspace = context["workspace"]
    return {
        "heading": "Money",
        "heading_id": "client-money-heading",
        "what": "this client",
        "rows": selectors.money_of(workspace, workspace.today(), client=client),
    }


@register.inclusion_tag("analytics/_party_money.html", takes_context=True)
def engagement_money(context: Any, engagement: Any) -> dict[str, Any]:
    """Invoiced, collected (net of refunds), outstanding and overdue for an engagement."""
    workspace = context["workspace"]
    return {
        "heading": "Money",
        "heading_id": "engagement-money-heading",
        "what": "this engagement",
        "rows": selectors.money_of(workspace, workspace.today(), engagement=engagement),
    }
