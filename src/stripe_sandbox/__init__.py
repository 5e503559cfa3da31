"""An offline Stripe: the official ``stripe`` SDK talks to it over real HTTP.

Run it with ``python -m stripe_sandbox --help``; use it from tests through
:mod:`stripe_sandbox.testing`. It never imports the SecPortal app.
"""

from __future__ import annotations

DEFAULT_API_VERSION = "2026-10-28.endive"

__all__ = ["DEFAULT_API_VERSION"]
