"""Reminder schedules (issue 17, 1): per workspace, once per point, caught up once, paused, by
hand, with the consultancy's own words."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from secportal.invoicing import reminders
from secportal.invoicing.models import Invoice, InvoiceEvent, InvoiceReminder, InvoiceStatus
from secportal.invoicing.services import mark_overdue, send_overdue_reminders
from secportal.notifications import mailcatcher
from secportal.notifications.models import EmailMessage
from secportal.workspaces.models import ReminderRule
from secportal.workspaces.reminders import check_wording, fill_wording
from secportal.workspaces.services import update_reminders

from ..conftest import make_tenant, signed_in, smtp_mailers

UTC = datetime.UTC


def owed_invoice(tenant, *, issued: datetime.date, due: datetime.date, **extra) -> Invoice:
    n = Invoice.objects.filter(workspace=tenant.workspace, number__isnull=False).count() + 1
    return Invoice.objects.create(
        workspace=tenant.workspace,
        client=tenant.client,
        amount=150000,
        currency="GBP",
        description="Web application test",
        status=InvoiceStatus.SENT,
        number=f"INV-{n:04d}",
        issue_date=issued,
        due_date=due,
        **extra,
    )


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def reminders_of(invoice: Invoice) -> list[int | None]:
    return list(
        InvoiceReminder.objects.filter(invoice=invoice)
        .order_by("sent_at", "pk")
        .values_list("offset_days", flat=True)
    )


@pytest.mark.django_db
def test_four_points_over_a_month_send_exactly_four_reminders_twice_a_day_one_day_skipped():
    tenant = make_tenant("Redline Security", timezone="Europe/London")
    schedule = [(-7, True), (0, True), (3, True), (14, True), (30, False)]
    update_reminders(tenant.workspace.pk, tenant.owner, schedule=schedule, wording="")
    issued = datetime.date(2026, 3, 2)
    due = datetime.date(2026, 3, 23)
    invoice = owed_invoice(tenant, issued=issued, due=due)
    paid = owed_invoice(tenant, issued=issued, due=due)
    Invoice.objects.filter(pk=paid.pk).update(status=InvoiceStatus.PAID)
    skipped = due + datetime.timedelta(days=3)  # the day of the "3 days after due" point
    day, runs = issued, 0
    while day <= issued + datetime.timedelta(days=40):
        if day != skipped:
            for hour in (8, 20):  # twice a day
                mark_overdue(at(day, hour))
                send_overdue_reminders(now=at(day, hour))
                runs += 1
        day += datetime.timedelta(days=1)
    assert runs == 2 * 40
    assert reminders_of(invoice) == [-7, 0, 3, 14]
    assert reminders_of(paid) == []
    emails = EmailMessage.objects.filter(kind="reminder", invoice=invoice)
    assert emails.count() == 4 and {m.to for m in emails} == {tenant.client.billing_email}
    subjects = [m.subject for m in emails.order_by("pk")]
    assert subjects == [
        "Reminder: invoice INV-0001 from Redline Security is due on 23 March 2026",
        "Reminder: invoice INV-0001 from Redline Security is due today",
        "Reminder: invoice INV-0001 from Redline Security is overdue",
        "Reminder: invoice INV-0001 from Redline Security is overdue",
    ]
    # The skipped day's reminder went the next day, once, saying how late it is then.
    caught_up = emails.order_by("pk")[2]
    assert "is now 4 days overdue" in caught_up.body_text
    assert InvoiceEvent.objects.filter(invoice=invoice, kind="reminder_sent").count() == 4


@pytest.mark.django_db
def test_a_missed_week_is_caught_up_once_with_the_latest_point_only():
    tenant = make_tenant()
    invoice = owed_invoice(
        tenant, issued=datetime.date(2026, 1, 1), due=datetime.date(2026, 2, 1)
    )  # the default schedule: 7 before, on the day, 3, 14 and 30 after
    late = datetime.date(2026, 2, 16)  # nothing ran since before the due date
    assert send_overdue_reminders(now=at(late, 9)) == 1
    assert send_overdue_reminders(now=at(late, 10)) == 0
    assert reminders_of(invoice) == [14]  # not 7-before, on-the-day and 3-after as well
    # Long after the last point's catch-up window, nothing more is sent.
    assert send_overdue_reminders(now=at(datetime.date(2026, 6, 1), 9)) == 0


@pytest.mark.django_db
def test_the_workspace_timezone_decides_the_day():
    sydney = make_tenant("Sydney", timezone="Australia/Sydney")
    update_reminders(sydney.workspace.pk, sydney.owner, schedule=[(0, True)], wording="")
    invoice = owed_invoice(sydney, issued=datetime.date(2026, 3, 1), due=datetime.date(2026, 3, 11))
    # 10 March 12:00 UTC is 10 March 23:00 in Sydney: not the due date yet; 14:00 UTC is.
    assert send_overdue_reminders(now=datetime.datetime(2026, 3, 10, 12, tzinfo=UTC)) == 0
    assert send_overdue_reminders(now=datetime.datetime(2026, 3, 10, 14, tzinfo=UTC)) == 1
    assert reminders_of(invoice) == [0]


@pytest.mark.django_db
def test_no_reminder_before_the_invoice_was_sent_nor_while_processing_paused_or_switched_off():
    tenant = make_tenant()
    update_reminders(tenant.workspace.pk, tenant.owner, schedule=[(-7, True)], wording="")
    day = datetime.date(2026, 3, 20)
    # Sent five days before its due date: the "7 days before due" point came before it.
    late_sent = owed_invoice(tenant, issued=day, due=day + datetime.timedelta(days=5))
    processing = owed_invoice(tenant, issued=day - datetime.timedelta(days=20), due=day)
    Invoice.objects.filter(pk=processing.pk).update(status=InvoiceStatus.PROCESSING)
    paused = owed_invoice(
        tenant, issued=day - datetime.timedelta(days=20), due=day, reminders_paused=True
    )
    for offset in range(10):
        send_overdue_reminders(now=at(day + datetime.timedelta(days=offset - 8), 9))
    assert reminders_of(late_sent) == reminders_of(processing) == reminders_of(paused) == []
    # Resumed: the point is still within its catch-up window, so it goes, once.
    reminders.set_paused(paused.pk, tenant.owner, paused=False)
    assert send_overdue_reminders(now=at(day - datetime.timedelta(days=5), 9)) == 1
    assert reminders_of(paused) == [-7]
    # Reminders switched off for the workspace: nothing at all.
    tenant.workspace.overdue_reminders = False
    tenant.workspace.save()
    other = owed_invoice(tenant, issued=day - datetime.timedelta(days=30), due=day)
    assert send_overdue_reminders(now=at(day - datetime.timedelta(days=6), 9)) == 0
    assert reminders_of(other) == []


@pytest.mark.django_db(transaction=True)
def test_send_reminder_and_pause_reminders_on_the_invoice_page(smtp_server):
    port, mailbox = smtp_server
    tenant = make_tenant("Redline Security")
    update_reminders(
        tenant.workspace.pk,
        tenant.owner,
        schedule=[(3, True)],
        wording="Dear {client}, invoice {invoice_number} ({amount_due}) {status}. {company}",
    )
    today = tenant.workspace.today()
    invoice = owed_invoice(
        tenant, issued=today - datetime.timedelta(days=40), due=today - datetime.timedelta(days=2)
    )
    admin = signed_in(tenant.admin)
    url = reverse("invoicing:detail", args=[invoice.public_id])
    page = admin.get(url).content.decode()
    assert "Send reminder" in page and "Pause reminders" in page
    with override_settings(MAILERS=smtp_mailers(port)):
        admin.post(reverse("invoicing:send_reminder", args=[invoice.public_id]))
        admin.post(reverse("invoicing:send_reminder", args=[invoice.public_id]))  # double click
    [caught] = mailcatcher.read_mailbox(mailbox)
    assert caught["to"] == tenant.client.billing_email
    assert caught["subject"] == "Reminder: invoice INV-0001 from Redline Security is overdue"
    assert (
        f"Dear {tenant.client.name}, invoice INV-0001 (£1,500.00) was due on" in caught["text"]
        and "is now 2 days overdue. Redline Security" in caught["text"]
    )
    assert "/portal/pay/" in caught["html"] and "Pay Invoice" in caught["html"]
    [(filename, content_type, pdf)] = caught["attachments"]  # the invoice as it stands today
    assert (filename, content_type) == ("invoice-INV-0001.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF")
    assert reminders_of(invoice) == [None]
    # A member cannot send reminders or pause them.
    member = signed_in(tenant.member)
    assert (
        member.post(reverse("invoicing:send_reminder", args=[invoice.public_id])).status_code == 403
    )
    assert (
        member.post(reverse("invoicing:pause_reminders", args=[invoice.public_id])).status_code
        == 403
    )
    admin.post(reverse("invoicing:pause_reminders", args=[invoice.public_id]), {"paused": "yes"})
    invoice.refresh_from_db()
    assert invoice.reminders_paused
    page = admin.get(url).content.decode()
    assert "Reminders paused" in page and "Resume reminders" in page
    # Paused: the schedule's point (3 days after due) passes without a reminder.
    later = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(12), UTC)
    assert send_overdue_reminders(now=later) == 0
    admin.post(reverse("invoicing:pause_reminders", args=[invoice.public_id]), {"paused": "no"})
    assert send_overdue_reminders(now=later) == 1
    assert reminders_of(invoice) == [None, 3]
    history = admin.get(url).content.decode()
    assert "Reminders paused" in history and "Reminders resumed" in history


@pytest.mark.django_db
def test_no_manual_reminder_for_an_invoice_not_owed(tenant):
    Invoice.objects.filter(pk=tenant.invoice.pk).update(
        status=InvoiceStatus.PROCESSING, due_date=datetime.date(2026, 1, 1)
    )
    with pytest.raises(reminders.ReminderError, match="bank payment is on its way"):
        reminders.send_reminder_now(tenant.invoice.pk, tenant.admin)


def test_wording_placeholders_are_plain_substitution_and_unknown_ones_are_refused():
    from django.core.exceptions import ValidationError

    check_wording("Hello {client}, {invoice_number} {status}.")
    with pytest.raises(ValidationError, match=r"Unknown placeholder \{client\.__class__\}"):
        check_wording("Hello {client.__class__}")
    with pytest.raises(ValidationError, match=r"Unknown placeholder \{total\}"):
        check_wording("{total} {{ settings.SECRET_KEY }}")
    with pytest.raises(ValidationError, match="A brace without its pair"):
        check_wording("Hello {client")
    # A value is never expanded again: a client called "{company}" stays "{company}".
    assert fill_wording("Hi {client} from {company}", {"client": "{company}", "company": "R"}) == (
        "Hi {company} from R"
    )


def _reminders_form(rows: list[tuple[str, str, bool]], wording: str) -> dict[str, str]:
    data = {
        "rule-TOTAL_FORMS": str(len(rows)),
        "rule-INITIAL_FORMS": "0",
        "rule-MIN_NUM_FORMS": "0",
        "rule-MAX_NUM_FORMS": "10",
        "wording": wording,
    }
    for n, (days, when, on) in enumerate(rows):
        data[f"rule-{n}-days"] = days
        data[f"rule-{n}-when"] = when
        if on:
            data[f"rule-{n}-enabled"] = "on"
    return data


@pytest.mark.django_db
def test_reminders_settings_save_the_schedule_and_refuse_bad_input_beside_the_field(tenant):
    admin = signed_in(tenant.admin)
    page = admin.get(reverse("workspaces:settings")).content.decode()
    assert '<h2 id="reminders-heading">Reminders</h2>' in page
    assert "days before due" in page and "days after due" in page
    url = reverse("workspaces:reminders_update")
    good = _reminders_form(
        [("7", "before", True), ("0", "after", True), ("3", "after", False), ("", "after", False)],
        "Hello {client}: {invoice_number} {status}.",
    )
    assert admin.post(url, good).status_code == 302
    rules = list(
        ReminderRule.objects.filter(workspace=tenant.workspace).values_list(
            "offset_days", "enabled"
        )
    )
    assert rules == [(-7, True), (0, True), (3, False)]
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.reminder_wording == "Hello {client}: {invoice_number} {status}."

    def refused(data: dict[str, str], message: str) -> None:
        response = admin.post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode()

    refused(
        _reminders_form([("400", "after", True)], "Hello"), "Enter a number of days from 0 to 365."
    )
    refused(
        _reminders_form([("3", "after", True), ("3", "after", False)], "Hello"),
        "Already in the schedule: 3 days after due.",
    )
    refused(
        _reminders_form([("3", "after", True)], "Pay {amount} now"),
        "Unknown placeholder {amount}",
    )
    # Nothing of a refused form was saved.
    assert (
        list(
            ReminderRule.objects.filter(workspace=tenant.workspace).values_list(
                "offset_days", "enabled"
            )
        )
        == rules
    )
    # A member sees the schedule, and cannot change it.
    member = signed_in(tenant.member)
    assert "7 days before due" in member.get(reverse("workspaces:settings")).content.decode()
    assert member.post(url, good).status_code == 403
