"""The client page's "Statement" (the PDF) and "Email statement" buttons (issue 17, 4)."""

from __future__ import annotations

import datetime
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from secportal.clients.models import Client
from secportal.clients.selectors import get_client
from secportal.invoicing.documents import company_footer
from secportal.invoicing.emails import sender_name
from secportal.invoicing.links import portal_link
from secportal.notifications.services import queue_email
from secportal.workspaces.access import WorkspaceRequest, workspace_view
from secportal.workspaces.models import Role

from .statements import STATEMENT_BUILDER, default_period, statement_of, statement_pdf_bytes


class PeriodForm(forms.Form):
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)


def period_of(data: object, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period asked for (``start``, ``end``), else the last 90 days; never reversed."""
    start, end = default_period(today)
    form = PeriodForm(data)  # type: ignore[arg-type]
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    return (start, end) if start <= end else (end, start)


def statement_response(client: Client, start: datetime.date, end: datetime.date) -> HttpResponse:
    statement = statement_of(client, start, end)
    response = HttpResponse(statement_pdf_bytes(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{statement.filename}"'
    return response


@workspace_view(invoicing=True)
def statement_pdf(request: WorkspaceRequest, client_id: UUID) -> HttpResponse:
    client = get_client(client_id)
    start, end = period_of(request.GET, request.workspace.today())
    return statement_response(client, start, end)


@workspace_view(Role.ADMIN, invoicing=True)
@require_POST
def statement_email(request: WorkspaceRequest, client_id: UUID) -> HttpResponse:
    """Email the statement (PDF attached) to the client's billing email, once a day per
    period however often the button is pressed."""
    client = get_client(client_id)
    workspace = request.workspace
    if not client.billing_email:
        messages.error(request, f"Add a billing email to {client.name} first.")
        return redirect("clients:detail", client_id=client.public_id)
    today = workspace.today()
    start, end = period_of(request.POST, today)
    statement = statement_of(client, start, end)
    queue_email(
        kind="statement",
        to=client.billing_email,
        template="emails/statement",
        context={
            "client": client,
            "workspace": workspace,
            "statement": statement,
            "balances": statement.balances,
            "company_footer": company_footer(workspace),
            "portal_url": portal_link(),
        },
        workspace=workspace,
        reply_to=workspace.billing_reply_to,
        from_name=sender_name(workspace),
        attachment_builder={
            "path": STATEMENT_BUILDER,
            "args": [client.pk, start.isoformat(), end.isoformat()],
        },
        dedupe_key=f"statement:{client.pk}:{start}:{end}:{today}",
    )
    messages.success(request, f"Statement emailed to {client.billing_email}.")
    return redirect("clients:detail", client_id=client.public_id)
