from __future__ import annotations

from typing import Any

from django import forms

from secportal.clients.models import Client
from secportal.core.money import CURRENCY_CHOICES, MoneyError, format_plain, parse_amount
from secportal.engagements.models import Engagement
from secportal.workspaces.models import Workspace

from .models import Invoice, InvoiceStatus


class InvoiceForm(forms.Form):
    """The seed's fields: Amount, Currency, Description, Client, Engagement; plus Due date."""

    client = forms.ModelChoiceField(
        label="Client", queryset=Client.objects.none(), empty_label="Choose a client"
    )
    engagement = forms.ModelChoiceField(
        label="Engagement",
        queryset=Engagement.objects.none(),
        required=False,
        empty_label="No engagement",
        help_text="Optional: only the client's engagements.",
    )
    amount = forms.CharField(
        label="Amount",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="The invoice total, e.g. 1,250.00",
    )
    currency = forms.ChoiceField(label="Currency", choices=CURRENCY_CHOICES)
    description = forms.CharField(
        label="Description",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the invoice is for.",
    )
    due_date = forms.DateField(
        label="Due date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, workspace: Workspace, instance: Invoice | None = None, **kwargs: Any
    ) -> None:
        self.workspace = workspace
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "client": instance.client_id,
                "engagement": instance.engagement_id,
                "amount": format_plain(instance.amount, instance.currency),
                "currency": instance.currency,
                "description": instance.description,
                "due_date": instance.due_date,
            }
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = self.initial.get("currency") or workspace.default_currency
        # Built here, inside the request's workspace scope.
        self.fields["client"].queryset = Client.objects.order_by("name")  # type: ignore[attr-defined]
        engagements = Engagement.objects.select_related("client").order_by("client__name", "name")
        client_id = self.data.get("client") or self.initial.get("client")
        if client_id:
            client_key = getattr(client_id, "pk", client_id)
            engagements = (
                engagements.filter(client_id=client_key)
                if str(client_key).isdigit()
                else engagements
            )
        self.fields["engagement"].queryset = engagements  # type: ignore[attr-defined]
        self.fields["due_date"].help_text = (
            f"Leave empty to use your payment terms: {workspace.payment_terms_days} days after "
            "the invoice is sent."
        )

    def clean_amount(self) -> int:
        currency = self.data.get("currency") or self.fields["currency"].initial
        try:
            return parse_amount(self.cleaned_data["amount"], str(currency))
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        client, engagement = cleaned.get("client"), cleaned.get("engagement")
        if client is not None and engagement is not None and engagement.client_id != client.pk:
            self.add_error("engagement", f"This engagement is not for {client.name}.")
        return cleaned


class InvoiceFilterForm(forms.Form):
    STATUS_CHOICES = [("", "Any status"), *InvoiceStatus.choices]

    q = forms.CharField(label="Search", required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    client = forms.ModelChoiceField(
        label="Client",
        queryset=Client.objects.none(),
        required=False,
        empty_label="Any client",
        to_field_name="public_id",
    )
    engagement = forms.ModelChoiceField(
        label="Engagement",
        queryset=Engagement.objects.none(),
        required=False,
        empty_label="Any engagement",
        to_field_name="public_id",
    )
    currency = forms.ChoiceField(
        label="Currency", choices=[("", "Any currency"), *CURRENCY_CHOICES], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["engagement"].queryset = Engagement.objects.order_by("name")  # type: ignore[attr-defined]


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason (shown in the invoice's history)", max_length=500, required=False
    )
