"""``reverse_by_id`` (and ``{% id_url %}``) give what ``reverse`` gives, for every URL of the
project whose one argument is a UUID, whatever the script prefix."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.template import engines
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.base import get_script_prefix, set_script_prefix
from django.urls.converters import UUIDConverter

from secportal.core.reversing import reverse_by_id


def _uuid_url_names(resolver: Any = None, namespace: str = "") -> list[str]:
    """Every named URL whose only argument is a ``<uuid:...>`` (walked from the root URLconf)."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _uuid_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            if len(converters) == 1 and isinstance(next(iter(converters.values())), UUIDConverter):
                found.append(f"{namespace}{entry.name}")
    return found


NAMES = _uuid_url_names()


def test_the_project_has_such_urls() -> None:
    assert {"invoicing:detail", "invoicing:pdf", "payments:refund", "clients:detail"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_same_text_as_reverse(name: str) -> None:
    for public_id in (uuid.uuid4(), uuid.uuid4()):
        assert reverse_by_id(name, public_id) == reverse(name, args=[public_id])
        assert reverse_by_id(name, str(public_id)) == reverse(name, args=[public_id])


def test_the_script_prefix_is_part_of_it() -> None:
    public_id = uuid.uuid4()
    before = get_script_prefix()
    try:
        set_script_prefix("/portal-app/")
        prefixed = reverse_by_id("invoicing:pdf", public_id)
        assert prefixed == reverse("invoicing:pdf", args=[public_id])
        assert prefixed.startswith("/portal-app/")
    finally:
        set_script_prefix(before)
    assert reverse_by_id("invoicing:pdf", public_id) == reverse("invoicing:pdf", args=[public_id])


def test_refuses_what_is_not_a_uuid_or_such_a_url() -> None:
    with pytest.raises(ValueError):
        reverse_by_id("invoicing:pdf", "not-a-uuid")
    with pytest.raises(NoReverseMatch):  # a URL with no argument: reverse refuses it
        reverse_by_id("invoicing:list", uuid.uuid4())


def test_the_template_tag() -> None:
    public_id = uuid.uuid4()
    template = engines["django"].from_string(
        "{% load id_url %}{% id_url 'invoicing:ubl' invoice.public_id %}|"
        "{% url 'invoicing:ubl' invoice.public_id %}"
    )
    ours, django = template.render({"invoice": {"public_id": public_id}}).split("|")
    assert ours == django


def test_an_overridden_urlconf_is_its_own(settings: Any) -> None:
    """Tests (and ``override_settings``) change ``ROOT_URLCONF``: not the cached text of the
    project's URLconf then."""
    public_id = uuid.uuid4()
    project = reverse_by_id("invoicing:pdf", public_id)
    settings.ROOT_URLCONF = "tests.core.urls_prefixed"
    assert reverse_by_id("invoicing:pdf", public_id) == reverse("invoicing:pdf", args=[public_id])
    assert reverse_by_id("invoicing:pdf", public_id) == f"/prefixed{project}"
