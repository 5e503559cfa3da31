"""The invoice page's "Invoice late-payment interest" button (issue 17, 5)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from secportal.workspaces.access import WorkspaceRequest, workspace_view
from secportal.workspaces.models import Role

from . import selectors, services
from .interest_invoices import invoice_late_interest


@workspace_view(Role.ADMIN, invoicing=True)
@require_POST
def invoice_interest(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    invoice = selectors.get_invoice(invoice_id)
    try:
        draft = invoice_late_interest(invoice.pk, request.user)
    except services.InvoiceError as exc:
        messages.error(request, exc.message)
        return redirect("invoicing:detail", invoice_id=invoice.public_id)
    messages.success(
        request,
        "Draft invoice for the late-payment interest created: review it, then Send Invoice.",
    )
    return redirect("invoicing:detail", invoice_id=draft.public_id)
