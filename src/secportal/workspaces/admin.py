from django.contrib import admin

from .models import AuditEvent, Membership, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "mode", "plan", "default_currency")
    search_fields = ("name", "slug")
    inlines = [MembershipInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "workspace", "kind", "target", "actor")
    list_filter = ("kind",)
