"""The dashboard's cached figures (issue 19): read from the cache until something they count
changes, in any server process; never stale after a save's commit, never changed by a rollback."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from secportal.analytics.models import FiguresStamp
from secportal.clients.models import Client
from secportal.invoicing.models import InvoiceStatus

from ..conftest import signed_in
from .fixtures import build, utc

pytestmark = pytest.mark.django_db

SUMMARY = reverse("analytics:summary")
MARCH = {"range": "custom", "from": "2026-03-01", "to": "2026-03-31"}


def _gbp(browser, query=MARCH):
    return browser.get(SUMMARY, query).json()["currencies"]["GBP"]


def test_a_second_request_reads_the_figures_from_the_cache():
    fx = build()
    browser = signed_in(fx.tenant.owner)
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        figures = _gbp(browser)
    with CaptureQueriesContext(connection) as second:
        assert _gbp(browser) == figures
    assert len(second.captured_queries) < len(first.captured_queries)
    touched = {q["sql"].split(" FROM ")[1].split()[0] for q in second if " FROM " in q["sql"]}
    assert '"payments_payment"' not in touched and '"invoicing_invoice"' not in touched


@pytest.mark.django_db(transaction=True)  # the new token is written on commit
def test_a_payment_or_an_invoice_saved_shows_at_once():
    fx = build()
    browser = signed_in(fx.tenant.owner)
    before = _gbp(browser)
    fx.builder.paid("late", fx.beta, 12345, "GBP", 100, utc(2026, 3, 1), utc(2026, 3, 20, 12))
    after = _gbp(browser)
    assert after["revenue"] == before["revenue"] + 12345
    fx.builder.invoice(fx.beta, 700, "GBP", InvoiceStatus.SENT, due=datetime.date(2099, 1, 1))
    assert _gbp(browser)["outstanding"]["amount"] == after["outstanding"]["amount"] + 700


def test_another_process_sees_the_change_through_the_token():
    """A process's own cache cannot know what another process saved: the token can."""
    fx = build()
    browser = signed_in(fx.tenant.owner)
    before = _gbp(browser)
    token = FiguresStamp.objects.get(workspace_id=fx.tenant.workspace.pk).token
    invoice = fx.builder.payments["P2"].invoice
    # As another process would: the row changes (no signal here), then its token does.
    type(invoice).objects.filter(pk=invoice.pk).update(status=InvoiceStatus.SENT)
    assert _gbp(browser) == before  # this process's cache, same token
    FiguresStamp.objects.filter(workspace_id=fx.tenant.workspace.pk).update(token=token + 1)
    assert _gbp(browser)["outstanding"]["count"] == before["outstanding"]["count"] + 1


@pytest.mark.django_db(transaction=True)  # the new token is written on commit
def test_a_rolled_back_change_keeps_the_token():
    fx = build()
    browser = signed_in(fx.tenant.owner)
    _gbp(browser)
    token = FiguresStamp.objects.get(workspace_id=fx.tenant.workspace.pk).token
    with pytest.raises(RuntimeError), transaction.atomic():
        Client.objects.create(workspace=fx.tenant.workspace, name="Never")
        raise RuntimeError
    assert FiguresStamp.objects.get(workspace_id=fx.tenant.workspace.pk).token == token
    Client.objects.create(workspace=fx.tenant.workspace, name="Kept")
    assert FiguresStamp.objects.get(workspace_id=fx.tenant.workspace.pk).token != token


@pytest.mark.django_db(transaction=True)
def test_one_new_token_per_transaction_however_many_rows():
    fx = build()
    token = FiguresStamp.objects.get(workspace_id=fx.tenant.workspace.pk).token
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        for n in range(3):
            Client.objects.create(workspace=fx.tenant.workspace, name=f"Client {n}")
        assert FiguresStamp.objects.get(workspace_id=fx.tenant.workspace.pk).token == token
    stamps = [q for q in queries if "analytics_figuresstamp" in q["sql"] and "INSERT" in q["sql"]]
    assert len(stamps) == 1  # after the commit, once
    assert FiguresStamp.objects.get(workspace_id=fx.tenant.workspace.pk).token != token
