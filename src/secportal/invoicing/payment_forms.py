"""Record payment and its deletion (issue 16, 5): the forms on the invoice page."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from secportal.core.money import MoneyError, format_money, parse_amount
from secportal.core.validators import single_line

from .models import Invoice, RecordedPaymentMethod


class RecordPaymentForm(forms.Form):
    """Record payment: money received outside Stripe (no platform fee)."""

    amount = forms.CharField(
        label="Amount",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    received_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}), help_text="When it arrived."
    )
    method = forms.ChoiceField(label="Method", choices=RecordedPaymentMethod.choices)
    reference = forms.CharField(
        label="Reference",
        max_length=140,
        required=False,
        validators=[single_line],
        help_text="The bank reference or cheque number, if any.",
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, invoice: Invoice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        self.fields["amount"].help_text = (
            f"In {invoice.currency}; the balance due is "
            f"{format_money(invoice.balance_due, invoice.currency)}."
        )
        if not self.is_bound:
            self.initial.update(
                key=uuid.uuid4().hex,
                received_on=invoice.workspace.today(),
                method=RecordedPaymentMethod.BANK_TRANSFER,
            )

    def clean_amount(self) -> int:
        try:
            return parse_amount(
                self.cleaned_data.get("amount", ""), self.invoice.currency, charge_limits=False
            )
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from exc


class DeleteRecordedPaymentForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=500, validators=[single_line], help_text="Kept in the history."
    )
