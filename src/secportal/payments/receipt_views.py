"""The consultant's "Receipt" button: the receipt PDF of the invoice's latest payment."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpResponse

from secportal.invoicing.selectors import get_invoice
from secportal.workspaces.access import WorkspaceRequest, workspace_view

from .receipts import receipt_response


@workspace_view(invoicing=True)
def receipt_pdf(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    return receipt_response(get_invoice(invoice_id))
