"""The invoice page's forms, written in one pass (``invoicing.form_html``)."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from secportal.invoicing.form_html import form_html

register = template.Library()


@register.simple_tag(takes_context=True)
def page_form(context: Any, form: Any) -> SafeString:
    """``{% with form=… %}{% include "_form.html" %}{% endwith %}``, the same markup: written
    here for an unbound form, else (a form with errors) the template itself."""
    written = form_html(form)
    if written is not None:
        return written
    included = context.template.engine.get_template("_form.html")
    with context.push(form=form):
        return included.render(context)  # type: ignore[no-any-return]
