"""What makes the cached dashboard figures stale (connected in ``apps.ready``).

Every model the figures count tells, on save or delete, that its workspace's figures changed:
a new token is written once the transaction commits (a rolled-back change keeps the old one).
Bulk ``UPDATE``s send no signal: the only one on these tables, the overdue sweep, changes no
figure (a sent invoice past its due date already counts as overdue).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from secportal.clients.models import Client
from secportal.engagements.models import Engagement
from secportal.invoicing.models import CreditNote, Invoice, RecordedPayment
from secportal.payments.models import Dispute, Payment, Refund

from .cache import figures_changed

COUNTED = (Invoice, CreditNote, RecordedPayment, Payment, Refund, Dispute, Client, Engagement)


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures
        return
    figures_changed(instance.workspace_id)


for model in COUNTED:
    post_save.connect(_changed, sender=model, dispatch_uid=f"figures-{model.__name__}-save")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"figures-{model.__name__}-delete")
