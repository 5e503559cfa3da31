from django.contrib import admin

from .models import Client, ClientContact


class ContactInline(admin.TabularInline):
    model = ClientContact
    extra = 0
    fields = ("name", "email", "receives_invoices", "workspace")


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "workspace", "billing_email")
    search_fields = ("name", "billing_email")
    list_filter = ("workspace",)
    inlines = [ContactInline]
