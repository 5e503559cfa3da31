"""Response headers and session limits that apply to every page."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

NO_STORE_TYPES = ("application/pdf", "text/csv")


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` everywhere; ``Cache-Control: no-store`` on every dynamic response.

    Dynamic pages are signed-in pages, portal pages, pay-link pages, PDFs and CSV exports, or
    public forms: none of them may be kept by a browser or a proxy cache. Static files are
    served (and cached) by WhiteNoise before this middleware runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        cache_control = response.headers.get("Cache-Control", "")
        content_type = response.headers.get("Content-Type", "")
        if "no-store" not in cache_control and (
            not cache_control or content_type.startswith(NO_STORE_TYPES)
        ):
            if "Cache-Control" in response.headers:
                del response.headers["Cache-Control"]
            add_never_cache_headers(response)
        return response


STARTED_KEY = "_session_started"
SEEN_KEY = "_session_seen"


class SessionLimitsMiddleware:
    """A session ends 12 hours after it began and after 30 minutes without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        now = int(time.time())
        if not session.is_empty():
            started = session.get(STARTED_KEY, now)
            seen = session.get(SEEN_KEY, now)
            if (
                now - started > settings.SESSION_COOKIE_AGE
                or now - seen > settings.SESSION_IDLE_TIMEOUT
            ):
                session.flush()  # signed out (this runs before the user is read)
        response = self.get_response(request)
        if not session.is_empty() and getattr(session, "accessed", False):
            if STARTED_KEY not in session:
                session[STARTED_KEY] = now
            # Written at most once a minute, so that most requests do not save the session.
            if now - session.get(SEEN_KEY, 0) >= 60:
                session[SEEN_KEY] = now
        return response
