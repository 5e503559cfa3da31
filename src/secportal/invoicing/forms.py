from __future__ import annotations

import html
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.safestring import SafeString

from secportal.clients.models import Client
from secportal.core.money import (
    CURRENCIES,
    CURRENCY_CHOICES,
    MoneyError,
    format_money,
    format_plain,
    parse_amount,
)
from secportal.core.validators import multi_line, single_line
from secportal.core.widgets import DateInput
from secportal.engagements.models import Engagement
from secportal.workspaces.models import Workspace

from . import line_forms, lines, vat
from .lines import Line
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
        required=False,
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
    vat_rate = forms.ChoiceField(label="VAT rate", required=False)
    po_number = forms.CharField(
        label="PO number",
        max_length=60,
        required=False,
        validators=[single_line],
        help_text="The client's purchase order, printed on the invoice.",
    )
    supply_date = forms.DateField(
        label="Supply date",
        required=False,
        widget=DateInput(),
        help_text="When the work was done (the tax point); leave empty for the issue date.",
    )
    gbp_rate = forms.DecimalField(
        label="Sterling exchange rate",
        required=False,
        min_value=Decimal("0.000001"),
        max_digits=12,
        decimal_places=6,
        help_text="GBP for one unit of the invoice's currency: UK VAT is also shown in sterling.",
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
                "po_number": instance.po_number,
                "supply_date": instance.supply_date,
                "gbp_rate": instance.gbp_rate,
            }
        super().__init__(*args, **kwargs)
        registered = workspace.vat_registered
        self.vat_registered = registered
        self.gross = (
            instance.prices_include_vat
            if instance
            else (registered and workspace.amounts_entered == "gross")
        )
        self.fields["vat_rate"].choices = vat.rate_choices(registered)  # type: ignore[attr-defined]
        if not registered:
            del self.fields["vat_rate"]
            del self.fields["gbp_rate"]
        elif instance is None and not self.is_bound:
            from .selectors import last_gbp_rate

            self.initial.setdefault("gbp_rate", last_gbp_rate())
        else:
            self.fields["amount"].help_text = (
                "The invoice's amount including VAT, e.g. 1,200.00"
                if self.gross
                else "The amount before VAT, e.g. 1,000.00 (VAT is added)"
            )
        self.rows = self._rows(instance)
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

    def _rows(self, instance: Invoice | None) -> list[line_forms.LineRow]:
        if self.is_bound:
            rows = [row for row in line_forms.rows_from(self.data) if not row.is_blank]
            if "add_line" in self.data:
                if not rows and str(self.data.get("amount", "")).strip():
                    first = line_forms.blank_row(self.vat_registered)
                    first.values |= {
                        "description": str(self.data.get("description", ""))[:500],
                        "unit_price": str(self.data.get("amount", "")),
                        "vat_rate": str(self.data.get("vat_rate", "") or first.values["vat_rate"]),
                    }
                    rows.append(first)
                rows.append(line_forms.blank_row(self.vat_registered))
            return rows
        if instance is not None and not self._is_quick(instance):
            return line_forms.rows_of(lines.inputs_of(instance), instance.currency)
        return []

    @staticmethod
    def _is_quick(invoice: Invoice) -> bool:
        """A one-line invoice of the quick form: edited with Amount and Description."""
        saved = lines.inputs_of(invoice)
        return (
            len(saved) == 1
            and saved[0].quantity == 1
            and (saved[0].description == invoice.description[:500])
        )

    @property
    def has_lines(self) -> bool:
        return bool(self.rows)

    def clean_amount(self) -> int | None:
        text = self.cleaned_data.get("amount", "")
        if self.rows or "add_line" in self.data:
            return None  # the lines make the total
        currency = self.data.get("currency") or self.fields["currency"].initial
        try:
            # A VAT-registered workspace's amount is a net or gross line: the total is checked.
            return parse_amount(text, str(currency), charge_limits=not self.vat_registered)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        client, engagement = cleaned.get("client"), cleaned.get("engagement")
        if client is not None and engagement is not None and engagement.client_id != client.pk:
            self.add_error("engagement", f"This engagement is not for {client.name}.")
        currency = str(cleaned.get("currency") or self.workspace.default_currency)
        rate_keys = {key for key, _ in vat.rate_choices(self.vat_registered)}
        if len(self.rows) > line_forms.MAX_LINES:
            self.add_error(None, f"An invoice has at most {line_forms.MAX_LINES} lines.")
            return cleaned
        for row in self.rows:
            row.clean(currency, rate_keys)
        if any(row.errors for row in self.rows):
            self.add_error(None, "Correct the lines marked below.")
            return cleaned
        inputs = [row.cleaned for row in self.rows if row.cleaned is not None]
        if not inputs and cleaned.get("amount") is not None:
            inputs = [lines.quick_line(cleaned, self.vat_registered)]
        cleaned["lines"] = inputs
        if inputs:
            self._check_vat(cleaned, inputs, currency)
        return cleaned

    def _check_vat(
        self, cleaned: dict[str, Any], inputs: list[lines.LineInput], currency: str
    ) -> None:
        field = "amount" if not self.rows else None
        client = cleaned.get("client")
        reverse = any(item.vat_rate == "reverse_charge" for item in inputs)
        if (
            reverse
            and client is not None
            and (not client.vat_number or client.country in ("", "GB"))
        ):
            self.add_error(
                "vat_rate" if field else None,
                "Reverse charge is for a business client outside the UK with a VAT "
                "number: add the client's Country and VAT number first.",
            )
            return
        try:
            totals = lines.check_lines(
                inputs, currency, vat_registered=self.vat_registered, gross=self.gross
            )
        except ValidationError as exc:
            for message in exc.messages:
                self.add_error(field, message)
            return
        self.totals = totals
        uk_vat = self.workspace.vat_number.startswith(("GB", "XI")) and totals.vat > 0
        if uk_vat and currency != "GBP" and not cleaned.get("gbp_rate"):
            self.add_error(
                "gbp_rate",
                f"UK VAT on a {currency} invoice is also shown in sterling: enter the rate.",
            )

    def preview(self) -> vat.Totals | None:
        """The totals of what was typed so far, for the live Net/VAT/Total (htmx)."""
        self.is_valid()
        return getattr(self, "totals", None)


def _uuid(value: str) -> str:
    """The canonical text of a UUID, or "" for anything else."""
    try:
        return str(UUID(value)) if value else ""
    except ValueError:
        return ""


def _options(choices: Iterable[tuple[str, str]], selected: str) -> SafeString:
    """``<option>``s as one string: a plain loop, not a template per option (Django's widgets
    render every option through a template, ~35 ms for the client and engagement lists)."""
    choices = list(choices)
    # html.escape is what django.utils.html.escape calls, without its lazy-string wrapper; every
    # value and label escaped in one call (a few hundred calls cost a client list ~0.1 ms), each
    # alone if one of them holds the separator.
    texts = [text for choice in choices for text in choice]
    escaped = html.escape("\0".join(texts)).split("\0")
    if len(escaped) != len(texts):
        escaped = [html.escape(text) for text in texts]
    parts = []
    for (value, _), value_html, label_html in zip(
        choices, escaped[::2], escaped[1::2], strict=True
    ):
        mark = " selected" if value == selected else ""
        parts.append(f'<option value="{value_html}"{mark}>{label_html}</option>')
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

    def __init__(self, data: QueryDict | dict[str, str], *, clients_of: int | None = None) -> None:
        """``clients_of``: the request's workspace when the page shows the Client choices."""
        self.q = (data.get("q") or "").strip()
        status = data.get("status") or ""
        self.status = status if status in self._STATUSES else ""
        currency = data.get("currency") or ""
        self.currency = currency if currency in self._CURRENCIES else ""
        self.client_id = _uuid(data.get("client") or "")
        self.engagement_id = _uuid(data.get("engagement") or "")
        # (pk, public id, name) of every client, when the page shows the Client choices.
        self.clients: list[tuple[int, str, str]] | None = None
        if clients_of is not None:
            from .selectors import client_choices

            self.clients = client_choices(clients_of)
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


class CreditNoteForm(forms.Form):
    """Issue credit note: an amount (all that is left when empty) and a reason."""

    amount = forms.CharField(
        label="Amount to credit",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="Including VAT; leave empty to credit all that is left.",
    )
    lines = forms.TypedMultipleChoiceField(
        label="Or credit these lines",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Instead of an amount: each chosen line in full, with its VAT.",
    )
    reason = forms.CharField(
        label="Reason", max_length=500, validators=[single_line], help_text="Printed on it."
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(
        self,
        *args: Any,
        invoice: Invoice,
        invoice_lines: list[Line] | None = None,
        **kwargs: Any,
    ) -> None:
        """``invoice_lines``: the invoice's lines when the caller has read them already."""
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        currency = invoice.currency
        self.fields["lines"].choices = [  # type: ignore[attr-defined]
            (
                line.position,
                f"{line.description[:60]} ({format_money(line.total, currency)})",
            )
            for line in (lines.lines_of(invoice) if invoice_lines is None else invoice_lines)
        ]
        if not self.is_bound:
            import uuid

            self.initial["key"] = uuid.uuid4().hex

    def clean_amount(self) -> int | None:
        text = self.cleaned_data.get("amount", "").strip()
        if not text:
            return None
        try:
            return parse_amount(text, self.invoice.currency, charge_limits=False)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from exc


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason (shown in the invoice's history)",
        max_length=500,
        required=False,
        validators=[single_line],
    )
