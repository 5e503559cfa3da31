"""Every dashboard figure against the hand-computed fixture in ``fixtures.py`` (today = 15 Apr 2026
in Sydney), through the selectors with ``today`` passed explicitly."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from secportal.analytics import selectors
from secportal.analytics.selectors import Period, preset_period
from secportal.invoicing.models import InvoiceStatus

from ..conftest import make_tenant
from .fixtures import TODAY, Builder, build, utc

pytestmark = pytest.mark.django_db

MONTHS = [f"2025-{m:02d}" for m in range(5, 13)] + [f"2026-{m:02d}" for m in range(1, 5)]


def figures(fx, key="this_month", period=None):
    period = period or preset_period(key, TODAY)
    data = selectors.dashboard(fx.tenant.workspace, period, TODAY).as_json()
    return data


@pytest.fixture
def fx(db):
    return build()


def test_this_month_revenue_fees_net_and_days_per_currency(fx):
    data = figures(fx)
    assert data["range"] == {
        "key": "this_month",
        "label": "This month",
        "from": "2026-04-01",
        "to": "2026-04-15",
    }
    gbp, eur, usd = (data["currencies"][c] for c in ("GBP", "EUR", "USD"))
    # P1 (paid 31 Mar UTC = 1 Apr Sydney) + P4; minus P3's partial and P4's full refund in April.
    # The duplicate payment and its refund are left out.
    assert (gbp["gross"], gbp["refunds"], gbp["revenue"]) == (130000, 80000, 50000)
    assert gbp["platform_fees"] == (4000 + 1200) - (2000 + 1200) == 2000
    assert gbp["net"] == 48000
    assert gbp["payment_count"] == 2
    assert gbp["avg_days_to_pay"] == 8.0  # (12 + 4) / 2
    # E2 paid in April, E1's refund of 200.00 in April (E1 itself was paid in March).
    assert (eur["revenue"], eur["platform_fees"], eur["net"]) == (40000, 1600, 38400)
    assert eur["avg_days_to_pay"] == 7.0
    assert (usd["revenue"], usd["platform_fees"], usd["net"]) == (25000, 1000, 24000)
    assert usd["avg_days_to_pay"] == 15.0
    # Never summed across currencies: the currencies are separate keys and nothing else.
    assert list(data["currencies"]) == ["GBP", "USD", "EUR"]


def test_monthly_revenue_by_sydney_month_refunds_in_their_month(fx):
    data = figures(fx)
    gbp = {m["month"]: m["revenue"] for m in data["currencies"]["GBP"]["monthly"]}
    assert list(gbp) == MONTHS  # always the last 12 months, oldest first
    # P6 paid 30 Apr 2025 15:00 UTC = 1 May in Sydney: inside the window. P5 (20 Apr 2025) is not.
    assert gbp["2025-05"] == 40000
    assert gbp["2026-02"] == 200000  # P3, before its refund
    assert gbp["2026-03"] == 50000  # P2 only: P1 is April in Sydney (March in UTC)
    assert gbp["2026-04"] == 50000  # P1 + P4 - 500.00 - 300.00 refunded in April
    assert sum(gbp.values()) == 340000
    assert data["currencies"]["GBP"]["this_month_revenue"] == 50000
    eur = {m["month"]: m["revenue"] for m in data["currencies"]["EUR"]["monthly"]}
    assert (eur["2026-03"], eur["2026-04"], sum(eur.values())) == (80000, 40000, 120000)
    usd = {m["month"]: m["revenue"] for m in data["currencies"]["USD"]["monthly"]}
    assert (usd["2026-04"], sum(usd.values())) == (25000, 25000)


def test_outstanding_overdue_and_ageing_at_every_bucket_edge(fx):
    gbp = figures(fx)["currencies"]["GBP"]
    assert gbp["outstanding"] == {"amount": 9511, "count": 9}
    # Sent and past due counts as overdue even though the overdue task has not run.
    assert gbp["overdue"] == {"amount": 1002 + 1004 + 1008 + 1016 + 1032 + 1064 + 1128, "count": 7}
    assert gbp["ageing"] == {
        "current": {"amount": 1001 + 1256, "count": 2},  # due today, due 1 May
        "1_30": {"amount": 1002 + 1004, "count": 2},  # 1 and 30 days past due
        "31_60": {"amount": 1008 + 1016, "count": 2},  # 31 and 60
        "61_90": {"amount": 1032 + 1064, "count": 2},  # 61 and 90
        "90_plus": {"amount": 1128, "count": 1},  # 91
    }
    eur = figures(fx)["currencies"]["EUR"]
    assert eur["outstanding"] == {"amount": 16000, "count": 2}
    assert eur["overdue"] == {"amount": 7000, "count": 1}
    assert eur["ageing"]["current"] == {"amount": 9000, "count": 1}
    assert eur["ageing"]["31_60"] == {"amount": 7000, "count": 1}
    usd = figures(fx)["currencies"]["USD"]
    assert usd["outstanding"] == {"amount": 3000, "count": 1}
    assert usd["overdue"] == {"amount": 0, "count": 0}


def test_counts_by_shown_status(fx):
    data = figures(fx)
    assert data["currencies"]["GBP"]["status_counts"] == {
        "draft": 1,  # the tenant's own draft
        "sent": 2,  # due today and due 1 May
        "overdue": 7,  # 5 sent past due + 2 stored overdue
        "paid": 5,  # P1, P2, P3 (partly refunded), P5, P6
        "void": 1,
        "refunded": 1,  # P4
        "processing": 0,
        "partially_paid": 0,
    }
    assert data["status_counts"] == {
        "draft": 1,
        "sent": 4,
        "overdue": 8,
        "paid": 8,
        "void": 1,
        "refunded": 1,
        "processing": 0,
        "partially_paid": 0,
    }


def test_top_clients_this_month(fx):
    data = figures(fx)
    top = {
        c: [(t["name"], t["revenue"]) for t in v["top_clients"]]
        for c, v in data["currencies"].items()
    }
    # GBP: Acme 1,000.00 - 500.00 refunded; Cobalt 300.00 - 300.00 = 0 is left out.
    assert top == {"GBP": [("Acme", 50000)], "EUR": [("Beta", 60000)], "USD": [("Cobalt", 25000)]}
    assert data["currencies"]["GBP"]["top_clients"][0]["client"] == str(fx.acme.public_id)


@pytest.mark.parametrize(
    ("key", "start", "gbp", "eur", "usd"),
    [
        # (revenue, platform fees, average days) per currency
        ("this_month", "2026-04-01", (50000, 2000, 8.0), (40000, 1600, 7.0), (25000, 1000, 15.0)),
        ("this_quarter", "2026-04-01", (50000, 2000, 8.0), (40000, 1600, 7.0), (25000, 1000, 15.0)),
        # 17 Mar - 15 Apr: adds P2 (31 Mar Sydney, 30 days)
        (
            "last_30_days",
            "2026-03-17",
            (100000, 4000, 15.3),
            (40000, 1600, 7.0),
            (25000, 1000, 15.0),
        ),
        # 1 Jan - 15 Apr: P3 (31 days), P2, P1, P4; E1 (42 days) and E2
        (
            "this_year",
            "2026-01-01",
            (300000, 12000, 19.2),
            (120000, 4800, 24.5),
            (25000, 1000, 15.0),
        ),
        # 1 May 2025 - 15 Apr 2026: adds P6 (6 days)
        (
            "last_12_months",
            "2025-05-01",
            (340000, 13600, 16.6),
            (120000, 4800, 24.5),
            (25000, 1000, 15.0),
        ),
    ],
)
def test_every_range_choice(fx, key, start, gbp, eur, usd):
    data = figures(fx, key)
    assert data["range"]["from"] == start
    assert data["range"]["to"] == "2026-04-15"
    for currency, (revenue, fees, days) in (("GBP", gbp), ("EUR", eur), ("USD", usd)):
        c = data["currencies"][currency]
        assert (c["revenue"], c["platform_fees"], c["avg_days_to_pay"]) == (revenue, fees, days)
        assert c["net"] == revenue - fees
    # As-of-today figures do not depend on the range.
    assert data["currencies"]["GBP"]["outstanding"]["amount"] == 9511


def test_last_30_days_top_clients_ties_by_name(fx):
    top = figures(fx, "last_30_days")["currencies"]["GBP"]["top_clients"]
    assert [(t["name"], t["revenue"]) for t in top] == [("Acme", 50000), ("Beta", 50000)]


def test_custom_range_uses_sydney_days(fx):
    march = Period("custom", datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    data = figures(fx, period=march)
    gbp = data["currencies"]["GBP"]
    assert (gbp["revenue"], gbp["platform_fees"], gbp["payment_count"]) == (50000, 2000, 1)
    assert gbp["avg_days_to_pay"] == 30.0
    assert [(t["name"], t["revenue"]) for t in gbp["top_clients"]] == [("Beta", 50000)]
    eur = data["currencies"]["EUR"]
    assert (eur["revenue"], eur["net"], eur["avg_days_to_pay"]) == (80000, 76800, 42.0)
    assert data["currencies"]["USD"]["revenue"] == 0
    assert data["range"]["label"] == "1 Mar 2026 to 31 Mar 2026"
    # 1 April alone (Sydney): P1 at 14:30 UTC on 31 March belongs here.
    april_first = Period("custom", datetime.date(2026, 4, 1), datetime.date(2026, 4, 1))
    gbp = figures(fx, period=april_first)["currencies"]["GBP"]
    assert (gbp["gross"], gbp["refunds"], gbp["revenue"]) == (100000, 0, 100000)


def test_a_month_of_refunds_only_is_negative(fx):
    """Revenue in a period with refunds and no payments is negative, as the definition says."""
    april_10_12 = Period("custom", datetime.date(2026, 4, 10), datetime.date(2026, 4, 12))
    gbp = figures(fx, period=april_10_12)["currencies"]["GBP"]
    assert (gbp["revenue"], gbp["platform_fees"], gbp["net"]) == (-80000, -3200, -76800)
    assert gbp["avg_days_to_pay"] is None
    assert gbp["top_clients"] == []


def test_top_clients_are_five_per_currency(db):
    tenant = make_tenant(timezone="Europe/London")
    b = Builder(tenant)
    from secportal.clients.models import Client

    for i in range(7):
        client = Client.objects.create(workspace=tenant.workspace, name=f"Client {i}")
        b.paid(f"p{i}", client, 10000 * (i + 1), "GBP", 100, utc(2026, 4, 1), utc(2026, 4, 2))
    data = selectors.dashboard(tenant.workspace, preset_period("this_month", TODAY), TODAY)
    top = data.as_json()["currencies"]["GBP"]["top_clients"]
    assert [t["revenue"] for t in top] == [70000, 60000, 50000, 40000, 30000]


def test_the_number_of_queries_does_not_depend_on_the_data(db):
    def count_queries(tenant):
        with CaptureQueriesContext(connection) as ctx:
            selectors.dashboard(tenant.workspace, preset_period("this_year", TODAY), TODAY)
        return len(ctx.captured_queries)

    small = make_tenant(timezone="Australia/Sydney")
    larger = build()
    b = larger.builder
    for i in range(40):  # more payments, refunds and open invoices in every currency
        for currency in ("GBP", "EUR", "USD"):
            p = b.paid(
                f"x{i}{currency}",
                larger.beta,
                5000 + i,
                currency,
                200,
                utc(2026, 1, 2),
                utc(2026, 2, 1 + i % 27),
            )
            b.refund(p, 100, 4, utc(2026, 3, 1 + i % 27))
            b.invoice(
                larger.cobalt,
                700 + i,
                currency,
                InvoiceStatus.SENT,
                due=datetime.date(2026, 1, 1 + i % 28),
                sent_at=utc(2025, 12, 1),
            )
    assert count_queries(small) == count_queries(larger.tenant) == 6


def test_other_workspaces_do_not_count(fx):
    other = build(make_tenant("Other", timezone="Australia/Sydney"))

    def without_ids(data):
        for c in data["currencies"].values():
            for t in c["top_clients"]:
                t.pop("client")
        return data

    # The same rows in another workspace: the same figures, nothing added from the other one.
    assert without_ids(figures(fx)) == without_ids(figures(other))
    assert figures(fx)["currencies"]["GBP"]["outstanding"]["count"] == 9
