"""Form widgets shared by every app."""

from __future__ import annotations

from django import forms

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """A browser date picker. `<input type=date>` accepts only ISO values (`2027-01-15`): a
    locale format such as `15/01/2027` shows an empty field and Save then clears the date, so
    the value is always rendered in ISO, whatever the active locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, object] | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_DATE)
