from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from . import targets
from .models import EventType


class EndpointForm(forms.Form):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where we POST the events, e.g. https://hooks.example.com/secportal.",
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The events this endpoint receives.",
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            targets.check_url(url)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return url
