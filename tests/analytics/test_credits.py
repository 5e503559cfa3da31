"""Issue 15 (6): analytics count credit notes (hand-computed in fixtures.py, ``add_credits``).

A credit note lowers "invoiced" for the client and engagement money; on a paid invoice it is
money owed back to the client until refunds cover it; revenue changes only when money moves.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from secportal.analytics import selectors
from secportal.analytics.selectors import preset_period

from ..conftest import signed_in
from .fixtures import TODAY, add_credits, build
from .test_pages import DASHBOARD, MARCH, currency_section, figure

pytestmark = pytest.mark.django_db


@pytest.fixture
def fx(db):
    fixture = build()
    add_credits(fixture)
    return fixture


def dashboard(fx, key="this_month"):
    return selectors.dashboard(fx.tenant.workspace, preset_period(key, TODAY), TODAY).as_json()


def test_credits_owed_back_per_currency_and_nothing_else_moves(fx):
    data = dashboard(fx)
    gbp, eur, usd = (data["currencies"][c] for c in ("GBP", "EUR", "USD"))
    assert gbp["credits_owed"] == {"amount": 25000, "count": 1}  # P1; P3's refund covers it
    assert eur["credits_owed"] == {"amount": 10000, "count": 1}  # E2
    assert usd["credits_owed"] == {"amount": 0, "count": 0}
    # The figures of test_figures.py, unchanged: a credit note moves no money.
    assert (gbp["gross"], gbp["refunds"], gbp["revenue"]) == (130000, 80000, 50000)
    assert (eur["revenue"], eur["net"]) == (40000, 38400)
    assert gbp["outstanding"] == {"amount": 9511, "count": 9}  # the nine open GBP invoices


def test_a_refund_covering_the_credit_clears_what_is_owed_back(fx):
    invoice = fx.builder.payments["P1"].invoice
    fx.builder.refund(fx.builder.payments["P1"], 25000, 1000, datetime.datetime.now(datetime.UTC))
    invoice.refresh_from_db()
    assert invoice.refunded_amount == invoice.credited_amount == 25000
    assert dashboard(fx)["currencies"]["GBP"]["credits_owed"] == {"amount": 0, "count": 0}


def test_client_and_engagement_invoiced_is_net_of_credit_notes(fx):
    ws = fx.tenant.workspace
    beta = selectors.money_of(ws, datetime.date(2026, 4, 15), client=fx.beta)
    assert [(m.currency, m.as_json()) for m in beta] == [
        ("GBP", {"invoiced": 168383, "collected": 160000, "outstanding": 8383, "overdue": 6126}),
        ("EUR", {"invoiced": 66000, "collected": 60000, "outstanding": 16000, "overdue": 7000}),
    ]
    web = selectors.money_of(ws, datetime.date(2026, 4, 15), engagement=fx.acme_web)
    assert [(m.currency, m.as_json()) for m in web] == [
        ("GBP", {"invoiced": 76128, "collected": 100000, "outstanding": 1128, "overdue": 1128}),
    ]


def test_the_page_explains_credits_owed_back_with_the_same_query_count(fx):
    browser = signed_in(fx.tenant.owner)
    browser.get(DASHBOARD, MARCH)
    cache.clear()  # both counts are of the figures computed, not read from the cache
    with CaptureQueriesContext(connection) as ctx:
        html = browser.get(DASHBOARD, MARCH).content.decode()
    with_credits = len(ctx.captured_queries)
    gbp = currency_section(html, "GBP")
    assert "Credits owed back:" in gbp and "£250.00" in gbp and "1 paid invoice" in gbp
    assert "money owed to the client until you refund it" in gbp
    assert "Credits owed back" not in currency_section(html, "USD")
    for row in type(fx.builder.payments["P1"].invoice).objects.all():
        row.credited_amount = 0
        row.save(update_fields=["credited_amount"])
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert "Credits owed back:" not in browser.get(DASHBOARD, MARCH).content.decode()
    assert len(ctx.captured_queries) == with_credits
    assert figure(gbp, "revenue") == "£500.00"
