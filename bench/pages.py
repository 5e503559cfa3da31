"""Pages against the signed-in floor: what each page costs beyond what every signed-in page pays.

The floor (``/bench/signed-in/``) goes through ``workspace_view`` (session, user, membership,
workspace scope, two-factor) and renders the base layout with no data. Each page is timed side
by side with it (interleaved medians) at 200,000 invoices, and the invoices page also against
itself at 10 invoices. Run with ``bash bench/run pages``.
"""

from __future__ import annotations

import os
from typing import Any

from bench.common import Results, detail, interleaved, note, setup_django, signed_in_client

ROUNDS = int(os.environ.get("BENCH_PAGE_ROUNDS", "120"))
VS_SIGNED_IN_LIMIT = 2.0
VS_SMALL_LIMIT = 1.3
PORTAL_INVOICES = 500


def main() -> int:
    setup_django()
    from bench.data import BIG, SMALL, ensure_invoice_data

    tenants = ensure_invoice_data()
    big, small = tenants[BIG.slug], tenants[SMALL.slug]
    results = Results()
    owner = signed_in_client(big.owner)
    floor = _getter(owner, "/bench/signed-in/")
    _vs_floor(results, "invoices_page_vs_signed_in", floor, _getter(owner, "/invoices/"))
    small_page = _getter(signed_in_client(small.owner), "/invoices/")
    small_s, big_s = interleaved(small_page, _getter(owner, "/invoices/"), ROUNDS)
    detail(f"invoices page: {big_s * 1000:.2f} ms at 200,000, {small_s * 1000:.2f} ms at 10")
    results.ratio("invoices_page_vs_small", big_s / small_s, "<=", VS_SMALL_LIMIT)
    _vs_floor(results, "invoice_detail_vs_signed_in", floor, _getter(owner, detail_url(big)))
    _vs_floor(results, "portal_home_vs_signed_in", floor, _portal_home(big))
    _vs_floor(results, "dashboard_page_vs_signed_in", floor, _getter(owner, "/"))
    return results.exit_code


def _getter(client: Any, url: str) -> Any:
    def get() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        return response

    get()
    return get


def _vs_floor(results: Results, name: str, floor: Any, page: Any) -> None:
    note(f"{name}: against the signed-in floor, {ROUNDS} rounds")
    floor_s, page_s = interleaved(floor, page, ROUNDS)
    detail(f"{name}: floor {floor_s * 1000:.2f} ms, page {page_s * 1000:.2f} ms")
    results.ratio(name, page_s / floor_s, "<=", VS_SIGNED_IN_LIMIT)


def detail_url(tenant: Any) -> str:
    """A paid invoice of the big workspace: payments, history and deliveries on its page."""
    from secportal.invoicing.models import Invoice, InvoiceStatus

    invoice = (
        Invoice.unscoped.filter(workspace=tenant.workspace, status=InvoiceStatus.PAID)
        .order_by("-pk")
        .first()
    )
    assert invoice is not None
    return f"/invoices/{invoice.public_id}/"


def portal_browser(tenant: Any) -> Any:
    """A browser signed in as a contact of the client with the number of visible invoices
    nearest 500 (the portal session as the magic link leaves it)."""
    from django.db.models import Count
    from django.test import Client as Browser

    from secportal.clients.models import Client, ClientContact
    from secportal.invoicing.models import Invoice, InvoiceStatus
    from secportal.portal.access import CONTACT_KEY, EMAIL_KEY, SINCE_KEY

    counts = (
        Invoice.unscoped.filter(workspace=tenant.workspace)
        .exclude(status=InvoiceStatus.DRAFT)
        .values("client")
        .order_by()
        .annotate(n=Count("id"))
    )
    nearest = min(counts, key=lambda row: abs(row["n"] - PORTAL_INVOICES))
    client = Client.unscoped.get(pk=nearest["client"])
    note(f"portal home: client {client.name} with {nearest['n']} visible invoices")
    contact, _ = ClientContact.unscoped.get_or_create(
        workspace=tenant.workspace,
        client=client,
        email=f"bench-portal-{client.pk}@client.example",
        defaults={"name": "Bench Contact"},
    )
    from django.utils import timezone

    browser = Browser()
    session = browser.session
    session[EMAIL_KEY] = contact.email
    session[SINCE_KEY] = timezone.now().isoformat()
    session[CONTACT_KEY] = contact.pk
    session.save()
    return browser


def _portal_home(tenant: Any) -> Any:
    """The portal home of a contact of a client with about 500 visible invoices."""
    return _getter(portal_browser(tenant), "/portal/")


if __name__ == "__main__":
    raise SystemExit(main())
