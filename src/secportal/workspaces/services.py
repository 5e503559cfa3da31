"""Every change to workspaces and their members: one transaction, the row locked, an audit event."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from secportal.core.changes import apply_changes

from . import signals
from .models import AuditEvent, Membership, ReminderRule, Role, Workspace

User = get_user_model()


def record(workspace: Workspace, actor: Any, kind: str, target: str = "", **details: Any) -> None:
    AuditEvent.objects.create(
        workspace=workspace,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        target=target,
        details=details,
    )


def unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_workspace(*, name: str, owner: Any, **fields: Any) -> Workspace:
    workspace = Workspace(name=name, slug=unique_slug(name), **fields)
    # The name goes into every email's From header: no control characters, whoever calls.
    workspace.full_clean(exclude=["slug"])
    workspace.save()
    Membership.objects.create(user=owner, workspace=workspace, role=Role.OWNER)
    record(workspace, owner, "workspace.created", name)
    return workspace


SETTINGS_FIELDS = (
    "name",
    "mode",
    "plan",
    "timezone",
    "default_currency",
    "payment_terms_days",
    "number_prefix",
    "billing_reply_to",
    "overdue_reminders",
    "number_yearly_reset",
    "formatting_locale",
)

COMPANY_FIELDS = (
    "legal_name",
    "trading_name",
    "registered_address",
    "company_number",
    "registered_in",
    "vat_number",
    "bank_details",
    "payment_terms_text",
    "invoice_notes",
    "attach_einvoice",
    "amounts_entered",
)


@transaction.atomic
def update_workspace_settings(workspace_id: int, actor: Any, values: dict[str, Any]) -> Workspace:
    """Apply cleaned settings; only changes are written and recorded (a repeat is a no-op)."""
    workspace = Workspace.objects.select_for_update().get(pk=workspace_id)
    new_mode = values.get("mode")
    if new_mode and new_mode != workspace.mode:
        problems = [
            problem
            for _receiver, answer in signals.mode_change_check.send(
                sender=Workspace, workspace=workspace, mode=new_mode
            )
            for problem in answer or []
        ]
        if problems:
            raise ValidationError({"mode": problems})
    changes = apply_changes(workspace, SETTINGS_FIELDS, values)
    if changes:
        workspace.full_clean()
        workspace.save(update_fields=list(changes))
        record(workspace, actor, "workspace.settings_changed", workspace.name, changes=changes)
    return workspace


def _end_sessions(user_id: int) -> None:
    """A privilege change signs the person out everywhere: they sign in again with the new role
    (and, when it needs one, the second factor)."""
    User.objects.filter(pk=user_id).update(session_generation=F("session_generation") + 1)


@transaction.atomic
def update_company_details(workspace_id: int, actor: Any, values: dict[str, Any]) -> Workspace:
    """The company details printed on invoices; only changes are written and recorded."""
    workspace = Workspace.objects.select_for_update().get(pk=workspace_id)
    changes = apply_changes(workspace, COMPANY_FIELDS, values)
    logo = values.get("logo")
    if values.get("remove_logo") and workspace.logo_png:
        workspace.logo_png = None
        changes["logo"] = {"from": "set", "to": None}
    elif logo and bytes(workspace.logo_png or b"") != logo:
        changes["logo"] = {"from": "set" if workspace.logo_png else None, "to": "new"}
        workspace.logo_png = logo
    if changes:
        workspace.full_clean()
        workspace.save(update_fields=[("logo_png" if f == "logo" else f) for f in changes])
        record(workspace, actor, "workspace.company_changed", workspace.name, changes=changes)
    return workspace


def _lock_members(workspace_id: int) -> list[Membership]:
    return list(Membership.objects.select_for_update().filter(workspace_id=workspace_id))


@transaction.atomic
def add_member(workspace_id: int, actor: Any, *, email: str, role: str) -> Membership:
    workspace = Workspace.objects.select_for_update().get(pk=workspace_id)
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None)
    membership, created = Membership.objects.get_or_create(
        user=user, workspace=workspace, defaults={"role": role}
    )
    if created:
        record(workspace, actor, "member.added", email, role=role)
    return membership


def _owners_left(members: list[Membership], changing: Membership, new_role: str | None) -> int:
    return sum(1 for m in members if (new_role if m.pk == changing.pk else m.role) == Role.OWNER)


@transaction.atomic
def change_role(workspace_id: int, actor: Any, *, membership_id: int, role: str) -> Membership:
    members = _lock_members(workspace_id)
    membership = next((m for m in members if m.pk == membership_id), None)
    if membership is None:
        raise Membership.DoesNotExist
    if role not in Role.values:
        raise ValidationError("Choose a role.")
    if membership.role == role:
        return membership
    if _owners_left(members, membership, role) == 0:
        raise ValidationError("A workspace needs at least one owner.")
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _end_sessions(membership.user_id)
    record(
        membership.workspace, actor, "member.role_changed", membership.user.email, old=old, new=role
    )
    return membership


@transaction.atomic
def remove_member(workspace_id: int, actor: Any, *, membership_id: int) -> None:
    members = _lock_members(workspace_id)
    membership = next((m for m in members if m.pk == membership_id), None)
    if membership is None:
        return
    if _owners_left(members, membership, None) == 0:
        raise ValidationError("A workspace needs at least one owner.")
    membership.delete()
    _end_sessions(membership.user_id)
    record(membership.workspace, actor, "member.removed", membership.user.email)


@transaction.atomic
def invite_member(
    workspace_id: int, actor: Any, *, email: str, role: str
) -> tuple[Membership, bool]:
    """Add the person; one without a password yet gets an emailed invitation link to set one.

    The link is signed, works once and expires (``accounts.tokens``); inviting again sends a
    fresh link. Returns the membership and whether an invitation was sent.
    """
    from secportal.accounts.services import queue_invitation

    membership = add_member(workspace_id, actor, email=email, role=role)
    if membership.user.has_usable_password():
        return membership, False
    queue_invitation(
        membership.user,
        workspace=membership.workspace,
        inviter=actor,
        role=membership.get_role_display(),
    )
    record(membership.workspace, actor, "member.invited", membership.user.email, role=role)
    return membership, True


@transaction.atomic
def update_reminders(
    workspace_id: int,
    actor: Any,
    *,
    schedule: list[tuple[int, bool]],
    wording: str,
    late_payment_interest: bool | None = None,
) -> Workspace:
    """Replace the reminder schedule ((days from the due date, on) each) and its wording; the
    caller has checked them (``forms.ReminderScheduleForm``). A repeat changes nothing."""
    from .reminders import DEFAULT_WORDING, MAX_OFFSET_DAYS, MAX_RULES, check_wording

    workspace = Workspace.objects.select_for_update().get(pk=workspace_id)
    offsets = [offset for offset, _ in schedule]
    if not schedule or len(schedule) > MAX_RULES or len(set(offsets)) != len(offsets):
        raise ValidationError(f"Keep one to {MAX_RULES} reminders, each on a different day.")
    if any(abs(offset) > MAX_OFFSET_DAYS for offset in offsets):
        raise ValidationError(f"A reminder is at most {MAX_OFFSET_DAYS} days from the due date.")
    check_wording(wording)
    wording = "" if wording.strip() == DEFAULT_WORDING else wording.strip()
    before = sorted(
        ReminderRule.objects.filter(workspace=workspace).values_list("offset_days", "enabled")
    )
    after = sorted(schedule)
    changes: dict[str, Any] = {}
    if before != after:
        ReminderRule.objects.filter(workspace=workspace).delete()
        ReminderRule.objects.bulk_create(
            ReminderRule(workspace=workspace, offset_days=offset, enabled=enabled)
            for offset, enabled in after
        )
        changes["schedule"] = {"from": before, "to": after}
    if wording != workspace.reminder_wording:
        changes["reminder_wording"] = {"from": workspace.reminder_wording, "to": wording}
        workspace.reminder_wording = wording
        workspace.save(update_fields=["reminder_wording"])
    if (
        late_payment_interest is not None
        and late_payment_interest != workspace.late_payment_interest
    ):
        changes["late_payment_interest"] = {
            "from": workspace.late_payment_interest,
            "to": late_payment_interest,
        }
        workspace.late_payment_interest = late_payment_interest
        workspace.save(update_fields=["late_payment_interest"])
    if changes:
        record(workspace, actor, "workspace.reminders_changed", workspace.name, changes=changes)
    return workspace
