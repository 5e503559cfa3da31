"""Connected accounts, Account Links and the hosted onboarding page."""

from __future__ import annotations

import re

import pytest
import requests
import stripe

from stripe_sandbox.testing import SandboxServer

from .conftest import CONTROLLER, create_account


def test_create_with_controller_properties_is_a_standard_like_account(
    client: stripe.StripeClient,
) -> None:
    account = create_account(client)
    assert account.id.startswith("acct_")
    assert account.object == "account"
    assert account.type == "standard"
    assert account.controller.stripe_dashboard.type == "full"
    assert account.controller.fees.payer == "account"
    assert account.controller.losses.payments == "stripe"
    assert account.controller.requirement_collection == "stripe"
    assert account.business_profile.name == "Redteam Ltd"
    assert account.metadata.to_dict() == {"platform": "secportal"}
    assert (account.details_submitted, account.charges_enabled, account.payouts_enabled) == (
        False,
        False,
        False,
    )
    assert account.requirements.currently_due


@pytest.mark.parametrize(("kind", "dashboard"), [("express", "express"), ("custom", "none")])
def test_create_with_type(client: stripe.StripeClient, kind: str, dashboard: str) -> None:
    account = client.v1.accounts.create({"type": kind, "country": "US"})
    assert account.type == kind
    assert account.controller.stripe_dashboard.type == dashboard
    assert account.default_currency == "usd"


def test_type_and_controller_together_are_refused(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.accounts.create({"type": "standard", "controller": CONTROLLER})


def test_update_emits_account_updated_with_previous_attributes(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = create_account(client)
    updated = client.v1.accounts.update(
        account.id, {"business_profile": {"name": "Blue Team Ltd"}, "metadata": {"platform": ""}}
    )
    assert updated.business_profile.name == "Blue Team Ltd"
    assert updated.metadata.to_dict() == {}
    [event] = sandbox.events(type="account.updated")
    assert event["account"] == account.id
    assert event["data"]["object"]["business_profile"]["name"] == "Blue Team Ltd"
    assert event["data"]["previous_attributes"]["business_profile"] == {"name": "Redteam Ltd"}
    assert event["data"]["previous_attributes"]["metadata"] == {"platform": "secportal"}
    assert event["request"]["id"].startswith("req_")


def test_accounts_are_visible_to_the_platform_and_to_themselves_only(
    client: stripe.StripeClient,
) -> None:
    first, second = create_account(client), create_account(client)
    assert client.v1.accounts.retrieve(first.id).id == first.id
    own = client.v1.accounts.retrieve(first.id, None, {"stripe_account": first.id})
    assert own.id == first.id
    with pytest.raises(stripe.PermissionError):
        client.v1.accounts.retrieve(second.id, None, {"stripe_account": first.id})
    with pytest.raises(stripe.PermissionError):
        client.v1.accounts.retrieve("acct_1missing")
    listed = client.v1.accounts.list({"limit": 1})
    assert [a.id for a in listed.data] == [second.id]
    assert listed.has_more


def _link(client: stripe.StripeClient, account_id: str) -> str:
    link = client.v1.account_links.create(
        {
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": "http://app.example/connect/refresh",
            "return_url": "http://app.example/connect/return",
        }
    )
    assert link.object == "account_link"
    assert link.expires_at - link.created == 300
    return str(link.url)


def test_onboarding_page_completes_onboarding(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = create_account(client)
    url = _link(client, account.id)
    assert url.startswith(sandbox.public_url + "/setup/s/")
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    assert "Complete onboarding" in page.text
    assert "Return without finishing" in page.text
    assert 'name=viewport content="width=device-width' in page.text
    assert "Redteam Ltd" in page.text
    action = re.search(r'<form method=post action="([^"]+)"', page.text)
    assert action is not None
    done = requests.post(sandbox.url + action.group(1), allow_redirects=False, timeout=5)
    assert done.status_code == 303
    assert done.headers["Location"] == "http://app.example/connect/return"
    account = client.v1.accounts.retrieve(account.id)
    assert account.details_submitted and account.charges_enabled and account.payouts_enabled
    assert account.capabilities.card_payments == "active"
    [event] = sandbox.events(type="account.updated")
    assert event["account"] == account.id
    assert event["data"]["previous_attributes"]["charges_enabled"] is False


def test_return_without_finishing_changes_nothing(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = create_account(client)
    page = requests.get(_link(client, account.id), timeout=5)
    assert 'href="http://app.example/connect/return">Return without finishing' in page.text
    assert client.v1.accounts.retrieve(account.id).details_submitted is False
    assert sandbox.events() == []


def test_links_are_single_use(client: stripe.StripeClient) -> None:
    account = create_account(client)
    url = _link(client, account.id)
    assert requests.get(url, timeout=5).status_code == 200
    again = requests.get(url, allow_redirects=False, timeout=5)
    assert again.status_code == 302
    assert again.headers["Location"] == "http://app.example/connect/refresh"
    late = requests.post(url, allow_redirects=False, timeout=5)
    assert late.headers["Location"] == "http://app.example/connect/refresh"
    assert client.v1.accounts.retrieve(account.id).charges_enabled is False


def test_links_expire_after_five_minutes(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = create_account(client)
    url = _link(client, account.id)
    sandbox.advance_clock(301)
    expired = requests.get(url, allow_redirects=False, timeout=5)
    assert expired.status_code == 302
    assert expired.headers["Location"] == "http://app.example/connect/refresh"


def test_account_link_needs_a_known_account_and_valid_urls(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.account_links.create(
            {
                "account": "acct_1nope",
                "type": "account_onboarding",
                "refresh_url": "http://a.example/r",
                "return_url": "http://a.example/x",
            }
        )
    assert caught.value.code == "resource_missing"
    account = create_account(client)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.account_links.create(
            {
                "account": account.id,
                "type": "account_onboarding",
                "refresh_url": "nope",
                "return_url": "http://a.example/x",
            }
        )
    assert caught.value.param == "refresh_url"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.account_links.create({"account": account.id, "type": "account_onboarding"})
    assert caught.value.code == "parameter_missing"


def test_deauthorize_emits_the_event_and_revokes_access(
    sandbox: SandboxServer, client: stripe.StripeClient
) -> None:
    account = create_account(client)
    event = sandbox.deauthorize(account.id)
    assert event["type"] == "account.application.deauthorized"
    assert event["account"] == account.id
    assert event["data"]["object"]["object"] == "application"
    assert event["data"]["object"]["id"].startswith("ca_")
    with pytest.raises(stripe.PermissionError):
        client.v1.accounts.retrieve(account.id)
    with pytest.raises(stripe.PermissionError):
        client.v1.checkout.sessions.list(None, {"stripe_account": account.id})
