"""Record payment (owner/admin) and deleting a recorded payment (owner), on the invoice page."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from secportal.core.money import format_money
from secportal.workspaces.access import WorkspaceRequest, workspace_view
from secportal.workspaces.models import Role

from . import balances, selectors
from .locks import InvoiceError
from .models import RecordedPayment
from .payment_forms import DeleteRecordedPaymentForm, RecordPaymentForm


@workspace_view(Role.ADMIN, invoicing=True)
@require_POST
def record_payment(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    """Record payment: refused beside its field, or recorded once (its key)."""
    from .views import _detail_page

    invoice = selectors.get_invoice(invoice_id)
    form = RecordPaymentForm(request.POST, invoice=invoice)
    if form.is_valid():
        data = form.cleaned_data
        try:
            balances.record_payment(
                invoice.pk,
                request.user,
                amount=data["amount"],
                received_on=data["received_on"],
                method=data["method"],
                reference=data["reference"],
                request_key=data["key"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            invoice.refresh_from_db()
            messages.success(
                request,
                f"Payment of {format_money(data['amount'], invoice.currency)} recorded."
                + (
                    f" Balance due: {format_money(invoice.balance_due, invoice.currency)}."
                    if invoice.balance_due
                    else " The invoice is Paid."
                ),
            )
            return redirect("invoicing:detail", invoice_id=invoice.public_id)
    return _detail_page(request, invoice, payment_form=form, status=400)


@workspace_view(Role.OWNER, invoicing=True)
@require_POST
def delete_recorded_payment(request: WorkspaceRequest, payment_id: UUID) -> HttpResponse:
    payment = RecordedPayment.objects.filter(public_id=payment_id).first()
    if payment is None:
        raise Http404
    invoice = payment.invoice
    form = DeleteRecordedPaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the payment is deleted: the reason is kept.")
        return redirect("invoicing:detail", invoice_id=invoice.public_id)
    try:
        balances.delete_recorded_payment(
            payment.pk, request.user, reason=form.cleaned_data["reason"]
        )
    except (InvoiceError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))  # type: ignore[union-attr]
    else:
        messages.success(request, "Recorded payment deleted; the balance due includes it again.")
    return redirect("invoicing:detail", invoice_id=invoice.public_id)
