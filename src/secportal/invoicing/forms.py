from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django import forms
from django.http import QueryDict
from django.utils.safestring import SafeString

from secportal.clients.models import Client
from secportal.core.money import (
    CURRENCIES,
    CURRENCY_CHOICES,
    MoneyError,
    format_plain,
    parse_amount,
)
from secportal.core.validators import multi_line, single_line
from secportal.core.widgets import DateInput
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
        validators=[multi_line],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the invoice is for.",
    )
    due_date = forms.DateField(label="Due date", required=False, widget=DateInput())

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


def _uuid(value: str) -> str:
    """The canonical text of a UUID, or "" for anything else."""
    try:
        return str(UUID(value)) if value else ""
    except ValueError:
        return ""


def _options(choices: Iterable[tuple[str, str]], selected: str) -> SafeString:
    """``<option>``s as one string: a plain loop, not a template per option (Django's widgets
    render every option through a template, ~35 ms for the client and engagement lists)."""
    parts = []
    for value, label in choices:
        mark = " selected" if value == selected else ""
        # html.escape is what django.utils.html.escape calls, without its lazy-string wrapper.
        parts.append(f'<option value="{html.escape(value)}"{mark}>{html.escape(label)}</option>')
    return SafeString("".join(parts))


class InvoiceFilters:
    """The Invoices list's filters (Search, Status, Client, Engagement, Currency) read from the
    query string. A value that is not one of the choices is left out (the others still apply).

    The Client choices are read as plain values in one query; the Engagement choices only once
    a client is chosen (that client's engagements), as the invoice form does.
    """

    STATUS_CHOICES = [("", "Any status"), *InvoiceStatus.choices]
    CURRENCY_CHOICES = [("", "Any currency"), *CURRENCY_CHOICES]
    _STATUSES = frozenset(InvoiceStatus.values)
    _CURRENCIES = frozenset(CURRENCIES)

    def __init__(self, data: QueryDict | dict[str, str], *, choices: bool = False) -> None:
        self.q = (data.get("q") or "").strip()
        status = data.get("status") or ""
        self.status = status if status in self._STATUSES else ""
        currency = data.get("currency") or ""
        self.currency = currency if currency in self._CURRENCIES else ""
        self.client_id = _uuid(data.get("client") or "")
        self.engagement_id = _uuid(data.get("engagement") or "")
        # (pk, public id, name) of every client, when the page shows the Client choices.
        self.clients: list[tuple[int, str, str]] | None = None
        if choices:
            self.clients = [
                (pk, str(public_id), name)
                for pk, public_id, name in Client.objects.order_by("name").values_list(
                    "pk", "public_id", "name"
                )
            ]
        self.client_pk = self._client_pk()
        # (pk, public id, label) of the chosen client's engagements (or the chosen engagement).
        self.engagements = self._engagements()
        self.engagement_pk = next(
            (pk for pk, public_id, _ in self.engagements if public_id == self.engagement_id), None
        )
        if self.engagement_pk is None:
            self.engagement_id = ""

    def _client_pk(self) -> int | None:
        if not self.client_id:
            return None
        if self.clients is not None:
            pk = next(
                (pk for pk, public_id, _ in self.clients if public_id == self.client_id), None
            )
        else:
            pk = (
                Client.objects.filter(public_id=self.client_id).values_list("pk", flat=True).first()
            )
        if pk is None:
            self.client_id = ""
        return pk

    def _engagements(self) -> list[tuple[int, str, str]]:
        if self.client_pk is not None:
            engagements = Engagement.objects.filter(client_id=self.client_pk)
        elif self.engagement_id:
            engagements = Engagement.objects.filter(public_id=self.engagement_id)
        else:
            return []
        return [
            (pk, str(public_id), f"{reference} {name}".strip())
            for pk, public_id, reference, name in engagements.order_by("name").values_list(
                "pk", "public_id", "reference", "name"
            )
        ]

    @property
    def cleaned_data(self) -> dict[str, Any]:
        """What ``selectors.filtered_invoices`` takes."""
        return {
            "q": self.q,
            "status": self.status,
            "client": self.client_pk,
            "engagement": self.engagement_pk,
            "currency": self.currency,
        }

    @property
    def any(self) -> bool:
        return bool(self.q or self.status or self.currency or self.client_pk or self.engagement_pk)

    def status_options(self) -> SafeString:
        return _options(self.STATUS_CHOICES, self.status)

    def currency_options(self) -> SafeString:
        return _options(self.CURRENCY_CHOICES, self.currency)

    def client_options(self) -> SafeString:
        clients = [(public_id, name) for _, public_id, name in self.clients or ()]
        return _options([("", "Any client"), *clients], self.client_id)

    def engagement_options(self) -> SafeString:
        empty = "Any engagement" if self.engagements else "Any engagement (choose a client)"
        engagements = [(public_id, label) for _, public_id, label in self.engagements]
        return _options([("", empty), *engagements], self.engagement_id)


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason (shown in the invoice's history)",
        max_length=500,
        required=False,
        validators=[single_line],
    )
