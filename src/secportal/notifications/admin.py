from django.contrib import admin

from .models import EmailMessage


@admin.register(EmailMessage)
class EmailMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "to", "subject", "status", "attempts")
    list_filter = ("status", "kind")
    search_fields = ("to", "subject", "invoice__number")
