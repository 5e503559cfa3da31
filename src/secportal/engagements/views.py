import contextlib
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from secportal.clients.selectors import get_client
from secportal.workspaces.access import WorkspaceRequest, workspace_view
from secportal.workspaces.models import Role

from . import selectors, services
from .forms import EngagementForm
from .models import EngagementStatus


@workspace_view()
def engagement_list(request: WorkspaceRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in EngagementStatus.values:
        status = ""
    page = Paginator(selectors.engagement_list(search, status), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "engagements/list.html",
        {"page": page, "search": search, "status": status, "statuses": EngagementStatus.choices},
    )


@workspace_view(Role.ADMIN)
def engagement_create(request: WorkspaceRequest) -> HttpResponse:
    initial = {}
    client_id = request.GET.get("client")
    if client_id:
        with contextlib.suppress(ValueError):
            initial["client"] = get_client(UUID(client_id))
    form = EngagementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        engagement = services.create_engagement(request.workspace, request.user, form.cleaned_data)
        messages.success(request, f"Engagement {engagement.name} created.")
        return redirect("engagements:detail", engagement_id=engagement.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "engagements/form.html", {"form": form, "engagement": None}, status=status
    )


@workspace_view()
def engagement_detail(request: WorkspaceRequest, engagement_id: UUID) -> HttpResponse:
    engagement = selectors.get_engagement(engagement_id)
    return render(request, "engagements/detail.html", {"engagement": engagement})


@workspace_view(Role.ADMIN)
def engagement_edit(request: WorkspaceRequest, engagement_id: UUID) -> HttpResponse:
    engagement = selectors.get_engagement(engagement_id)
    form = EngagementForm(request.POST or None, instance=engagement)
    if request.method == "POST" and form.is_valid():
        services.update_engagement(engagement.pk, request.user, form.cleaned_data)
        messages.success(request, "Engagement saved.")
        return redirect("engagements:detail", engagement_id=engagement.public_id)
    engagement.refresh_from_db()
    status = 400 if request.method == "POST" else 200
    return render(
        request, "engagements/form.html", {"form": form, "engagement": engagement}, status=status
    )
