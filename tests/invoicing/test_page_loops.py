"""The invoice page's History and "Email delivery" rows written in one pass (issue 19) are
exactly what the template loops they replace wrote: every event kind and actor, details with a
number and a reason, text to escape, every delivery state."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone
from django.utils.safestring import mark_safe

from secportal.invoicing.models import InvoiceEvent, InvoiceEventKind
from secportal.notifications.models import EmailMessage

from ..conftest import make_tenant

pytestmark = pytest.mark.django_db

#: The loops as detail.html had them before the tags.
OLD_HISTORY = (
    "{% load when %}{% for e in events %}<li><time datetime=\"{{ e.at|date:'c' }}\">"
    "{{ e.at|when }}</time> · <strong>{{ e.get_kind_display }}</strong> · {{ e.actor_label }}"
    "{% if e.details.number %} · {{ e.details.number }}{% endif %}{% if e.details.reason %} · "
    "{{ e.details.reason }}{% endif %}</li>{% endfor %}"
)
OLD_DELIVERIES = (
    "{% load when %}{% for m in deliveries %}<tr><td>{{ m.kind_label }}</td><td>{{ m.to }}"
    "{% if m.is_cc %} (CC){% endif %}</td><td>{% if m.status == 'failed' or m.status == "
    "'bounced' %}<strong class=\"error\">{{ m.get_status_display }}</strong>: {{ m.last_error }}"
    "{% elif m.status == 'queued' and m.attempts %}Retrying ({{ m.last_error }}){% elif "
    "m.status == 'sent' and m.sent_at %}Sent {{ m.sent_at|when }}{% else %}"
    "{{ m.get_status_display }}{% endif %}</td><td>{{ m.attempts }}</td></tr>{% endfor %}"
)


def _both(old: str, new: str, **context: object) -> tuple[str, str]:
    with timezone.override("America/New_York"):
        return (
            Template(old).render(Context(context)),
            Template("{% load invoice_page %}" + new).render(Context(context)),
        )


def test_history_items_are_the_loops_markup():
    tenant = make_tenant()
    tenant.owner.first_name, tenant.owner.last_name = 'Ann <"O\'Neil">', "& Co"
    tenant.owner.save()
    invoice = tenant.invoice
    at = timezone.make_aware(datetime.datetime(2026, 3, 29, 0, 30), datetime.UTC)
    events = [
        InvoiceEvent(invoice=invoice, kind=kind, actor_type="system", at=at, details=details)
        for kind, details in [
            (InvoiceEventKind.CREATED, {"amount": 5, "currency": "GBP"}),
            (InvoiceEventKind.SENT, {"number": "INV-<7>"}),
            (InvoiceEventKind.VOIDED, {"reason": 'Wrong "client" & <b>rate</b>'}),
            (InvoiceEventKind.EDITED, {"number": 42, "reason": mark_safe("<i>kept</i>")}),
            (InvoiceEventKind.VIEWED, {"number": "", "reason": None}),
        ]
    ]
    events[1].actor_user = tenant.owner
    events[2].actor_contact = tenant.contact
    old, new = _both(OLD_HISTORY, "{% history_items events %}", events=events)
    assert "INV-&lt;7&gt;" in new and "&amp; Co" in new and "2026-03-28T20:30:00-04:00" in new
    assert new == old


def test_delivery_rows_are_the_loops_markup():
    tenant = make_tenant()
    now = timezone.now()
    deliveries = [
        EmailMessage(workspace=tenant.workspace, kind=kind, to=to, is_cc=cc, status=status, **extra)
        for kind, to, cc, status, extra in [
            ("invoice", "ap@client.example", False, "sent", {"sent_at": now, "attempts": 1}),
            ("reminder", "cc+<x>@client.example", True, "failed", {"last_error": "550 <no>"}),
            ("receipt", "a@b.example", False, "bounced", {"last_error": 'bounced "hard"'}),
            ("invoice", "c@d.example", False, "queued", {"attempts": 2, "last_error": "421 & x"}),
            ("invoice", "e@f.example", False, "queued", {"attempts": 0}),
            ("invoice", "g@h.example", False, "sent", {"sent_at": None}),
        ]
    ]
    old, new = _both(OLD_DELIVERIES, "{% delivery_rows deliveries %}", deliveries=deliveries)
    assert "Retrying (421 &amp; x)" in new and "(CC)" in new
    assert new == old


OLD_LINES = (
    "{% load money %}{% for line in lines %}<tr><td>{{ line.description|linebreaksbr }}</td>"
    '<td class="num">{{ line.quantity_text }}</td><td class="num">'
    "{{ line.unit_price|money:invoice.currency }}</td><td>{{ line.rate.label }}</td>"
    '<td class="num">{{ line.net|money:invoice.currency }}</td></tr>{% endfor %}'
)


def test_line_rows_are_the_loops_markup():
    from decimal import Decimal

    from secportal.invoicing import vat
    from secportal.invoicing.lines import Line
    from secportal.invoicing.models import Invoice

    invoice = Invoice(currency="EUR")
    rate, zero = vat.VAT_RATES["standard"], vat.VAT_RATES["none"]
    lines = [
        Line(
            1, 'Testing <days> & "reporting"\r\nsecond line', Decimal("3.5"), 1000, rate, 3500, 700
        ),
        Line(2, "Retest\n\nafter", Decimal(1), 45_000, zero, 45_000, 0),
        Line(3, "Half a day", Decimal("0.5"), 99_999, rate, 49_999, 10_000),
    ]
    old, new = _both(
        OLD_LINES, "{% line_rows lines invoice.currency %}", lines=lines, invoice=invoice
    )
    assert "&lt;days&gt; &amp; &quot;reporting&quot;<br>second line" in new
    assert new == old
