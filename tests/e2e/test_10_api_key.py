"""API keys (issue 18): the owner creates a key in Settings → API keys, copies it from the page
that shows it once, and uses it over HTTP against the live demo to list the invoices."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from .conftest import Demo, Screens

pytestmark = pytest.mark.steps


@dataclass
class Story:
    token: str = ""


@pytest.fixture(scope="module")
def story() -> Story:
    return Story()


def call(demo: Demo, method: str, path: str, token: str, body: dict | None = None) -> tuple:
    """An HTTP request to the demo's API, as curl would make it: (status, JSON answer)."""
    request = urllib.request.Request(
        demo.url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_owner_creates_an_api_key_shown_once(owner: Page, shot: Screens, story: Story) -> None:
    owner.goto("/settings/")
    section = owner.locator("#api-keys")
    expect(section.get_by_role("heading", name="API keys")).to_be_visible()
    section.get_by_role("link", name="Create API key").click()
    expect(owner.get_by_role("heading", name="Create API key")).to_be_visible()
    owner.get_by_label("Name").fill("Accounting sync")
    owner.get_by_label("Role").select_option(label="Read-only")
    shot(owner, "101-create-api-key")
    owner.get_by_role("button", name="Create API key").click()
    expect(owner.get_by_role("heading", name="API key created")).to_be_visible()
    expect(owner.get_by_text("it is shown only this once")).to_be_visible()
    story.token = owner.locator("#api-key-value").inner_text().strip()
    assert re.fullmatch(r"spk_[0-9a-f]{8}_[\w-]{20,}", story.token), story.token
    shot(owner, "102-api-key-shown-once")
    # Back in Settings: the key is listed by its name, prefix and role, never shown again.
    owner.get_by_role("link", name="Done").click()
    row = owner.locator("#api-keys tr", has_text="Accounting sync")
    prefix = story.token.split("_")[1]
    expect(row).to_contain_text(f"spk_{prefix}_")
    expect(row).to_contain_text("Read-only")
    expect(row).to_contain_text("never")
    assert story.token not in owner.content()


def test_the_key_lists_the_invoices_over_http(
    owner: Page, demo: Demo, shot: Screens, story: Story
) -> None:
    status, body = call(demo, "GET", "/api/v1/invoices?limit=5", story.token)
    assert status == 200, body
    assert 1 <= len(body["data"]) <= 5
    invoice = body["data"][0]
    assert isinstance(invoice["amount"], int) and invoice["currency"] in ("GBP", "EUR", "USD")
    # The same invoice as the owner sees it in the browser.
    owner.goto(f"/invoices/{invoice['id']}/")
    expect(owner.locator("main")).to_contain_text(invoice["description"])
    # The key is read-only, as chosen: it writes nothing.
    status, refused = call(
        demo, "POST", "/api/v1/clients", story.token, {"name": "Should not exist"}
    )
    assert status == 403 and "read-only" in refused["detail"]
    # Settings now show when it was last used.
    owner.goto("/settings/")
    row = owner.locator("#api-keys tr", has_text="Accounting sync")
    expect(row).not_to_contain_text("never")
    shot(owner, "103-api-key-last-used")
