"""What workspaces asks the apps above it (they connect in their ``AppConfig.ready()``)."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent to ask what stops a workspace from switching mode, with ``workspace`` and ``mode`` (the
#: new one); each receiver returns a list of sentences (invoicing: the invoices still open).
mode_change_check = Signal()
