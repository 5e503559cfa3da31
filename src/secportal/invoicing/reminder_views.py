"""The invoice page's reminder buttons: "Send reminder", "Pause reminders" (issue 17, 1)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from secportal.workspaces.access import WorkspaceRequest, workspace_view
from secportal.workspaces.models import Role

from . import reminders, selectors


@workspace_view(Role.ADMIN, invoicing=True)
@require_POST
def send_reminder(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    invoice = selectors.get_invoice(invoice_id)
    try:
        reminder = reminders.send_reminder_now(invoice.pk, request.user)
    except reminders.ReminderError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Reminder sent to {', '.join(reminder.recipients)}."
            if reminder is not None
            else "A reminder was sent a moment ago; nothing more was sent.",
        )
    return redirect("invoicing:detail", invoice_id=invoice.public_id)


@workspace_view(Role.ADMIN, invoicing=True)
@require_POST
def pause_reminders(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    invoice = selectors.get_invoice(invoice_id)
    paused = request.POST.get("paused", "yes") == "yes"
    reminders.set_paused(invoice.pk, request.user, paused=paused)
    messages.success(
        request,
        "Reminders paused for this invoice."
        if paused
        else "Reminders resumed: the schedule's next reminder will go.",
    )
    return redirect("invoicing:detail", invoice_id=invoice.public_id)
