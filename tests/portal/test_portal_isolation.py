"""Every portal URL answers 404 for an invoice the contact may not see (DESIGN.md 2, 9).

Walks every ``portal:`` URL pattern: with a signed-in contact, ``invoice_id`` set to another
workspace's sent invoice, to the same workspace's other client's sent invoice, and to the
contact's own draft; ``token`` set to pay links that must not open anything.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from secportal.clients.models import Client
from secportal.core.signing import make_pay_token

from ..url_catalog import all_routes
from .conftest import make_sent, new_invoice, portal_browser

pytestmark = pytest.mark.django_db

# Portal URLs without an object in them (nothing to isolate): sign-in, session, lists.
# (the statement is the signed-in contact's own client's, whatever is asked: no object named)
NO_OBJECT = {
    "portal:home",
    "portal:login",
    "portal:logout",
    "portal:choose",
    "portal:statement",
    "portal:statement_pdf",
}
SIGN_IN_TOKEN = {"portal:magic_link"}  # a sign-in token, tested in test_sign_in.py


def portal_routes():
    return [r for r in all_routes() if r.name.startswith("portal:")]


def token_of(invoice, **changes) -> str:
    values = {"amount": invoice.amount, "currency": invoice.currency} | changes
    return make_pay_token(invoice.public_id, values["amount"], values["currency"])


def swap_payload(token_a: str, token_b: str) -> str:
    """A's signature with B's payload: what changing the invoice id inside A's token gives."""
    compressed = token_a.startswith(".")
    a = token_a.lstrip(".").split(":")
    b = token_b.lstrip(".").split(":")
    return ("." if compressed else "") + ":".join([b[0], *a[1:]])


def test_every_portal_route_is_known_here():
    for route in portal_routes():
        assert set(route.params) <= {"invoice_id", "token"}, route
        if not route.params:
            assert route.name in NO_OBJECT, f"{route.name}: say why it needs no isolation"


def test_every_invoice_url_is_404_for_invoices_the_contact_may_not_see(tenant, other_tenant):
    sister = Client.objects.create(workspace=tenant.workspace, name="Sister Co")
    forbidden = {
        "another workspace's sent invoice": make_sent(other_tenant.invoice),
        "same workspace, other client's sent invoice": make_sent(
            new_invoice(tenant, client=sister)
        ),
        "own draft": tenant.invoice,
    }
    mine = make_sent(new_invoice(tenant, description="Mine"))
    browser = portal_browser(tenant.contact)
    checked = 0
    for route in portal_routes():
        if route.params != ("invoice_id",):
            continue
        # The contact's own sent invoice opens (so the 404s below are about the object).
        own = browser.get(reverse(route.name, args=[mine.public_id]))
        # (a receipt of an invoice with no payment yet sends the contact back to its page)
        assert own.status_code in (200, 405) or (
            route.name == "portal:receipt_pdf" and own.status_code == 302
        ), (route.name, own.status_code)
        for what, invoice in forbidden.items():
            url = reverse(route.name, args=[invoice.public_id])
            for method in ("get", "post"):
                response = getattr(browser, method)(url)
                assert response.status_code == 404, (route.name, what, method)
                checked += 1
    assert checked == 4 * 2 * 3  # invoice, invoice_pdf, receipt_pdf, pay


def test_every_pay_link_url_is_404_for_a_link_that_must_not_open(tenant, other_tenant):
    mine = make_sent(tenant.invoice)
    other = make_sent(other_tenant.invoice)
    draft = new_invoice(tenant, description="Draft, never linked")
    swapped = swap_payload(token_of(mine), token_of(other))
    assert swapped != token_of(other)
    bad_tokens = {
        "a draft's token": token_of(draft),
        "invoice A's signature on invoice B's id": swapped,
        "amount no longer matches": token_of(mine, amount=mine.amount - 1),
        "currency no longer matches": token_of(mine, currency="EUR"),
        "not a token": "not-a-token",
    }
    browser = portal_browser(tenant.contact)  # signing in gives a pay link nothing more
    checked = 0
    for route in portal_routes():
        if route.params != ("token",) or route.name in SIGN_IN_TOKEN:
            continue
        for what, token in bad_tokens.items():
            url = reverse(route.name, args=[token])
            for method in ("get", "post"):
                response = getattr(browser, method)(url)
                assert response.status_code == 404, (route.name, what, method)
                assert "not valid" in response.content.decode()
                checked += 1
    assert checked == 4 * 5 * 2  # pay_link, pay_link_pdf, pay_link_pay, fresh_link


def test_a_signed_in_contact_cannot_choose_another_clients_contact(tenant, other_tenant):
    browser = portal_browser(tenant.contact)
    browser.post(reverse("portal:choose"), {"contact": str(other_tenant.contact.public_id)})
    home = browser.get(reverse("portal:home")).content.decode()
    assert tenant.client.name in home and other_tenant.client.name not in home
