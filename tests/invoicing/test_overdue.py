"""Overdue: by the workspace's timezone, set-based, safe to repeat, one reminder per point
(the schedule itself: test_reminders.py)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from secportal.invoicing.models import Invoice, InvoiceEvent, InvoiceStatus
from secportal.invoicing.services import mark_overdue, send_overdue_reminders
from secportal.notifications.models import EmailMessage

from ..conftest import make_tenant

UTC = datetime.UTC


def sent_invoice(tenant, due: datetime.date, **extra) -> Invoice:
    n = Invoice.objects.filter(workspace=tenant.workspace).count() + 1
    return Invoice.objects.create(
        workspace=tenant.workspace,
        client=tenant.client,
        amount=10000,
        currency="GBP",
        description="Fieldwork",
        status=InvoiceStatus.SENT,
        number=f"INV-{n:04d}-{due}",
        issue_date=due - datetime.timedelta(days=30),
        due_date=due,
        **extra,
    )


@pytest.mark.django_db
def test_timezone_boundary_sydney_today_london_yesterday():
    # 2026-03-10 15:00 UTC is 2026-03-11 02:00 in Sydney and 2026-03-10 15:00 in London.
    now = datetime.datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    sydney = make_tenant("Sydney", timezone="Australia/Sydney")
    london = make_tenant("London", timezone="Europe/London")
    due = datetime.date(2026, 3, 10)
    in_sydney = sent_invoice(sydney, due)  # due "yesterday" in Sydney: overdue
    in_london = sent_invoice(london, due)  # due "today" in London: not yet
    assert mark_overdue(now) == 1
    in_sydney.refresh_from_db()
    in_london.refresh_from_db()
    assert in_sydney.status == InvoiceStatus.OVERDUE
    assert in_london.status == InvoiceStatus.SENT
    later = datetime.datetime(2026, 3, 11, 0, 30, tzinfo=UTC)  # past midnight in London
    assert mark_overdue(later) == 1
    in_london.refresh_from_db()
    assert in_london.status == InvoiceStatus.OVERDUE


@pytest.mark.django_db
def test_shown_status_is_overdue_before_the_task_runs():
    tenant = make_tenant(timezone="Australia/Sydney")
    invoice = sent_invoice(tenant, datetime.date(2026, 3, 10))
    assert invoice.shown_status(datetime.date(2026, 3, 10)) == InvoiceStatus.SENT
    assert invoice.shown_status(datetime.date(2026, 3, 11)) == InvoiceStatus.OVERDUE
    assert invoice.status == InvoiceStatus.SENT


@pytest.mark.django_db
def test_running_twice_changes_nothing_the_second_time_and_records_one_event_each():
    tenant = make_tenant()
    invoices = [sent_invoice(tenant, datetime.date(2026, 1, d)) for d in range(1, 6)]
    paid = sent_invoice(tenant, datetime.date(2026, 1, 1))
    Invoice.objects.filter(pk=paid.pk).update(status=InvoiceStatus.PAID)
    now = datetime.datetime(2026, 2, 1, 12, tzinfo=UTC)
    assert mark_overdue(now) == 5
    assert mark_overdue(now + datetime.timedelta(minutes=10)) == 0
    events = InvoiceEvent.objects.filter(kind="became_overdue")
    assert sorted(events.values_list("invoice_id", flat=True)) == sorted(i.pk for i in invoices)
    assert Invoice.objects.get(pk=paid.pk).status == InvoiceStatus.PAID


@pytest.mark.django_db
def test_set_based_the_number_of_queries_does_not_grow_with_invoices():
    tenant = make_tenant()
    now = datetime.datetime(2026, 2, 1, 12, tzinfo=UTC)

    def queries_for(count: int) -> int:
        for _ in range(count):
            sent_invoice(tenant, datetime.date(2026, 1, 2))
        with CaptureQueriesContext(connection) as ctx:
            assert mark_overdue(now) == count
        return len(ctx.captured_queries)

    assert queries_for(3) == queries_for(40)


@pytest.mark.django_db(transaction=True)
def test_one_reminder_per_overdue_invoice_and_only_where_wanted():
    wants = make_tenant("Wants reminders")
    quiet = make_tenant("No reminders")
    quiet.workspace.overdue_reminders = False
    quiet.workspace.save()
    a = sent_invoice(wants, datetime.date(2026, 1, 2))
    b = sent_invoice(quiet, datetime.date(2026, 1, 2))
    now = datetime.datetime(2026, 2, 1, 12, tzinfo=UTC)
    mark_overdue(now)
    assert send_overdue_reminders(now=now) == 1  # the schedule's "30 days after due"
    assert send_overdue_reminders(now=now) == 0
    reminders = EmailMessage.objects.filter(kind="reminder")
    assert [(m.to, m.invoice_id) for m in reminders] == [(wants.client.billing_email, a.pk)]
    assert "is overdue" in reminders[0].subject
    assert InvoiceEvent.objects.filter(kind="reminder_sent", invoice=a).count() == 1
    assert not InvoiceEvent.objects.filter(kind="reminder_sent", invoice=b).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_move_each_invoice_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises whole-database writes)")
    tenant = make_tenant()
    for d in range(1, 21):
        sent_invoice(tenant, datetime.date(2026, 1, d))
    now = datetime.datetime(2026, 2, 1, 12, tzinfo=UTC)
    results: list[int] = []
    barrier = threading.Barrier(3)

    def run(offset: int) -> None:
        barrier.wait()
        try:
            results.append(mark_overdue(now + datetime.timedelta(microseconds=offset)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 20
    assert InvoiceEvent.objects.filter(kind="became_overdue").count() == 20
