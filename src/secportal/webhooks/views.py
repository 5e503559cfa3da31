"""Settings → Webhooks: owners add endpoints (the secret shown once), read each endpoint's
Deliveries, resend one, rotate the secret, disable, enable or delete the endpoint."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from secportal.workspaces.access import WorkspaceRequest, workspace_view
from secportal.workspaces.models import Role

from . import services
from .forms import EndpointForm
from .models import WebhookDelivery, WebhookEndpoint


def _endpoint(endpoint_id: UUID) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(public_id=endpoint_id).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


@workspace_view(Role.OWNER)
def create_endpoint(request: WorkspaceRequest) -> HttpResponse:
    """GET: the form; POST: the new endpoint with its signing secret, shown here once."""
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = services.create_endpoint(
            request.workspace,
            request.user,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
        )
        return render(request, "webhooks/secret.html", {"made": made, "rotated": False})
    status = 400 if request.method == "POST" else 200
    return render(request, "webhooks/endpoint_form.html", {"form": form}, status=status)


@workspace_view(Role.OWNER)
def endpoint(request: WorkspaceRequest, endpoint_id: UUID) -> HttpResponse:
    """One endpoint and its Deliveries log (newest first)."""
    found = _endpoint(endpoint_id)
    deliveries = (
        WebhookDelivery.objects.filter(endpoint=found).select_related("event").order_by("-pk")[:100]
    )
    return render(
        request, "webhooks/endpoint.html", {"endpoint": found, "deliveries": list(deliveries)}
    )


@workspace_view(Role.OWNER)
@require_POST
def rotate_secret(request: WorkspaceRequest, endpoint_id: UUID) -> HttpResponse:
    made = services.rotate_secret(_endpoint(endpoint_id).pk, request.user)
    return render(request, "webhooks/secret.html", {"made": made, "rotated": True})


@workspace_view(Role.OWNER)
@require_POST
def toggle(request: WorkspaceRequest, endpoint_id: UUID) -> HttpResponse:
    found = _endpoint(endpoint_id)
    done = services.set_enabled(found.pk, request.user, not found.enabled, reason="by an owner")
    messages.success(request, "Endpoint enabled." if done.enabled else "Endpoint disabled.")
    return redirect("webhooks:endpoint", endpoint_id=found.public_id)


@workspace_view(Role.OWNER)
@require_POST
def delete_endpoint(request: WorkspaceRequest, endpoint_id: UUID) -> HttpResponse:
    found = _endpoint(endpoint_id)
    services.delete_endpoint(found.pk, request.user)
    messages.success(request, f"Webhook endpoint {found.url} deleted.")
    return redirect(reverse("workspaces:settings") + "#webhooks")


@workspace_view(Role.OWNER)
@require_POST
def resend(request: WorkspaceRequest, endpoint_id: UUID, delivery_id: UUID) -> HttpResponse:
    found = _endpoint(endpoint_id)
    delivery = WebhookDelivery.objects.filter(endpoint=found, public_id=delivery_id).first()
    if delivery is None:
        raise Http404("No such delivery.")
    services.resend(delivery.pk, request.user)
    messages.success(request, "Delivery queued again.")
    return redirect("webhooks:endpoint", endpoint_id=found.public_id)
