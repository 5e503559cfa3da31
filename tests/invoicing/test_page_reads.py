"""The invoice page's reads compiled once (``core.prepared``, issue 19) give the objects the
ORM's querysets give, field by field, related objects and deferred columns included; the
invoice is still read in the request's workspace only."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Model
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from secportal.clients.models import ClientContact
from secportal.core import prepared
from secportal.core.tenancy import use_workspace
from secportal.invoicing import lines, page_reads, selectors
from secportal.invoicing.history import record_event
from secportal.invoicing.models import Invoice, InvoiceEvent, InvoiceEventKind, InvoiceLine
from secportal.notifications.models import EmailMessage
from secportal.payments import selectors as payment_selectors
from secportal.payments.models import Payment

from ..conftest import Tenant

pytestmark = pytest.mark.django_db


def _values(obj: Model) -> dict[str, Any]:
    return {key: value for key, value in obj.__dict__.items() if key != "_state"}


def assert_same(found: list[Any], expected: list[Any]) -> None:
    """The same rows in the same order: every loaded value, the deferred columns, and the
    related objects loaded with them (``select_related``)."""
    assert [type(obj) for obj in found] == [type(obj) for obj in expected]
    for obj, other in zip(found, expected, strict=True):
        assert _values(obj) == _values(other)
        assert obj.get_deferred_fields() == other.get_deferred_fields()
        assert obj._state.adding is other._state.adding is False
        assert obj._state.db == other._state.db
        assert obj._state.fields_cache.keys() == other._state.fields_cache.keys()
        for name, related in obj._state.fields_cache.items():
            if related is None:
                assert other._state.fields_cache[name] is None
            else:
                assert_same([related], [other._state.fields_cache[name]])


@pytest.fixture
def full(tenant: Tenant) -> Tenant:
    """An invoice with lines, a history by a person, a contact and the system, emails (one
    with a body, sent, one failed), the client's contacts and two Stripe payments."""
    invoice = tenant.invoice
    lines.write(
        invoice,
        [
            lines.LineInput('Fieldwork <b> & "report"', Decimal("2.5"), 100_000, "none"),
            lines.LineInput("Retest", Decimal(1), 25_050, "none"),
        ],
    )
    tenant.owner.first_name, tenant.owner.last_name = "Olivia", "Owner"
    tenant.owner.save()
    record_event(invoice, InvoiceEventKind.CREATED, user=tenant.owner, amount=1, currency="GBP")
    record_event(invoice, InvoiceEventKind.SENT, user=tenant.admin, number="INV-0001")
    record_event(invoice, InvoiceEventKind.VIEWED, contact=tenant.contact)
    record_event(invoice, InvoiceEventKind.PAID, actor_type="system", source="stripe")
    now = timezone.now()
    EmailMessage.objects.create(
        workspace=tenant.workspace,
        invoice=invoice,
        kind="invoice",
        to="ap@client.example",
        subject="Invoice",
        body_text="Hello " * 500,
        body_html="<p>Hello</p>",
        status="sent",
        sent_at=now,
        attachment_builder={"path": "x", "args": [1]},
    )
    EmailMessage.objects.create(
        workspace=tenant.workspace,
        invoice=invoice,
        kind="reminder",
        to="cc@client.example",
        is_cc=True,
        subject="Reminder",
        body_text="Hi",
        status="failed",
        attempts=3,
        last_error="550 no such user",
    )
    ClientContact.objects.create(
        workspace=tenant.workspace,
        client=tenant.client,
        name="Another",
        email="another@client.example",
        receives_invoices=True,
    )
    for n, paid_at in enumerate((now - datetime.timedelta(days=2), now)):
        Payment.unscoped.create(
            workspace=tenant.workspace,
            invoice=invoice,
            stripe_account_id="acct_1",
            checkout_session_id=f"cs_{n}_{invoice.pk}",
            amount=62_525,
            currency="GBP",
            application_fee=100,
            net=62_425,
            stripe_fee=None if n else 90,
            paid_at=paid_at,
            duplicate=bool(n),
        )
    return tenant


def _orm_rows(invoice: Invoice) -> tuple[list[Any], ...]:
    return (
        list(InvoiceLine.unscoped.filter(invoice=invoice).order_by("position", "pk")),
        list(
            InvoiceEvent.unscoped.filter(invoice=invoice)
            .select_related("actor_user", "actor_contact")
            .only(*page_reads._HISTORY_COLUMNS)
            .order_by("at", "pk")
        ),
        list(
            EmailMessage.objects.filter(invoice=invoice)
            .only(*page_reads._DELIVERY_COLUMNS)
            .order_by("created_at", "pk")
        ),
        list(ClientContact.unscoped.filter(client_id=invoice.client_id).order_by("name", "pk")),
    )


def test_page_rows_are_the_orms(full: Tenant) -> None:
    invoice = full.invoice
    invoice.status = "sent"  # the recipients come from the contacts: they are read too
    with use_workspace(full.workspace.pk):
        rows = page_reads.page_rows(invoice)
        expected = _orm_rows(invoice)
    assert [len(part) for part in expected] == [2, 4, 2, 2]
    assert_same(rows.lines, expected[0])
    assert_same(rows.events, expected[1])
    assert_same(rows.deliveries, expected[2])
    assert rows.contacts is not None
    assert_same(rows.contacts, expected[3])
    assert [e.actor_label for e in rows.events] == [
        "Olivia Owner",
        full.admin.email,
        str(full.contact),
        "SecPortal",
    ]
    assert [m.kind_label for m in rows.deliveries] == [m.kind_label for m in expected[2]]


def test_contacts_are_read_only_for_the_recipients(full: Tenant) -> None:
    invoice = full.invoice
    with use_workspace(full.workspace.pk):
        assert page_reads.page_rows(invoice).contacts is None  # a draft
        invoice.status, invoice.email_to = "sent", "chosen@client.example"
        assert page_reads.page_rows(invoice).contacts is None  # chosen at send


def test_nothing_to_read(tenant: Tenant) -> None:
    with use_workspace(tenant.workspace.pk):
        rows = page_reads.page_rows(tenant.invoice)
    assert (rows.lines, rows.events, rows.deliveries, rows.contacts) == ([], [], [], None)


def test_one_round_trip_on_postgresql(full: Tenant) -> None:
    full.invoice.status = "sent"
    with use_workspace(full.workspace.pk), CaptureQueriesContext(connection) as captured:
        page_reads.page_rows(full.invoice)
    # Lines, history, deliveries, contacts and payments' four reads (``PAGE_EXTRA_READS``).
    reads = 4 + len(page_reads.PAGE_EXTRA_READS)
    assert len(page_reads.PAGE_EXTRA_READS) == 4
    assert len(captured) == (1 if connection.vendor == "postgresql" else reads)


def test_payments_shown_on_the_page_are_read_in_its_round_trip(full: Tenant) -> None:
    """A sent invoice's payments, refund requests, refunds and disputes come with the page's
    rows: the payments' selectors then ask nothing more (a draft's are not read at all)."""
    invoice = Invoice.unscoped.get(pk=full.invoice.pk)
    invoice.status = "sent"
    with use_workspace(full.workspace.pk):
        page_reads.page_rows(invoice)
        with CaptureQueriesContext(connection) as captured:
            payments = payment_selectors.page_payments(invoice)
            details = payment_selectors.page_payment_details(invoice)
        assert len(captured) == 0
        alone = Invoice.unscoped.get(pk=full.invoice.pk)
        assert_same(payments, payment_selectors.page_payments(alone))
        for read, expected in zip(
            details, payment_selectors.page_payment_details(alone), strict=True
        ):
            assert_same(read, expected)


def test_page_payments_are_the_orms(full: Tenant) -> None:
    invoice = Invoice.unscoped.get(pk=full.invoice.pk)
    with use_workspace(full.workspace.pk):
        found = payment_selectors.page_payments(invoice)
        assert_same(found, list(payment_selectors.payments_of(invoice)))
    assert len(found) == 2


def test_the_invoice_is_the_orms(full: Tenant) -> None:
    with use_workspace(full.workspace.pk):
        found = selectors.get_invoice(full.invoice.public_id, full.workspace)
        expected = Invoice.objects.select_related("client", "engagement").get(
            public_id=full.invoice.public_id
        )
        assert found.workspace is full.workspace
        found._state.fields_cache.pop("workspace")
        assert_same([found], [expected])
        assert selectors.get_invoice(str(full.invoice.public_id), full.workspace).pk == (
            full.invoice.pk
        )


def test_the_invoice_of_another_workspace_is_not_found(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    with use_workspace(other_tenant.workspace.pk):
        with pytest.raises(Http404):
            selectors.get_invoice(tenant.invoice.public_id, other_tenant.workspace)
        with pytest.raises(Http404):
            selectors.get_invoice(uuid.uuid4(), other_tenant.workspace)
        with pytest.raises(Http404):
            selectors.get_invoice("not-a-uuid", other_tenant.workspace)
        assert selectors.get_invoice(other_tenant.invoice.public_id, other_tenant.workspace)


def test_refuses_what_it_cannot_prepare(tenant: Tenant) -> None:
    annotated = prepared.PreparedRead(
        lambda key: InvoiceLine.unscoped.filter(invoice_id=key).annotate(n=Count("pk"))
    )
    without_key = prepared.PreparedRead(lambda key: InvoiceLine.unscoped.all())
    for read in (annotated, without_key):
        with pytest.raises(ValueError, match="PreparedRead"):
            prepared.run_one(read, tenant.invoice.pk)


def test_refunds_and_disputes_are_the_orms(full: Tenant) -> None:
    from secportal.payments.models import Dispute, Refund, RefundRequest

    invoice = full.invoice
    first, second = Payment.unscoped.filter(invoice=invoice).order_by("paid_at")
    now = timezone.now()
    RefundRequest.unscoped.create(
        workspace=full.workspace, payment=first, amount=100, idempotency_key="k1"
    )
    RefundRequest.unscoped.create(
        workspace=full.workspace,
        payment=second,
        amount=200,
        idempotency_key="k2",
        requested_by=full.owner,
        stripe_refund_id="re_2",
        state="succeeded",
    )
    Refund.unscoped.create(
        workspace=full.workspace,
        payment=second,
        stripe_refund_id="re_2",
        amount=200,
        currency="GBP",
        status="succeeded",
        refunded_at=now,
    )
    Dispute.unscoped.create(
        workspace=full.workspace,
        payment=first,
        stripe_dispute_id="dp_1",
        amount=300,
        currency="GBP",
        status="needs_response",
        opened_at=now,
    )
    with use_workspace(full.workspace.pk):
        requests, refunds, disputes = payment_selectors.page_payment_details(invoice)
        assert_same(requests, list(payment_selectors.refund_requests_of(invoice)))
        assert_same(refunds, list(payment_selectors.stripe_refunds_of(invoice)))
        assert_same(disputes, list(payment_selectors.disputes_of(invoice)))
    assert [len(requests), len(refunds), len(disputes)] == [2, 1, 1]
