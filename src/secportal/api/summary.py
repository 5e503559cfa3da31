"""The workspace summary through the API: the dashboard's figures (analytics, the layer below
the API), per currency in minor units, never summed across currencies."""

from __future__ import annotations

import datetime
from typing import Any, Literal, get_args

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from secportal.analytics import cache
from secportal.analytics.forms import RangeForm
from secportal.analytics.periods import RANGE_CHOICES

from . import schemas
from .access import invoicing as invoicing_workspace

router = Router(tags=["summary"])

RangeKey = Literal[
    "this_month", "last_30_days", "this_quarter", "this_year", "last_12_months", "custom"
]
# The dashboard's periods, the same keys:
assert set(get_args(RangeKey)) == {key for key, _ in RANGE_CHOICES}
AGEING_NAMES = {"1_30": "days_1_30", "31_60": "days_31_60", "61_90": "days_61_90"}


class SummaryQuery(Schema):
    range: RangeKey | None = Field(default=None, description="the period; this_month if left out")
    start: datetime.date | None = Field(
        default=None, alias="from", description="the first day (range=custom)"
    )
    end: datetime.date | None = Field(
        default=None, alias="to", description="the last day (range=custom)"
    )


def _currency(currency: str, figures: dict[str, Any], recorded: dict[str, int]) -> dict[str, Any]:
    ageing = figures.pop("ageing")
    return {
        "currency": currency,
        **figures,
        "recorded_payments": recorded,
        "ageing": {
            AGEING_NAMES.get(key, "days_90_plus" if key == "90_plus" else key): tally
            for key, tally in ageing.items()
        },
    }


@router.get("/summary", response=schemas.SummaryOut)
def summary(request: HttpRequest, query: Query[SummaryQuery]) -> dict[str, Any]:
    """The dashboard's figures for a period (``range``, or ``range=custom`` with ``from`` and
    ``to``, calendar dates in the workspace's timezone): revenue, fees, recorded payments, top
    clients and the 12 months' revenue in the period; outstanding, overdue, ageing and credits
    owed as of today. Refused beside the parameter when the period is not valid."""
    workspace = invoicing_workspace(request)
    unknown = sorted(set(request.GET) - {"range", "from", "to"})
    if unknown:
        raise ValidationError({f"query.{name}": ["Unknown query parameter."] for name in unknown})
    today = workspace.today()
    form = RangeForm(request.GET or None, today=today)
    if request.GET and not form.is_valid():
        raise ValidationError(
            {f"query.{field}": list(errors) for field, errors in form.errors.items()}
        )
    figures = cache.dashboard(workspace, form.period(), today)
    data = figures.as_json()
    counts = cache.counts(workspace)
    by_currency = {c.currency: c.recorded.as_json() for c in figures.currencies}
    return {
        "as_of": data["as_of"],
        "timezone": data["timezone"],
        "period": {
            "key": data["range"]["key"],
            "label": data["range"]["label"],
            "start": data["range"]["from"],
            "end": data["range"]["to"],
        },
        "clients": counts["clients"],
        "engagements": counts["engagements"],
        "currencies": [
            _currency(currency, dict(values), by_currency[currency])
            for currency, values in data["currencies"].items()
        ],
        "status_counts": data["status_counts"],
    }
