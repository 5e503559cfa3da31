"""The platform operator's view of Stripe's events: the dead-letter list, and reprocessing."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import events, tasks
from .models import StripeEvent


class DeadLetteredFilter(admin.SimpleListFilter):
    title = "processing"
    parameter_name = "processing"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("dead", "Dead-lettered (gave up)"),
            ("failing", "Failing (will be tried again)"),
            ("done", "Processed"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[StripeEvent]) -> Any:
        if self.value() == "dead":
            return queryset.exclude(dead_lettered_at=None)
        if self.value() == "failing":
            return queryset.filter(processed_at=None, dead_lettered_at=None).exclude(error="")
        if self.value() == "done":
            return queryset.exclude(processed_at=None)
        return queryset


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = (
        "received_at",
        "type",
        "event_id",
        "account",
        "outcome",
        "attempts",
        "dead_lettered_at",
    )
    list_filter = (DeadLetteredFilter, "type")
    search_fields = ("event_id", "account", "type")
    readonly_fields = [f.name for f in StripeEvent._meta.fields]
    actions = ["reprocess"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Reprocess the selected events (once more, from the start)")
    def reprocess(self, request: HttpRequest, queryset: QuerySet[StripeEvent]) -> None:
        pending = list(queryset.filter(processed_at=None).values_list("pk", flat=True))
        for pk in pending:
            events.reprocess(pk)
            tasks.process_stripe_event.enqueue(pk)
        messages.info(request, f"{len(pending)} event(s) queued for processing again.")
