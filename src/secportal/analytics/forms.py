"""The dashboard's date-range choice (query parameters ``range``, ``from``, ``to``)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from .selectors import DEFAULT_RANGE, RANGE_CHOICES, Period, preset_period

# What a date input sends; 01/03/2026 would be ambiguous (1 March or 3 January).
ISO = ["%Y-%m-%d"]
MAX_CUSTOM_DAYS = 3660  # ten years: enough for any report, small enough to stay a date range


class RangeForm(forms.Form):
    range = forms.ChoiceField(label="Period", choices=RANGE_CHOICES, required=False)

    def __init__(self, data: Any, *, today: datetime.date) -> None:
        super().__init__(data, initial={"range": DEFAULT_RANGE})
        self.today = today
        date_input = {"type": "date"}
        # "from" is a Python keyword: these two are added by name.
        self.fields["from"] = forms.DateField(
            label="From",
            required=False,
            input_formats=ISO,
            widget=forms.DateInput(date_input, format="%Y-%m-%d"),
        )
        self.fields["to"] = forms.DateField(
            label="To",
            required=False,
            input_formats=ISO,
            widget=forms.DateInput(date_input, format="%Y-%m-%d"),
        )
        self.fields["from"].error_messages["invalid"] = "Enter the start date as YYYY-MM-DD."
        self.fields["to"].error_messages["invalid"] = "Enter the end date as YYYY-MM-DD."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        key = data.get("range") or DEFAULT_RANGE
        data["range"] = key
        if key != "custom":
            return data
        start, end = data.get("from"), data.get("to")
        if "from" not in self.errors and start is None:
            self.add_error("from", "Choose the first day of the period.")
        if "to" not in self.errors and end is None:
            self.add_error("to", "Choose the last day of the period.")
        if start is None or end is None:
            return data
        if start > self.today:
            self.add_error("from", "The start date is in the future: choose today or earlier.")
        elif end < start:
            self.add_error("to", "The end date is before the start date.")
        elif (end - start).days >= MAX_CUSTOM_DAYS:
            self.add_error("to", "Choose a period of at most ten years.")
        return data

    def period(self) -> Period:
        """The chosen period; the default (this month) when the choice is not valid."""
        if not self.is_valid():
            return preset_period(DEFAULT_RANGE, self.today)
        key = self.cleaned_data["range"]
        if key == "custom":
            return Period(key, self.cleaned_data["from"], self.cleaned_data["to"])
        return preset_period(key, self.today)
