from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Membership, Role


def memberships_of(user: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
    )


def choose_membership(memberships: list[Membership], workspace_id: Any) -> Membership | None:
    """From all of a person's memberships (one query): the chosen workspace's, else the first
    joined."""
    if workspace_id is not None:
        for membership in memberships:
            if membership.workspace_id == workspace_id:
                return membership
    if not memberships:
        return None
    return min(memberships, key=lambda m: (m.created_at, m.pk))


def members_of(workspace_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace_id=workspace_id)
        .select_related("user")
        .order_by("user__email")
    )


def billing_contacts_of(workspace_id: int) -> QuerySet[Membership]:
    """Owners and admins: they hear about payments."""
    return members_of(workspace_id).filter(role__in=[Role.OWNER, Role.ADMIN])


def reminder_schedule(workspace: Any) -> list[tuple[int, bool]]:
    """The workspace's reminder schedule, earliest first: (days from the due date, on); the
    default schedule when it has not chosen one."""
    from .models import ReminderRule
    from .reminders import DEFAULT_SCHEDULE

    rules = list(
        ReminderRule.objects.filter(workspace_id=workspace.pk).values_list("offset_days", "enabled")
    )
    return sorted(rules) if rules else list(DEFAULT_SCHEDULE)


def reminder_wording(workspace: Any) -> str:
    from .reminders import DEFAULT_WORDING

    return workspace.reminder_wording or DEFAULT_WORDING
