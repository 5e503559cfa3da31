"""Who may open a portal page: the signed-in client contact, kept apart from consultant sign-in.

The session holds the address that a one-time link proved (``portal_email``), when that was
(``portal_since``) and the contact the person chose (``portal_contact_id``): one address may be a
contact of several clients, in several workspaces. Every request reloads the contact and checks
that it still has that address, so a contact whose email the consultancy changed, or deleted,
is signed out. ``contact_view`` scopes the request to the contact's workspace (core.tenancy),
so no query in the view reaches another workspace; the client filter is the selectors' job.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils import timezone as django_timezone

from secportal.clients.models import ClientContact
from secportal.core.locales import use_locale
from secportal.core.tenancy import use_workspace

from . import selectors

EMAIL_KEY = "portal_email"
SINCE_KEY = "portal_since"
CONTACT_KEY = "portal_contact_id"
SESSION_AGE = datetime.timedelta(hours=24)

ViewFunc = Callable[..., HttpResponseBase]


class ContactRequest(HttpRequest):
    """The request a portal view receives: one signed-in contact, scoped to its workspace."""

    contact: ClientContact


def sign_in(request: HttpRequest, email: str) -> None:
    """The person proved ``email``: a fresh session key (no fixation), no contact chosen yet."""
    for key in (EMAIL_KEY, SINCE_KEY, CONTACT_KEY):
        request.session.pop(key, None)
    request.session.cycle_key()
    request.session[EMAIL_KEY] = email
    request.session[SINCE_KEY] = timezone.now().isoformat()


def choose(request: HttpRequest, contact: ClientContact) -> None:
    request.session[CONTACT_KEY] = contact.pk


def sign_out(request: HttpRequest) -> None:
    """Forget the contact only: a consultant signed in in the same browser stays signed in."""
    for key in (EMAIL_KEY, SINCE_KEY, CONTACT_KEY):
        request.session.pop(key, None)
    request.session.cycle_key()


def proven_email(request: HttpRequest) -> str | None:
    email = request.session.get(EMAIL_KEY)
    since = request.session.get(SINCE_KEY)
    if not email or not since:
        return None
    try:
        started = datetime.datetime.fromisoformat(since)
    except ValueError:
        return None
    if timezone.now() - started > SESSION_AGE:
        return None
    return str(email)


def current_contact(request: HttpRequest) -> ClientContact | None:
    email = proven_email(request)
    contact_id = request.session.get(CONTACT_KEY)
    if email is None or contact_id is None:
        return None
    return selectors.contact_with_email(contact_id, email)


def contact_view(view: ViewFunc) -> ViewFunc:
    """Mark a view as a portal page for a signed-in contact; others go to sign in (or choose)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        contact = current_contact(request)
        if contact is None:
            if proven_email(request) is not None:
                return redirect("portal:choose")
            return redirect("portal:login")
        request.contact = contact  # type: ignore[attr-defined]
        workspace = contact.workspace
        with (
            use_workspace(contact.workspace_id),
            use_locale(workspace.locale),
            django_timezone.override(workspace.tz),
        ):
            return view(request, *args, **kwargs)

    wrapped.portal_contact_view = True  # type: ignore[attr-defined]
    return wrapped


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address for the rate limit.

    Behind N trusted proxies (``PORTAL_TRUSTED_PROXY_HOPS``, default 0) it is the Nth address
    from the right of X-Forwarded-For, which a client cannot forge; otherwise REMOTE_ADDR.
    """
    from django.conf import settings

    hops = int(getattr(settings, "PORTAL_TRUSTED_PROXY_HOPS", 0) or 0)
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None
