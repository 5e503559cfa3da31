from typing import Any

from django.http import HttpRequest


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The scoped workspace and membership, for the layout (nav, switcher)."""
    return {
        "workspace": getattr(request, "workspace", None),
        "membership": getattr(request, "membership", None),
        # Every workspace the person belongs to (loaded once by ``workspace_view``).
        "memberships": getattr(request, "memberships", ()),
    }
