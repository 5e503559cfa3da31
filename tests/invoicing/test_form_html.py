"""The invoice page's forms written in one pass (``invoicing.form_html``, issue 19) are exactly
what ``{% include "_form.html" %}`` writes; anything it does not write falls back to it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from secportal.invoicing import vat
from secportal.invoicing.form_html import form_html
from secportal.invoicing.forms import CreditNoteForm, VoidForm
from secportal.invoicing.lines import Line
from secportal.invoicing.models import Invoice
from secportal.invoicing.payment_forms import DeleteRecordedPaymentForm, RecordPaymentForm
from secportal.workspaces.models import Workspace


def template_html(form: forms.BaseForm) -> str:
    return get_template("_form.html").render({"form": form})


def _invoice() -> Invoice:
    workspace = Workspace(name="W", slug="w", timezone="Europe/London")
    return Invoice(workspace=workspace, currency="GBP", amount=123_456, paid_amount=20_000)


def _lines() -> list[Line]:
    rate = vat.VAT_RATES["none"]
    return [
        Line(1, 'Testing <days> & "reporting"\nsecond line', Decimal("3.5"), 1000, rate, 3500, 0),
        Line(2, "Retest", Decimal(1), 45_000, rate, 45_000, 0),
    ]


class Everything(forms.Form):
    """Every widget ``form_html`` writes, with values that need escaping."""

    text = forms.CharField(
        label='Name <&> "quoted"',
        max_length=12,
        initial='a "b" <c> & d',
        help_text="Help <b>escaped</b>",
        widget=forms.TextInput(attrs={"inputmode": "text", "data-flag": True, "data-off": False}),
    )
    optional = forms.CharField(required=False, help_text=mark_safe("Help <b>kept</b>"))
    when = forms.DateField(initial=datetime.date(2026, 11, 28), widget=forms.DateInput())
    number = forms.IntegerField(initial=7, disabled=True)
    email = forms.EmailField(required=False)
    choice = forms.ChoiceField(
        choices=[("a", "A & a"), ("Group <1>", [("b", "B"), ("c", 'C "c"')])], initial="c"
    )
    plain_choice = forms.ChoiceField(choices=[("", "—"), ("x", "X")], required=False)
    boxes = forms.MultipleChoiceField(
        choices=[("1", "One & <1>"), ("2", "Two")],
        initial=["2"],
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "boxes"}),
    )
    grouped_boxes = forms.MultipleChoiceField(
        choices=[("G", [("3", "Three")]), ("4", "Four")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hidden = forms.CharField(widget=forms.HiddenInput, initial="h&<")


FORMS = {
    "credit note": lambda: CreditNoteForm(invoice=_invoice(), invoice_lines=_lines()),
    "credit note, no lines": lambda: CreditNoteForm(invoice=_invoice(), invoice_lines=[]),
    "record payment": lambda: RecordPaymentForm(invoice=_invoice()),
    "delete recorded payment": DeleteRecordedPaymentForm,
    "void": VoidForm,
    "every widget": Everything,
    "prefixed, no auto id": lambda: Everything(prefix="p", auto_id=False),
    "custom auto id": lambda: Everything(auto_id="field-%s"),
}


@pytest.mark.parametrize("name", FORMS)
def test_written_as_the_template_writes_it(name: str) -> None:
    form = FORMS[name]()
    written = form_html(form)
    assert written is not None
    assert written == template_html(form)


class WithTextarea(forms.Form):
    notes = forms.CharField(widget=forms.Textarea)


@pytest.mark.parametrize(
    "form",
    [
        CreditNoteForm({"reason": ""}, invoice=_invoice(), invoice_lines=_lines()),  # errors
        WithTextarea(),  # a widget not written here
        None,
    ],
)
def test_anything_else_is_left_to_the_template(form: Any) -> None:
    assert form_html(form) is None


@pytest.mark.parametrize(
    "form",
    [
        CreditNoteForm(invoice=_invoice(), invoice_lines=_lines()),
        CreditNoteForm({"reason": "", "amount": "x"}, invoice=_invoice(), invoice_lines=_lines()),
        WithTextarea(),
    ],
)
def test_the_tag_writes_the_include(form: forms.BaseForm) -> None:
    """``{% page_form form %}`` = ``{% with form=… %}{% include "_form.html" %}{% endwith %}``,
    errors (the form shown again after a refused submit) included."""
    tag = Template("{% load invoice_page %}{% page_form form %}")
    include = Template('{% with form=shown %}{% include "_form.html" %}{% endwith %}')
    assert tag.render(Context({"form": form})) == include.render(Context({"shown": form}))
