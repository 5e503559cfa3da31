"""Issue 13, item 7: help text and errors reach screen readers (every aria-describedby names an
element of the page), and after a validation error the page offers an error summary that the
page's script focuses."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

pytestmark = pytest.mark.django_db


def dangling_descriptions(html: str) -> list[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    missing = []
    for value in re.findall(r'aria-describedby="([^"]+)"', html):
        missing += [ref for ref in value.split() if ref not in ids]
    return missing


PAGES = [
    "invoicing:create",
    "engagements:create",
    "clients:create",
    "workspaces:settings",
    "accounts:account",
]


@pytest.mark.parametrize("name", PAGES)
def test_every_description_exists(name, owner_client) -> None:
    html = owner_client.get(reverse(name)).content.decode()
    assert "aria-describedby" in html or name != "invoicing:create"
    assert dangling_descriptions(html) == []


def test_public_sign_in_pages_too(db) -> None:
    for name in ("accounts:login", "portal:login"):
        html = HttpClient().get(reverse(name)).content.decode()
        assert dangling_descriptions(html) == []


def test_invalid_form_has_summary_and_described_errors(tenant, owner_client) -> None:
    response = owner_client.post(
        reverse("invoicing:create"),
        {"amount": "-5", "currency": "GBP", "description": "", "client": tenant.client.pk},
    )
    html = response.content.decode()
    assert dangling_descriptions(html) == []
    assert 'aria-describedby="id_amount_helptext id_amount_error"' in html
    assert 'id="id_amount_error"' in html and 'aria-invalid="true"' in html
    summary = re.search(r'<div class="error-summary"[^>]*data-error-summary[^>]*>', html)
    assert summary and 'tabindex="-1"' in summary.group(0) and 'role="alert"' in summary.group(0)
    assert '<a href="#id_amount">Amount:' in html and '<a href="#id_description">' in html


def test_the_script_focuses_the_summary() -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("secportal/app.js")
    assert path
    with open(path) as f:
        js = f.read()
    assert '"[data-error-summary]"' in js and "[aria-invalid=true]" in js and ".focus()" in js
