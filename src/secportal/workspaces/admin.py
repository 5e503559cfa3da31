from typing import Any

from django.contrib import admin
from django.db import transaction

from .models import AuditEvent, Membership, Workspace
from .services import record


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    """The platform operator changes a workspace's plan here (and only here).

    The change is recorded in the workspace's audit trail; it applies to checkouts created from
    now on, since each checkout freezes the fee rate when it is created.
    """

    list_display = ("name", "slug", "mode", "plan", "default_currency")
    search_fields = ("name", "slug")
    inlines = [MembershipInline]
    # Set in Settings (company details) or by the services (counters), not here.
    readonly_fields = ("amounts_entered", "next_credit_note_number", "number_year")

    def save_model(self, request: Any, obj: Workspace, form: Any, change: bool) -> None:
        with transaction.atomic():
            old_plan = None
            if change:
                old_plan = (
                    Workspace.objects.select_for_update()
                    .values_list("plan", flat=True)
                    .get(pk=obj.pk)
                )
            super().save_model(request, obj, form, change)
            if change and old_plan != obj.plan:
                record(
                    obj,
                    request.user,
                    "workspace.plan_changed",
                    obj.name,
                    old=old_plan,
                    new=obj.plan,
                )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "workspace", "kind", "target", "actor")
    list_filter = ("kind",)
