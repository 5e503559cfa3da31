import uuid
from typing import Any

from django import template

from secportal.core.money import format_plain
from secportal.payments import methods, selectors

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
        "method_notes": methods.NOTES,
        "offered_methods": methods.offered(workspace),
        "partial": methods.partial_settings(workspace),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("payments/_invoice_payments.html", takes_context=True)
def invoice_payments(context: Any, invoice: Any) -> dict[str, Any]:
    payments = selectors.page_payments(invoice)
    if not payments:  # the template shows nothing of this part without a payment
        return {"invoice": invoice, "payments": payments}
    left = selectors.refundable_of(payments) if invoice.status == "paid" else 0
    refund_requests, stripe_refunds, disputes = selectors.page_payment_details(invoice)
    return {
        "invoice": invoice,
        "payments": payments,
        "refund_requests": refund_requests,
        "refund_form": _refund_form(context.get("request"), invoice, left),
        "stripe_refunds": stripe_refunds,
        "disputes": disputes,
        "credit_refund": _credit_refund(invoice, left),
        "membership": context["membership"],
        "csrf_token": context.get("csrf_token"),
    }


def _refund_form(request: Any, invoice: Any, left: int) -> dict[str, Any]:
    """The refund form's request id: new for each form shown, so that submitting the same form
    twice is one refund; after "Stripe has not answered", the same id to try again with."""
    query = getattr(request, "GET", {})
    named = (
        selectors.named_refund_request(invoice, query.get("refund")) if "refund" in query else None
    )
    if named is not None:  # submitting this form again is that request, whatever its state
        return {
            "request_id": named.public_id,
            "amount": query.get("amount", ""),
            "retry": named.unresolved,
            "left": left,
        }
    return {"request_id": uuid.uuid4(), "amount": "", "retry": False, "left": left}


def _credit_refund(invoice: Any, left: int) -> dict[str, Any] | None:
    """The offer to refund credit notes through Stripe: the refund flow's own form (a new
    request id; the confirmation page follows), prefilled with what the credits still owe."""
    if invoice.status != "paid" or invoice.credited_amount <= invoice.refunded_amount:
        amount = 0  # selectors.credit_to_refund's rule, over the payments already read
    else:
        amount = min(invoice.credited_amount - invoice.refunded_amount, left)
    if not amount:
        return None
    return {
        "amount": amount,
        "amount_text": format_plain(amount, invoice.currency),
        "request_id": uuid.uuid4(),
    }
