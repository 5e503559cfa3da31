from __future__ import annotations

import json
import logging
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from secportal.core.locales import use_locale
from secportal.core.money import MoneyError, format_money, parse_amount
from secportal.core.signing import make_pay_token
from secportal.core.tenancy import UNSCOPED, use_workspace
from secportal.invoicing.selectors import get_invoice
from secportal.invoicing.services import InvoiceError
from secportal.workspaces.access import WorkspaceRequest, workspace_view
from secportal.workspaces.models import Role

from . import connect as connect_account
from . import debits, gateway, methods, refunds, selectors, settlement, tasks, transfers
from .models import PaymentMethod

logger = logging.getLogger(__name__)


@workspace_view(Role.OWNER, invoicing=True)
@require_POST
def connect(request: WorkspaceRequest) -> HttpResponse:
    """Connect Stripe Account: create the account once, then go to Stripe's onboarding."""
    try:
        url = connect_account.connect_link(request.workspace.pk, request.user)
    except gateway.GatewayError as exc:
        messages.error(request, exc.message)
        return redirect("workspaces:settings")
    return redirect(url)


@workspace_view(Role.OWNER, invoicing=True)
def connect_return(request: WorkspaceRequest) -> HttpResponse:
    """Back from onboarding: it only means the person left the flow, so ask Stripe."""
    try:
        account = connect_account.refresh_account(request.workspace.pk)
    except gateway.GatewayError as exc:
        messages.error(request, exc.message)
        return redirect("workspaces:settings")
    _key, words = selectors.account_state(account)
    messages.info(request, f"Stripe account: {words}.")
    return redirect("workspaces:settings")


@workspace_view(Role.OWNER, invoicing=True)
def connect_refresh(request: WorkspaceRequest) -> HttpResponse:
    """The onboarding link expired or was used: make a new one."""
    try:
        return redirect(connect_account.connect_link(request.workspace.pk, request.user))
    except gateway.GatewayError as exc:
        messages.error(request, exc.message)
        return redirect("workspaces:settings")


@workspace_view(Role.OWNER, invoicing=True)
@require_POST
def payment_methods(request: WorkspaceRequest) -> HttpResponse:
    """Settings: the ways to pay the workspace offers on Checkout (new checkouts use them)."""
    text = request.POST.get("minimum_part_percent", "").strip() or "10"
    try:
        if not text.isdigit():
            raise ValidationError("Minimum part: enter a whole percent from 1 to 100.")
        with transaction.atomic():
            chosen = methods.set_payment_methods(
                request.workspace.pk, request.user, request.POST.getlist("methods")
            )
            methods.set_partial_payments(
                request.workspace.pk,
                request.user,
                allow=request.POST.get("allow_partial_payments") == "yes",
                minimum_percent=int(text),
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages) + " Nothing was changed.")
    else:
        labels = ", ".join(PaymentMethod(m).label for m in chosen)
        messages.success(request, f"Clients can now pay by: {labels}.")
    return redirect(reverse("workspaces:settings") + "#ways-to-pay")


@workspace_view(Role.ADMIN, invoicing=True)
@require_POST
def refund(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    invoice = get_invoice(invoice_id)
    text = request.POST.get("amount", "").strip()
    request_id = _uuid(request.POST.get("request_id"))
    # An empty amount means "choose one", never "everything"; and nothing is refunded before
    # the person has confirmed the amount and what it does (issue 13, item 14).
    left = selectors.refundable(invoice)
    if not text:
        messages.error(
            request,
            f"Enter the amount to refund (at most {format_money(left, invoice.currency)}). "
            "Nothing was refunded.",
        )
        return redirect("invoicing:detail", invoice_id=invoice.public_id)
    if request.POST.get("confirm") != "yes":
        try:
            chosen = parse_amount(text, invoice.currency)
        except MoneyError as exc:
            messages.error(request, f"{exc} Nothing was refunded.")
            return redirect("invoicing:detail", invoice_id=invoice.public_id)
        context = {"invoice": invoice, "amount": chosen, "amount_text": text, "left": left}
        context["request_id"] = request_id
        return render(request, "payments/refund_confirm.html", context)
    try:
        amount = parse_amount(text, invoice.currency)
        refund_request = refunds.refund_invoice(
            invoice.pk, request.user, amount, request_id=request_id
        )
    except gateway.PaymentsUnavailable:
        messages.error(
            request,
            "Stripe has not answered yet, so we do not know whether the refund was made. "
            "Nothing more will be refunded: use Try the refund again to ask Stripe once more.",
        )
        if request_id is not None:
            detail = reverse("invoicing:detail", args=[invoice.public_id])
            return redirect(f"{detail}?{urlencode({'refund': request_id, 'amount': text})}")
    except (MoneyError, InvoiceError, gateway.GatewayError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        amount_words = format_money(refund_request.amount, invoice.currency)
        messages.success(
            request,
            f"Refund of {amount_words}: {refund_request.get_state_display().lower()}. "
            "The invoice shows what Stripe confirms.",
        )
    return redirect("invoicing:detail", invoice_id=invoice.public_id)


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's webhooks: verify, store, then process once (DESIGN.md 7)."""
    payload = request.body
    signature = request.headers.get("Stripe-Signature")
    try:
        verified = gateway.verify_webhook(payload, signature, settings.STRIPE_WEBHOOK_SECRETS)
    except UnicodeDecodeError:
        verified = False
    if not verified:
        logger.warning("webhook refused: bad or old signature (%s bytes)", len(payload))
        return HttpResponseBadRequest("invalid signature")
    try:
        data = json.loads(payload)
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise ValueError("not an event")
    except ValueError:
        logger.warning("webhook refused: signed but not a Stripe event")
        return HttpResponseBadRequest("invalid payload")
    with use_workspace(UNSCOPED):
        event = tasks.accept_event(data)
    return JsonResponse({"received": True, "event": event.event_id})


def checkout_success(request: HttpRequest) -> HttpResponse:
    """Stripe sends the payer here; we ask Stripe, never trusting the redirect alone."""
    session_id = request.GET.get("session_id", "")
    attempt = selectors.attempt_for_session(session_id) if session_id else None
    if attempt is None:
        raise Http404("No such payment.")
    with use_workspace(UNSCOPED):
        try:
            session = gateway.retrieve_checkout_session(session_id, attempt.stripe_account_id)
            settlement.apply_paid_session(session, attempt.stripe_account_id, source="success page")
            if session.get("status") == "complete" and session.get("payment_status") == "unpaid":
                debits.apply_session_processing(session)  # a bank debit, or a transfer awaited
        except gateway.GatewayError:
            session = {}
        invoice = attempt.invoice
        invoice.refresh_from_db()
        # Where the payer goes next: the invoice (and its PDF) by its signed link, the portal.
        token = make_pay_token(invoice.public_id, invoice.amount, invoice.currency)
        with use_locale(invoice.workspace.locale):  # the workspace's formats
            return render(
                request,
                "payments/success.html",
                {
                    "invoice": invoice,
                    "invoice_url": reverse("portal:pay_link", args=[token]),
                    "pdf_url": reverse("portal:pay_link_pdf", args=[token]),
                    "workspace": invoice.workspace,  # the portal's layout: no staff navigation
                    "status_label": invoice.shown_status_label(invoice.workspace.today()),
                    "paid": invoice.status == "paid",
                    "processing": session.get("payment_status") == "paid"
                    and invoice.status != "paid"
                    and not invoice.paid_amount,
                    "part_paid": bool(invoice.paid_amount) and invoice.is_payable,
                    "debit": invoice.status == "processing",
                    "transfer": transfers.transfer_of(invoice),
                },
            )
