"""``{% id_url "invoicing:pdf" invoice.public_id %}``: ``{% url %}`` for a URL whose one
argument is a public id, reversed once per URL name (``core.reversing``)."""

from __future__ import annotations

import uuid

from django import template

from secportal.core.reversing import reverse_by_id

register = template.Library()


@register.simple_tag
def id_url(viewname: str, public_id: uuid.UUID | str) -> str:
    return reverse_by_id(viewname, public_id)
