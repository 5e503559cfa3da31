import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .mailcatcher import parse_message, read_mailbox

_ID = re.compile(r"^[0-9]+-[0-9a-f]{8}$")


def _debug_only() -> None:
    if not settings.DEBUG:
        raise Http404("The mailbox exists only in the demo (DEBUG).")


def mailbox(request: HttpRequest) -> HttpResponse:
    """Every email the demo's SMTP server caught (DEBUG only; nothing here in production)."""
    _debug_only()
    return render(
        request, "notifications/mailbox.html", {"messages_": read_mailbox(settings.MAILBOX_DIR)}
    )


def mailbox_message(request: HttpRequest, message_id: str) -> HttpResponse:
    _debug_only()
    path = settings.MAILBOX_DIR / f"{message_id}.eml"
    if not _ID.match(message_id) or not path.exists():
        raise Http404("No such message.")
    return render(request, "notifications/mailbox_message.html", {"message_": parse_message(path)})
