import re

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .mailcatcher import parse_message, read_mailbox

_ID = re.compile(r"^[0-9]+-[0-9a-f]{8}$")


LOOPBACK = {"127.0.0.1", "::1"}


def _debug_only(request: HttpRequest) -> None:
    """The Mailbox shows sign-in links: only in the demo (DEBUG), only to this machine."""
    if not settings.DEBUG:
        raise Http404("The mailbox exists only in the demo (DEBUG).")
    if request.META.get("REMOTE_ADDR") not in LOOPBACK:
        raise Http404("The mailbox answers only on 127.0.0.1.")


def mailbox(request: HttpRequest) -> HttpResponse:
    """Every email the demo's SMTP server caught (DEBUG only; nothing here in production)."""
    _debug_only(request)
    return render(
        request, "notifications/mailbox.html", {"messages_": read_mailbox(settings.MAILBOX_DIR)}
    )


# The email's own HTML (inline styles, as emails need) shows in a sandboxed srcdoc frame, which
# inherits this page's policy: allow its styles here, on this demo-only page (no scripts).
@csp_update({"style-src": [UNSAFE_INLINE]})  # type: ignore[arg-type]
def mailbox_message(request: HttpRequest, message_id: str) -> HttpResponse:
    _debug_only(request)
    path = settings.MAILBOX_DIR / f"{message_id}.eml"
    if not _ID.match(message_id) or not path.exists():
        raise Http404("No such message.")
    return render(request, "notifications/mailbox_message.html", {"message_": parse_message(path)})
