"""Every change to engagements."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from secportal.core.changes import apply_changes
from secportal.workspaces.models import Workspace
from secportal.workspaces.services import record

from .models import Engagement

FIELDS = ("client", "name", "reference", "status", "start_date", "end_date")


def _check_client(workspace_id: int, values: dict[str, Any]) -> None:
    client = values.get("client")
    if client is not None and client.workspace_id != workspace_id:
        raise ValidationError({"client": "Choose one of this workspace's clients."})


@transaction.atomic
def create_engagement(workspace: Workspace, actor: Any, values: dict[str, Any]) -> Engagement:
    _check_client(workspace.pk, values)
    engagement = Engagement.objects.create(
        workspace=workspace, **{f: values[f] for f in FIELDS if f in values}
    )
    record(
        workspace,
        actor,
        "engagement.created",
        engagement.name,
        engagement=str(engagement.public_id),
    )
    return engagement


@transaction.atomic
def update_engagement(engagement_id: int, actor: Any, values: dict[str, Any]) -> Engagement:
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("workspace")
        .get(pk=engagement_id)
    )
    _check_client(engagement.workspace_id, values)
    changes = apply_changes(engagement, FIELDS, values)
    if changes:
        engagement.save(update_fields=list(changes))
        record(engagement.workspace, actor, "engagement.updated", engagement.name, changes=changes)
    return engagement
