"""Bad input is refused beside its field and nothing is saved; CSV cells never run as formulas."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from secportal.clients.models import Client
from secportal.core.spreadsheets import formula_safe, safe_cell
from secportal.engagements.models import Engagement

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["Acme\x07Ltd", "Acme\nBcc: x@evil.test", "Acme\u202eLtd", "A\x00"]
)
def test_control_characters_in_a_name_are_refused_beside_the_field(admin_client_, name):
    response = admin_client_.post(
        reverse("clients:create"), {"name": name, "billing_email": "", "address": ""}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_name_error"' in body or "Null characters are not allowed" in body
    assert (
        not Client.objects.filter(name__startswith="A").exclude(name__startswith="Client").exists()
    )


def test_a_huge_address_is_refused_and_line_breaks_are_fine(admin_client_):
    huge = admin_client_.post(
        reverse("clients:create"),
        {"name": "Big Co", "billing_email": "", "address": "x" * 1_000_000},
    )
    assert huge.status_code == 400
    assert "at most 1000 characters" in huge.content.decode()
    assert not Client.objects.filter(name="Big Co").exists()
    ok = admin_client_.post(
        reverse("clients:create"),
        {"name": "Small Co", "billing_email": "", "address": "1 Street\r\nLondon\tEC1"},
    )
    assert ok.status_code == 302
    assert Client.objects.get(name="Small Co").address.startswith("1 Street")


def test_control_characters_in_an_engagement_reference_are_refused(tenant, admin_client_):
    response = admin_client_.post(
        reverse("engagements:create"),
        {
            "client": tenant.client.public_id,
            "name": "Web test",
            "reference": "R\x1b[31m",
            "status": "active",
        },
    )
    assert response.status_code == 400
    assert not Engagement.objects.filter(name="Web test").exists()


def test_every_csv_column_is_formula_safe(tenant, owner_client):
    Client.objects.filter(pk=tenant.client.pk).update(name='=HYPERLINK("http://evil.test","x")')
    Engagement.objects.filter(pk=tenant.engagement.pk).update(name="@SUM(1+1)")
    response = owner_client.get(reverse("invoicing:export"))
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    row = rows[1]
    assert '\'=HYPERLINK("http://evil.test","x")' in row
    assert "'@SUM(1+1)" in row
    for cells in rows:
        for cell in cells:
            assert cell[:1] not in ("=", "+", "@", "\t", "\r") or cell.startswith("'")


def test_formula_safe_keeps_numbers_and_multiline_cells():
    assert safe_cell("-12.50") == "-12.50"
    assert safe_cell("-cmd") == "'-cmd"
    lines = ['a,"=1+1\nsecond line",+3\r\n']
    (out,) = list(formula_safe(lines))
    assert list(csv.reader(io.StringIO(out))) == [["a", "'=1+1\nsecond line", "+3"]]
