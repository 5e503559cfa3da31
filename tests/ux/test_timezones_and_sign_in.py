"""Issue 13, item 20: the time zone picker offers real zones grouped by region (no 'Factory',
'localtime'); the sign-in card is centred."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from secportal.workspaces.forms import timezone_choices

pytestmark = pytest.mark.django_db


def test_zones_are_grouped_by_region_without_pseudo_zones() -> None:
    choices = timezone_choices()
    groups = dict(choices[1:])
    assert choices[0] == ("UTC", "UTC")
    assert ("Europe/London", "London") in groups["Europe"]
    assert ("America/Argentina/Buenos_Aires", "Argentina / Buenos Aires") in groups["America"]
    names = {name for places in groups.values() for name, _ in places}
    for bad in ("Factory", "localtime", "Etc/GMT+5", "US/Eastern", "EST", "GMT"):
        assert bad not in names and bad not in groups


def test_settings_page_shows_optgroups(tenant, owner_client) -> None:
    page = owner_client.get(reverse("workspaces:settings")).content.decode()
    assert '<optgroup label="Europe">' in page
    assert '<option value="Europe/London" selected>London</option>' in page
    assert ">Factory<" not in page and ">localtime<" not in page


def test_sign_in_card_is_centred() -> None:
    page = HttpClient().get(reverse("accounts:login")).content.decode()
    assert 'class="card narrow centred"' in page
