from django.http import HttpResponse
from django.shortcuts import render

from secportal.clients.models import Client
from secportal.engagements.models import Engagement
from secportal.workspaces.access import WorkspaceRequest, workspace_view


@workspace_view()
def dashboard(request: WorkspaceRequest) -> HttpResponse:
    """The consultant's home page; revenue analytics come with the analytics issue."""
    return render(
        request,
        "analytics/dashboard.html",
        {
            "client_count": Client.objects.count(),
            "engagement_count": Engagement.objects.count(),
        },
    )
