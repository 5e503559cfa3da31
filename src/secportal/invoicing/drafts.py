"""Who may change a draft, and deleting one on the record.

Owners and admins may edit and delete any draft; a member only the drafts they created.
A deleted draft leaves a line in the workspace's audit trail (its invoice events go with it).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from secportal.workspaces.services import record

from . import services
from .models import Invoice


def check_may_change(membership: Any, invoice: Invoice) -> None:
    if not (membership.can_manage or invoice.created_by_id == membership.user_id):
        raise PermissionDenied("Members may change only the drafts they created.")


@transaction.atomic
def delete_draft(invoice: Invoice, membership: Any) -> None:
    """Delete the draft (idempotent) and record who deleted what."""
    locked = Invoice.unscoped.select_for_update().filter(pk=invoice.pk).first()
    if locked is None:
        return  # already deleted
    check_may_change(membership, locked)
    services.delete_draft(locked.pk, membership.user)
    record(
        invoice.workspace,
        membership.user,
        "invoice.draft_deleted",
        f"Draft for {invoice.client.name}",
        invoice=str(invoice.public_id),
        amount=invoice.amount,
        currency=invoice.currency,
        description=invoice.description[:200],
        created_by=invoice.created_by_id,
    )
