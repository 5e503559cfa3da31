"""The invoice page's forms, history and deliveries, written in one pass (issue 19: the
template language's per-tag cost was most of the page's rendering)."""

from typing import Any

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # (not in the stubs)

from secportal.core.locales import format_when
from secportal.core.templatetags.money import money_filter
from secportal.invoicing.form_html import autoescape, form_html

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


@register.simple_tag
def history_items(events: list[Any]) -> SafeString:
    """The History's ``<li>`` items, written in one pass: the markup of the loop they replace
    (``tests/invoicing/test_page_loops.py`` renders both)."""
    parts = []
    for event in events:
        at = event.at
        details = event.details if isinstance(event.details, dict) else {}
        parts += [
            '<li><time datetime="',
            # ``{{ at|date:'c' }}``: the filter is given the local time; "c" is ISO 8601.
            autoescape(template_localtime(at).isoformat() if at else ""),
            '">',
            autoescape(format_when(at) if at else ""),
            "</time> · <strong>",
            autoescape(event.get_kind_display()),
            "</strong> · ",
            autoescape(event.actor_label),
        ]
        for key in ("number", "reason"):
            if details.get(key):
                parts += [" · ", autoescape(details[key])]
        parts.append("</li>")
    return SafeString("".join(parts))


@register.simple_tag
def delivery_rows(deliveries: list[Any]) -> SafeString:
    """The "Email delivery" table's rows, written in one pass (the loop's markup)."""
    parts = []
    for message in deliveries:
        parts += ["<tr><td>", autoescape(message.kind_label), "</td><td>", autoescape(message.to)]
        parts.append(" (CC)</td><td>" if message.is_cc else "</td><td>")
        status = message.status
        if status in ("failed", "bounced"):
            parts += [
                '<strong class="error">',
                autoescape(message.get_status_display()),
                "</strong>: ",
                autoescape(message.last_error),
            ]
        elif status == "queued" and message.attempts:
            parts += ["Retrying (", autoescape(message.last_error), ")"]
        elif status == "sent" and message.sent_at:
            parts += ["Sent ", autoescape(format_when(message.sent_at))]
        else:
            parts.append(autoescape(message.get_status_display()))
        parts += ["</td><td>", autoescape(message.attempts), "</td></tr>"]
    return SafeString("".join(parts))


@register.simple_tag
def line_rows(lines: list[Any], currency: str) -> SafeString:
    """The invoice lines table's rows, written in one pass (the loop's markup)."""
    parts = []
    for line in lines:
        parts += [
            "<tr><td>",
            linebreaksbr(line.description, autoescape=True),
            '</td><td class="num">',
            autoescape(line.quantity_text),
            '</td><td class="num">',
            autoescape(money_filter(line.unit_price, currency)),
            "</td><td>",
            autoescape(line.rate.label),
            '</td><td class="num">',
            autoescape(money_filter(line.net, currency)),
            "</td></tr>",
        ]
    return SafeString("".join(parts))
