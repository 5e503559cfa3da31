"""Settings → API keys: owners create a key (shown once) and revoke keys."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from secportal.core.validators import single_line
from secportal.workspaces.access import WorkspaceRequest, workspace_view
from secportal.workspaces.models import Role

from . import keys
from .models import ApiKey, ApiRole


class ApiKeyForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, validators=[single_line])
    role = forms.ChoiceField(
        label="Role",
        choices=ApiRole.choices,
        initial=ApiRole.READ_ONLY,
        help_text="Read-only keys read; Member keys also create drafts; Admin keys also send "
        "and void invoices and add clients and engagements.",
    )


@workspace_view(Role.OWNER)
def create_key(request: WorkspaceRequest) -> HttpResponse:
    """GET: the form; POST: the new key, shown on this page once."""
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = keys.create_key(
            request.workspace,
            request.user,
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],
        )
        return render(request, "api/key_created.html", {"made": made})
    status = 400 if request.method == "POST" else 200
    return render(request, "api/key_form.html", {"form": form}, status=status)


@workspace_view(Role.OWNER)
@require_POST
def revoke_key(request: WorkspaceRequest, key_id: int) -> HttpResponse:
    api_key = ApiKey.objects.filter(pk=key_id).first()
    if api_key is None:
        raise Http404("No such API key.")
    keys.revoke_key(api_key.pk, request.user)
    messages.success(request, f"API key {api_key.name} revoked: it no longer works.")
    return redirect(reverse("workspaces:settings") + "#api-keys")
