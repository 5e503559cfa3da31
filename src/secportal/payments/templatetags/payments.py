from typing import Any

from django import template

from secportal.payments import selectors

register = template.Library()


@register.inclusion_tag("payments/_stripe_settings.html", takes_context=True)
def stripe_settings(context: Any) -> dict[str, Any]:
    workspace = context["workspace"]
    account = selectors.connected_account(workspace)
    key, words = selectors.account_state(account)
    return {
        "workspace": workspace,
        "membership": context["membership"],
        "account": account,
        "state": key,
        "state_words": words,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("payments/_invoice_payments.html", takes_context=True)
def invoice_payments(context: Any, invoice: Any) -> dict[str, Any]:
    return {
        "invoice": invoice,
        "payments": selectors.payments_of(invoice),
        "membership": context["membership"],
        "csrf_token": context.get("csrf_token"),
    }
