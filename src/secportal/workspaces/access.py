"""Who may open a consultant page: the one decorator every consultant view goes through.

It signs the person in, finds their membership in the workspace they have chosen, refuses a
role below the view's minimum (403), answers 404 for invoicing in Internal mode, and scopes
the request to the workspace (``core.tenancy``) so that no query in the view can reach another
workspace's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone as django_timezone
from django_htmx.middleware import HtmxDetails

from secportal.core.locales import use_locale
from secportal.core.tenancy import use_workspace

from .models import Membership, Role, Workspace
from .selectors import choose_membership, memberships_of

SESSION_KEY = "workspace_id"

ViewFunc = Callable[..., HttpResponseBase]


class WorkspaceRequest(HttpRequest):
    """The request a consultant view receives: scoped to one workspace and membership."""

    workspace: Workspace
    membership: Membership
    # All of the person's memberships (with their workspaces), for the workspace switcher.
    memberships: list[Membership]
    htmx: HtmxDetails


def workspace_view(
    min_role: str = Role.MEMBER, *, invoicing: bool = False
) -> Callable[[ViewFunc], ViewFunc]:
    """Mark a view as a consultant page; ``invoicing=True`` hides it in Internal mode."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            # One query: every membership of the person with its workspace; the chosen one is
            # picked from them, and the layout's workspace switcher reuses the list.
            memberships = list(memberships_of(request.user))
            membership = choose_membership(memberships, request.session.get(SESSION_KEY))
            if membership is None:
                return render(request, "workspaces/no_workspace.html", status=403)
            workspace = membership.workspace
            if invoicing and not workspace.invoicing_enabled:
                raise Http404("Invoicing is not available in Internal mode.")
            request.workspace = workspace  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            request.memberships = memberships  # type: ignore[attr-defined]
            if not membership.has_role(min_role):
                raise PermissionDenied(f"This needs the {Role(min_role).label} role.")
            if membership.role in settings.TWO_FACTOR_ROLES and not request.user.is_verified():  # type: ignore[attr-defined]
                # Owners and admins use two-factor: set it up, or confirm this session with it.
                return redirect_to_login(
                    request.get_full_path(), reverse("accounts:two_factor"), "next"
                )
            # The workspace's own time zone and formats for everything the page shows.
            with (
                use_workspace(workspace.pk),
                use_locale(workspace.locale),
                django_timezone.override(workspace.tz),
            ):
                return view(request, *args, **kwargs)

        wrapped.workspace_min_role = min_role  # type: ignore[attr-defined]
        wrapped.workspace_invoicing = invoicing  # type: ignore[attr-defined]
        return wrapped

    return decorator
