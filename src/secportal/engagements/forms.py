from django import forms

from secportal.clients.models import Client
from secportal.core.widgets import DateInput

from .models import Engagement


class EngagementForm(forms.ModelForm):
    class Meta:
        model = Engagement
        fields = ["client", "name", "reference", "status", "start_date", "end_date"]
        labels = {
            "client": "Client",
            "name": "Name",
            "reference": "Reference",
            "status": "Status",
            "start_date": "Start date",
            "end_date": "End date",
        }
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # Built here, inside the request's workspace scope: only this workspace's clients.
        self.fields["client"].queryset = Client.objects.order_by("name")  # type: ignore[attr-defined]

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return cleaned
