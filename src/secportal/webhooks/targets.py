"""Which URLs an endpoint may have: https, and (outside the demo and tests) never a private,
loopback or link-local address, checked when it is registered and again before each POST (a
name may resolve elsewhere later)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return not ip.is_global or ip.is_multicast


def check_url(url: str) -> None:
    """Raise ``ValidationError`` (words for beside the URL field) for a URL we will not call."""
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_URLS
    parts = urlsplit(url)
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise ValidationError("Use an https:// URL.")
    if not parts.hostname:
        raise ValidationError(
            "Enter a URL with a host name, e.g. https://hooks.example.com/secportal."
        )
    if parts.username or parts.password:
        raise ValidationError("Leave the user name and password out of the URL.")
    if allow_private:
        return
    try:
        port = parts.port or 443
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise ValidationError(f"We could not find the host {parts.hostname}.") from exc
    if any(_private(str(info[4][0])) for info in found):
        raise ValidationError(
            "This URL points at a private, loopback or link-local address: use a public one."
        )
