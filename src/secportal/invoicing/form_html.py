"""A form as ``_form.html`` writes it, in one pass (issue 19: the invoice page's cost).

Django renders each widget through its own templates (``input.html``, ``attrs.html``, the
options of a checkbox list one include each) and ``_form.html`` includes ``_field.html`` per
field: about a millisecond for the credit-note form alone, a third of the invoice page's own
time. :func:`form_html` writes the same markup with string operations, for the forms the invoice
page shows before anything is submitted: unbound, so without errors, with the widgets below.
Anything else (a form with errors, another widget) answers ``None`` and the caller includes
``_form.html`` as before. ``tests/invoicing/test_form_html.py`` holds the two to the same output.
"""

from __future__ import annotations

import html
from typing import Any

from django import forms
from django.utils.safestring import SafeData, SafeString, mark_safe

# Widgets written here, by their template: Django's own templates, mirrored below.
_INPUT = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "hidden", "date", "number", "email", "password", "url")
)
_CHECKBOXES = "django/forms/widgets/checkbox_select.html"
_SELECT = "django/forms/widgets/select.html"
_OPTION_INPUTS = frozenset(("django/forms/widgets/checkbox_option.html",))
_SELECT_OPTION = "django/forms/widgets/select_option.html"


def autoescape(value: Any) -> str:
    """The template's autoescape: safe strings as they are, anything else escaped."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


_e = autoescape  # short, inside the f-strings below


def _attrs(attrs: dict[str, Any]) -> str:
    """``attrs.html``."""
    return "".join(
        f" {_e(name)}" if value is True else f' {_e(name)}="{_e(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    """``input.html`` (without its final newline)."""
    value = "" if widget["value"] is None else f' value="{_e(widget["value"])}"'
    return (
        f'<input type="{_e(widget["type"])}" name="{_e(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _option_input(option: dict[str, Any]) -> str:
    """``checkbox_option.html`` (``input_option.html`` and a newline), as
    ``multiple_input.html`` includes it: each template's final newline kept."""
    if not option["wrap_label"]:
        return _input(option) + "\n\n\n"
    for_id = option["attrs"].get("id")
    label_for = f' for="{_e(for_id)}"' if for_id else ""
    return f"<label{label_for}>{_input(option)}\n {_e(option['label'])}</label>\n\n"


def _checkboxes(widget: dict[str, Any]) -> str | None:
    """``multiple_input.html`` (stripped, as the form renderer returns it)."""
    attrs = widget["attrs"]
    parts = ["<div"]
    if attrs.get("id"):
        parts.append(f' id="{_e(attrs["id"])}"')
    if attrs.get("class"):
        parts.append(f' class="{_e(attrs["class"])}"')
    parts.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_e(group)}</label>")
        for option in options:
            if option["template_name"] not in _OPTION_INPUTS:
                return None
            parts.append(f"<div>\n    {_option_input(option)}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _select(widget: dict[str, Any]) -> str | None:
    """``select.html`` (stripped)."""
    parts = [f'<select name="{_e(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{_e(group)}">')
        for option in options:
            if option["template_name"] != _SELECT_OPTION:
                return None
            parts.append(
                f'\n  <option value="{_e(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_e(option['label'])}</option>\n"
            )
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _widget_html(field: forms.BoundField) -> str | None:
    """``{{ field }}``: ``BoundField.as_widget`` with the widget's template written here."""
    widget = field.field.widget
    if field.field.localize or field.field.show_hidden_initial:
        return None
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    template_name = widget.template_name
    if template_name in _INPUT:
        return _input(context)
    if template_name == _CHECKBOXES:
        return _checkboxes(context)
    if template_name == _SELECT:
        return _select(context)
    return None


def _field_html(field: forms.BoundField) -> str | None:
    """``_field.html`` for a field without errors."""
    widget = _widget_html(field)
    if widget is None:
        return None
    label = f'<label for="{_e(field.id_for_label)}">{_e(field.label)}</label>'
    if getattr(field.field.widget, "input_type", None) == "checkbox":
        head = '<div class="field check">\n  ' + f"{widget} {label}\n  "
    else:
        head = '<div class="field">\n  ' + f"{label}{widget}"
    help_text = (
        f'<small class="help" id="{_e(field.auto_id)}_helptext">{_e(field.help_text)}</small>'
        if field.help_text
        else ""
    )
    return f"{head}\n  {help_text}\n  \n</div>\n"


def form_html(form: forms.BaseForm | None) -> SafeString | None:
    """``{% include "_form.html" %}`` of an unbound form, or ``None`` when it cannot be written
    here (the caller then includes the template)."""
    if form is None or form.is_bound:
        return None
    hidden = []
    for field in form.hidden_fields():
        written = _widget_html(field)
        if written is None:
            return None
        hidden.append(written)
    visible = []
    for field in form.visible_fields():
        written = _field_html(field)
        if written is None:
            return None
        visible.append(written)
    return mark_safe("\n\n" + "".join(hidden) + "\n" + "".join(visible) + "\n")  # noqa: S308
