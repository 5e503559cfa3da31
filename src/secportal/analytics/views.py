"""The consultant's home page and its numbers as JSON; the figures come from ``selectors``."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from secportal.payments.selectors import can_take_payments
from secportal.workspaces.access import WorkspaceRequest, workspace_view

from . import cache, charts, selectors
from .forms import RangeForm


def _figures(
    request: WorkspaceRequest, today: datetime.date | None = None
) -> tuple[RangeForm, selectors.Dashboard]:
    today = today or request.workspace.today()
    form = RangeForm(request.GET or None, today=today)
    period = form.period()
    return form, cache.dashboard(request.workspace, period, today)


@workspace_view()
def dashboard(request: WorkspaceRequest) -> HttpResponse:
    """Counts in every mode; revenue, receivables and charts in Consulting mode."""
    workspace = request.workspace
    context: dict[str, Any] = {"counts": cache.counts(workspace)}
    if workspace.invoicing_enabled:
        form, figures = _figures(request)

        def charts_of() -> list[Any]:  # only when the figures' HTML is not in the cache
            return [
                (currency, _month_chart(currency), _ageing_chart(currency, figures.today))
                for currency in figures.currencies
            ]

        context |= {
            "form": form,
            "figures": figures,
            "charts": charts_of,
            # The figures' HTML (charts, tables) is cached under the same key as the figures.
            "figures_key": cache.html_key(workspace, figures),
            "can_take_payments": can_take_payments(workspace),
            "create_invoice_url": reverse("invoicing:create"),
        }
    return render(request, "analytics/dashboard.html", context)


@workspace_view(invoicing=True)
def summary(request: WorkspaceRequest) -> HttpResponse:
    """The dashboard's numbers (minor units per currency) for the chosen period."""
    form, figures = _figures(request)
    if not form.is_valid() and request.GET:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return JsonResponse(figures.as_json())


def _month_chart(figures: selectors.CurrencyFigures) -> charts.BarChart:
    items = [
        (
            f"{m.month:%B %Y}",
            f"{m.month:%b}",
            f"{m.month:%Y}" if i == 0 or m.month.month == 1 else "",
            m.revenue,
        )
        for i, m in enumerate(figures.monthly)
    ]
    return charts.bar_chart(
        f"Revenue collected by month in {figures.currency}, last 12 months",
        items,
        figures.currency,
    )


def _ageing_chart(figures: selectors.CurrencyFigures, today: datetime.date) -> charts.BarChart:
    items = [
        (label, selectors.AGEING_SHORT[key], "", tally.amount)
        for key, label, tally in figures.ageing_rows
    ]
    return charts.bar_chart(
        f"Receivables ageing in {figures.currency}, as of {today.day} {today:%B %Y}",
        items,
        figures.currency,
    )
