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
from bench.data import MADE_MARK

ROUNDS = int(os.environ.get("BENCH_PAGE_ROUNDS", "120"))
VS_SIGNED_IN_LIMIT = 2.0
VS_SMALL_LIMIT = 1.3
PORTAL_INVOICES = 500


def main() -> int:
    setup_django()
    from bench.data import BIG, SMALL, ensure_invoice_data

    tenants = ensure_invoice_data()
    big, small = tenants[BIG.slug], tenants[SMALL.slug]
    # Made (once) before anything is timed: it connects bench-big's Stripe account, as every
    # workspace that sends invoices has, and each page is then timed with it connected.
    paid_page = paid_invoice_url(big)
    _vacuum()
    results = Results()
    owner = signed_in_client(big.owner)
    floor = _getter(owner, "/bench/signed-in/")
    _vs_floor(results, "invoices_page_vs_signed_in", floor, _getter(owner, "/invoices/"))
    small_page = _getter(signed_in_client(small.owner), "/invoices/")
    small_s, big_s = interleaved(small_page, _getter(owner, "/invoices/"), ROUNDS)
    detail(f"invoices page: {big_s * 1000:.2f} ms at 200,000, {small_s * 1000:.2f} ms at 10")
    results.ratio("invoices_page_vs_small", big_s / small_s, "<=", VS_SMALL_LIMIT)
    _vs_floor(results, "invoice_detail_vs_signed_in", floor, _getter(owner, paid_page))
    _vs_floor(results, "portal_home_vs_signed_in", floor, _portal_home(big))
    _vs_floor(results, "dashboard_page_vs_signed_in", floor, _getter(owner, "/"))
    return results.exit_code


def _vacuum() -> None:
    """The tables the pages read, vacuumed as autovacuum keeps them in production: the other
    benches of this database make and delete payments, emails and invoices by the thousand (a
    paid invoice's page planned its refunds' join in 0.9 ms instead of 0.05 over 300,000 dead
    payment rows, the planner reading an index's dead ends for the join's range)."""
    from django.db import connection

    from secportal.clients.models import ClientContact
    from secportal.invoicing.models import InvoiceEvent, InvoiceLine
    from secportal.notifications.models import EmailMessage
    from secportal.payments.models import Dispute, Payment, Refund, RefundRequest

    models = (Payment, Refund, RefundRequest, Dispute, EmailMessage, InvoiceLine, InvoiceEvent)
    with connection.cursor() as cursor:
        for model in (*models, ClientContact):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")


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


#: The invoice ``paid_invoice_url`` makes once (its description ends with this mark).
PAID_MARK = MADE_MARK


def paid_invoice_url(tenant: Any) -> str:
    """A paid invoice of the big workspace as the app leaves one: three lines, sent by email,
    viewed by the client, paid through Stripe (a payment with its charge), the receipt and the
    owner's news emailed; its page shows the lines, payments, history and deliveries.

    The seed's invoices are rows written by SQL with none of these (their page is nearly
    empty); this one is made once through the services, as ``demo.data`` makes its paid
    invoices, and kept."""
    from decimal import Decimal

    from django.test import override_settings
    from django.utils import timezone

    from secportal.clients.models import Client
    from secportal.core.fees import platform_fee
    from secportal.invoicing import services as invoicing
    from secportal.invoicing import vat
    from secportal.invoicing.lines import LineInput
    from secportal.invoicing.models import Invoice
    from secportal.payments import emails
    from secportal.payments.models import ConnectedAccount, Payment

    workspace, owner = tenant.workspace, tenant.owner
    rate = vat.default_rate(workspace.vat_registered)
    found = Invoice.unscoped.filter(
        workspace=workspace, description__endswith=PAID_MARK, status="paid"
    ).first()
    if found is not None:
        return f"/invoices/{found.public_id}/"
    ConnectedAccount.objects.get_or_create(
        workspace=workspace,
        defaults={
            "stripe_account_id": f"acct_bench_{workspace.pk}",
            "details_submitted": True,
            "charges_enabled": True,
            "payouts_enabled": True,
        },
    )
    client = Client.unscoped.filter(workspace=workspace).exclude(billing_email="").order_by("pk")
    client = client.first()
    assert client is not None, "bench-big has no client with a billing email"
    # The emails are delivered (to memory): the page shows them Sent, as they mostly are.
    locmem = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with override_settings(MAILERS=locmem):
        draft = invoicing.create_invoice(
            workspace,
            owner,
            {
                "client": client,
                "engagement": client.engagements.order_by("pk").first(),
                "currency": "GBP",
                "description": f"Web application test {PAID_MARK}",
                "lines": [
                    LineInput("Web application test, 5 days", Decimal(5), 120_000, rate),
                    LineInput("Retest of findings", Decimal(1), 95_000, rate),
                    LineInput("Report and debrief", Decimal("0.5"), 120_000, rate),
                ],
            },
        )
        invoicing.send_invoice(draft.pk, owner)
        invoice = Invoice.unscoped.get(pk=draft.pk)
        invoicing.record_viewed(invoice, None)
        fee = platform_fee(invoice.amount, workspace.fee_bps)
        paid_at = timezone.now()
        payment = Payment.unscoped.create(
            workspace=workspace,
            invoice=invoice,
            stripe_account_id="acct_bench",
            checkout_session_id=f"cs_bench_{invoice.public_id.hex}",
            payment_intent_id=f"pi_bench_{invoice.public_id.hex}",
            charge_id=f"ch_bench_{invoice.public_id.hex}",
            amount=invoice.amount,
            currency=invoice.currency,
            application_fee=fee,
            net=invoice.amount - fee,
            paid_at=paid_at,
        )
        invoice = invoicing.mark_paid(
            invoice.pk, paid_at=paid_at, session=payment.checkout_session_id
        )
        emails.queue_paid_emails(invoice, payment)
    return f"/invoices/{invoice.public_id}/"


def detail_url(tenant: Any) -> str:
    """A paid invoice of the workspace (the platform seed's have a payment each)."""
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
