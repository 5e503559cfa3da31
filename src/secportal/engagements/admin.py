from django.contrib import admin

from .models import Engagement


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ("name", "reference", "client", "workspace", "status")
    list_filter = ("status", "workspace")
    search_fields = ("name", "reference")
