"""The dashboard page, its JSON twin and the client/engagement money parts, through HTTP.

Views use the real clock, so these tests use a custom range in the past for the period figures
(independent of today) and, for the as-of-today figures, invoices dated relative to today.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from secportal.analytics import selectors
from secportal.core.money import format_money
from secportal.invoicing.models import InvoiceStatus
from secportal.workspaces.models import Mode

from ..conftest import make_tenant, signed_in
from ..invoicing.conftest import connect_stripe
from .fixtures import Builder, build, utc

pytestmark = pytest.mark.django_db

MARCH = {"range": "custom", "from": "2026-03-01", "to": "2026-03-31"}
SUMMARY = reverse("analytics:summary")
DASHBOARD = reverse("analytics:dashboard")


# --- reading the page ------------------------------------------------------------------------


def currency_section(html: str, currency: str) -> str:
    match = re.search(
        rf'<section class="card" aria-labelledby="cur-{currency}" data-currency="{currency}">'
        r"(.*?)</section>",
        html,
        re.S,
    )
    assert match, f"no {currency} section"
    return match.group(1)


def figure(chunk: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', chunk)
    assert match, name
    return match.group(1).strip()


def monthly_rows(chunk: str) -> dict[str, str]:
    rows = re.findall(
        r'<tr data-month="(\d{4}-\d{2})"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>',
        chunk,
    )
    return dict(rows)


def ageing_rows(chunk: str) -> dict[str, tuple[int, str]]:
    rows = re.findall(
        r'<tr data-bucket="(\w+)"><th scope="row">[^<]*</th>'
        r'<td class="num">(\d+)</td><td class="num">([^<]*)</td>',
        chunk,
    )
    return {key: (int(n), amount) for key, n, amount in rows}


def top_rows(chunk: str) -> list[tuple[str, str, str]]:
    return re.findall(
        r'<a href="/clients/([^/]+)/">([^<]*)</a></th><td class="num">([^<]*)</td>', chunk
    )


def assert_page_matches_json(html: str, data: dict) -> None:
    """Every number of the JSON appears, formatted, in the page's text and tables."""
    assert set(re.findall(r'data-currency="(\w{3})"', html)) == set(data["currencies"])
    for currency, c in data["currencies"].items():
        chunk = currency_section(html, currency)

        def money(minor, currency=currency):
            return format_money(minor, currency, "en_GB")  # the test workspaces are in London

        assert figure(chunk, "revenue") == money(c["revenue"])
        assert f"{money(c['gross'])} paid, {money(c['refunds'])} refunded" in chunk
        assert figure(chunk, "platform_fees") == money(c["platform_fees"])
        assert figure(chunk, "net") == money(c["net"])
        days = figure(chunk, "avg_days_to_pay")
        assert days == ("—" if c["avg_days_to_pay"] is None else f"{c['avg_days_to_pay']} days")
        # "Revenue this month" repeated "Revenue collected" (issue 13, item 18): not shown.
        assert 'data-figure="this_month_revenue"' not in chunk
        assert figure(chunk, "outstanding") == money(c["outstanding"]["amount"])
        assert figure(chunk, "outstanding_count").startswith(f"{c['outstanding']['count']} inv")
        assert figure(chunk, "overdue") == money(c["overdue"]["amount"])
        assert figure(chunk, "overdue_count").startswith(f"{c['overdue']['count']} inv")
        assert monthly_rows(chunk) == {m["month"]: money(m["revenue"]) for m in c["monthly"]}
        assert ageing_rows(chunk) == {
            k: (v["count"], money(v["amount"])) for k, v in c["ageing"].items()
        }
        assert top_rows(chunk) == [
            (t["client"], t["name"], money(t["revenue"])) for t in c["top_clients"]
        ]
        # the charts say the same in their accessible names
        for m in c["monthly"]:
            assert money(m["revenue"]) in chunk
    for status, n in data["status_counts"].items():
        assert re.search(
            rf'<tr data-status="{status}">.*?<td class="num" data-figure="total">{n}</td>', html
        )


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def fx(db):
    return build()


@pytest.fixture
def browser(fx):
    return signed_in(fx.tenant.owner)


AGE_EDGES = [  # (days past due, amount, bucket)
    (-10, 1256, "current"),
    (0, 1001, "current"),
    (1, 1002, "1_30"),
    (30, 1004, "1_30"),
    (31, 1008, "31_60"),
    (60, 1016, "31_60"),
    (61, 1032, "61_90"),
    (90, 1064, "61_90"),
    (91, 1128, "90_plus"),
]


def edge_invoices(tenant) -> None:
    """Outstanding GBP invoices at every ageing edge, relative to today in the workspace."""
    today = tenant.workspace.today()
    b = Builder(tenant)
    for days, amount, _bucket in AGE_EDGES:
        b.invoice(
            tenant.client,
            amount,
            "GBP",
            InvoiceStatus.SENT,
            due=today - datetime.timedelta(days=days),
            sent_at=utc(2026, 1, 1),
            engagement=tenant.engagement,
        )


# --- the JSON --------------------------------------------------------------------------------


def test_summary_json_has_the_hand_computed_period_figures(browser, fx):
    response = browser.get(SUMMARY, MARCH)
    assert response.status_code == 200
    data = response.json()
    assert data["range"] == {
        "key": "custom",
        "label": "1 Mar 2026 to 31 Mar 2026",
        "from": "2026-03-01",
        "to": "2026-03-31",
    }
    assert data["timezone"] == "Australia/Sydney"
    gbp, eur = data["currencies"]["GBP"], data["currencies"]["EUR"]
    # P2 only: P1 was paid at 14:30 UTC on 31 March, already 1 April in Sydney.
    assert (gbp["revenue"], gbp["platform_fees"], gbp["net"]) == (50000, 2000, 48000)
    assert gbp["avg_days_to_pay"] == 30.0
    assert [(t["name"], t["revenue"]) for t in gbp["top_clients"]] == [("Beta", 50000)]
    assert (eur["revenue"], eur["platform_fees"], eur["net"]) == (80000, 3200, 76800)
    assert data["currencies"]["USD"]["revenue"] == 0
    # Months and as-of-today figures: the selectors' own, with today in Sydney.
    ws = fx.tenant.workspace
    today = ws.today()
    expected = selectors.dashboard(
        ws, selectors.Period("custom", datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)), today
    ).as_json()
    assert data == expected
    months = {m["month"]: m["revenue"] for m in gbp["monthly"]}
    assert len(months) == 12
    assert months.get("2026-03", 50000) == 50000  # when March is still in the 12 months
    assert months.get("2026-04", 50000) == 50000
    assert all(isinstance(v, int) for v in months.values())


def test_summary_json_ageing_at_every_edge_as_of_today(db):
    tenant = make_tenant()
    edge_invoices(tenant)
    data = signed_in(tenant.owner).get(SUMMARY).json()
    gbp = data["currencies"]["GBP"]
    expected: dict[str, dict[str, int]] = {
        k: {"amount": 0, "count": 0} for k in ("current", "1_30", "31_60", "61_90", "90_plus")
    }
    for _days, amount, bucket in AGE_EDGES:
        expected[bucket]["amount"] += amount
        expected[bucket]["count"] += 1
    assert gbp["ageing"] == expected
    assert gbp["outstanding"] == {"amount": 9511, "count": 9}
    assert gbp["overdue"] == {"amount": 9511 - 1256 - 1001, "count": 7}
    assert data["status_counts"]["overdue"] == 7 and data["status_counts"]["sent"] == 2
    assert data["range"]["key"] == "this_month"


@pytest.mark.parametrize(
    "key", ["this_month", "last_30_days", "this_quarter", "this_year", "last_12_months"]
)
def test_summary_json_accepts_every_range(browser, fx, key):
    data = browser.get(SUMMARY, {"range": key}).json()
    today = fx.tenant.workspace.today()
    period = selectors.preset_period(key, today)
    assert data["range"]["key"] == key
    assert (data["range"]["from"], data["range"]["to"]) == (
        period.start.isoformat(),
        today.isoformat(),
    )


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"from": "2026-04-01", "to": "2026-03-01"},
            "to",
            "The end date is before the start date.",
        ),
        ({"from": "", "to": "2026-03-01"}, "from", "Choose the first day of the period."),
        ({"from": "2026-03-01"}, "to", "Choose the last day of the period."),
        ({"from": "01/03/2026", "to": "2026-03-31"}, "from", "Enter the start date as YYYY-MM-DD."),
        ({"from": "2999-01-01", "to": "2999-02-01"}, "from", "The start date is in the future"),
        ({"from": "2000-01-01", "to": "2026-01-01"}, "to", "Choose a period of at most ten years."),
    ],
)
def test_custom_range_validation(browser, params, field, message):
    query = {"range": "custom", **params}
    response = browser.get(SUMMARY, query)
    assert response.status_code == 400
    assert response.json()["errors"][field][0]["message"].startswith(message)
    page = browser.get(DASHBOARD, query)
    assert page.status_code == 200
    html = page.content.decode()
    # the message sits beside its field, which points at it
    assert re.search(
        rf'id="id_{field}".*?<p class="error" id="id_{field}_error" role="alert">'
        + re.escape(message),
        html,
        re.S,
    )
    assert f'aria-describedby="id_{field}_error"' in html
    assert "so this month is shown instead" in html
    assert 'data-range="this_month"' in html


def test_unknown_range_is_refused(browser):
    assert browser.get(SUMMARY, {"range": "forever"}).status_code == 400


# --- the page --------------------------------------------------------------------------------


def test_page_shows_the_same_numbers_as_the_json(browser):
    for query in (MARCH, {"range": "last_12_months"}, {}):
        data = browser.get(SUMMARY, query).json()
        html = browser.get(DASHBOARD, query).content.decode()
        assert_page_matches_json(html, data)


def test_page_shows_ageing_edges_in_the_table(db):
    tenant = make_tenant()
    edge_invoices(tenant)
    browser = signed_in(tenant.owner)
    html = browser.get(DASHBOARD).content.decode()
    assert_page_matches_json(html, browser.get(SUMMARY).json())
    rows = ageing_rows(currency_section(html, "GBP"))
    assert rows["current"] == (2, "£22.57")
    assert rows["90_plus"] == (1, "£11.28")


def test_page_hand_computed_figures_are_shown_formatted(browser):
    chunk = currency_section(browser.get(DASHBOARD, MARCH).content.decode(), "GBP")
    assert figure(chunk, "revenue") == "£500.00"
    assert figure(chunk, "platform_fees") == "£20.00"
    assert figure(chunk, "net") == "£480.00"
    assert figure(chunk, "avg_days_to_pay") == "30.0 days"
    eur = currency_section(browser.get(DASHBOARD, MARCH).content.decode(), "EUR")
    # One locale per workspace (issue 13, item 8): a London workspace writes euros en_GB's way.
    assert figure(eur, "revenue") == "€800.00"


def test_charts_are_accessible_svg_with_tables(browser):
    html = browser.get(DASHBOARD, MARCH).content.decode()
    figures = re.findall(r'<figure class="chart" data-chart="(\w+)">(.*?)</figure>', html, re.S)
    assert [kind for kind, _ in figures] == ["monthly", "ageing"] * 3
    for _kind, body in figures:
        assert body.lstrip().startswith("<figcaption>")
        svg = re.search(r"<svg [^>]*>", body).group(0)
        assert 'role="img"' in svg and 'aria-label="' in svg
        assert 'viewBox="0 0 640 260"' in svg and 'width="100%"' in svg
        assert body.index("<svg") < body.index("<table")
        assert "<script" not in body and "http" not in svg
    assert "<script src" not in html.replace('<script src="/static/', "")


def test_query_count_does_not_depend_on_the_data(db):
    small = make_tenant(timezone="Australia/Sydney")
    large = build()
    edge_invoices(large.tenant)
    b = large.builder
    for i in range(30):
        for currency in ("GBP", "EUR", "USD"):
            p = b.paid(
                f"y{i}{currency}",
                large.acme,
                4000 + i,
                currency,
                160,
                utc(2026, 1, 1),
                utc(2026, 3, 1 + i),
            )
            b.refund(p, 50, 2, utc(2026, 4, 1 + i % 28))

    def queries(tenant, url, query):
        browser = signed_in(tenant.owner)
        browser.get(url, query)  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert browser.get(url, query).status_code == 200
        return len(ctx.captured_queries)

    for url in (DASHBOARD, SUMMARY):
        for query in (MARCH, {"range": "this_year"}):
            assert queries(small, url, query) == queries(large.tenant, url, query)


# --- modes and empty state -------------------------------------------------------------------


def test_internal_mode_hides_revenue_and_the_json(db):
    fx = build(make_tenant("Internal team", mode=Mode.INTERNAL))
    browser = signed_in(fx.tenant.owner)
    response = browser.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 clients, 2 engagements." in html
    for hidden in ("Revenue", "Outstanding", "Connect Stripe", "<svg", "data-currency", "£"):
        assert hidden not in html
    assert browser.get(SUMMARY).status_code == 404
    assert browser.get(SUMMARY, MARCH).status_code == 404
    for url in (
        reverse("clients:detail", args=[fx.acme.public_id]),
        reverse("engagements:detail", args=[fx.acme_web.public_id]),
    ):
        page = browser.get(url).content.decode()
        assert "client-money-heading" not in page and "engagement-money-heading" not in page


def test_summary_json_needs_sign_in(fx, client):
    response = client.get(SUMMARY)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_empty_state_says_what_to_do_next(db):
    tenant = make_tenant()
    browser = signed_in(tenant.owner)
    html = browser.get(DASHBOARD).content.decode()
    assert "No paid invoices yet" in html
    assert f'href="{reverse("workspaces:settings")}">Connect Stripe</a>' in html
    assert f'href="{reverse("invoicing:create")}">Create your first invoice</a>' in html
    assert "data-currency" not in html  # a draft alone is nothing to chart
    assert browser.get(SUMMARY).json()["currencies"] == {}

    connect_stripe(tenant)
    html = browser.get(DASHBOARD).content.decode()
    assert "Connect Stripe</a>" not in html
    assert "Create your first invoice</a>" in html


def test_no_empty_state_once_an_invoice_is_paid(browser):
    assert "No paid invoices yet" not in browser.get(DASHBOARD).content.decode()


# --- per client and per engagement -----------------------------------------------------------


def money_rows(html: str) -> dict[str, dict[str, str]]:
    rows = {}
    for currency, body in re.findall(r'<tr data-currency="(\w{3})">(.*?)</tr>', html, re.S):
        rows[currency] = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', body))
    return rows


def test_client_money(fx, browser):
    html = browser.get(reverse("clients:detail", args=[fx.acme.public_id])).content.decode()
    assert "client-money-heading" in html
    assert money_rows(html) == {
        # P1 + P3 + the 11.28 overdue invoice; collected 1,000 + 2,000 - 500 refunded
        # (the duplicate payment and its refund are left out)
        "GBP": {
            "invoiced": "£3,011.28",
            "collected": "£2,500.00",
            "outstanding": "£11.28",
            "overdue": "£11.28",
        },
        "EUR": {
            "invoiced": format_money(80000, "EUR", "en_GB"),
            "collected": format_money(60000, "EUR", "en_GB"),
            "outstanding": format_money(0, "EUR", "en_GB"),
            "overdue": format_money(0, "EUR", "en_GB"),
        },
    }
    beta = money_rows(
        browser.get(reverse("clients:detail", args=[fx.beta.public_id])).content.decode()
    )
    # P2 + P5 + P6 + the 8 outstanding invoices (void one excluded); nothing refunded
    assert beta["GBP"] == {
        "invoiced": format_money(50000 + 70000 + 40000 + 9511 - 1128, "GBP"),
        "collected": format_money(160000, "GBP"),
        "outstanding": format_money(9511 - 1128, "GBP"),
        # every fixture due date (the latest: 1 May 2026) is before the real today
        "overdue": format_money(9511 - 1128, "GBP"),
    }
    cobalt = money_rows(
        browser.get(reverse("clients:detail", args=[fx.cobalt.public_id])).content.decode()
    )
    assert cobalt["GBP"]["invoiced"] == "£300.00" and cobalt["GBP"]["collected"] == "£0.00"
    # A London workspace writes dollars en_GB's way (US$), as in its emails and PDFs.
    assert cobalt["USD"] == {
        "invoiced": "US$280.00",
        "collected": "US$250.00",
        "outstanding": "US$30.00",
        "overdue": "US$30.00",  # due 20 Apr 2026, before the real today
    }


def test_engagement_money(fx, browser):
    html = browser.get(reverse("engagements:detail", args=[fx.acme_web.public_id])).content.decode()
    assert "engagement-money-heading" in html
    assert money_rows(html) == {
        "GBP": {
            "invoiced": "£1,011.28",
            "collected": "£1,000.00",
            "outstanding": "£11.28",
            "overdue": "£11.28",
        }
    }
    # the tenant's own engagement has only a draft: nothing invoiced yet
    html = browser.get(
        reverse("engagements:detail", args=[fx.tenant.engagement.public_id])
    ).content.decode()
    assert "Nothing invoiced to this engagement yet." in html


def test_money_of_uses_the_overdue_rule_of_today(fx):
    rows = selectors.money_of(fx.tenant.workspace, datetime.date(2026, 1, 14), client=fx.acme)
    gbp = next(r for r in rows if r.currency == "GBP")
    assert gbp.overdue == 1128  # stored overdue counts whatever the date
    rows = selectors.money_of(fx.tenant.workspace, datetime.date(2026, 1, 14), client=fx.beta)
    gbp = next(r for r in rows if r.currency == "GBP")
    assert gbp.overdue == 1064  # stored overdue; the sent ones are not yet past due then


def test_money_of_client_and_engagement_on_a_fixed_day(fx):
    ws = fx.tenant.workspace
    beta = selectors.money_of(ws, datetime.date(2026, 4, 15), client=fx.beta)
    assert [(m.currency, m.as_json()) for m in beta] == [
        ("GBP", {"invoiced": 168383, "collected": 160000, "outstanding": 8383, "overdue": 6126}),
        ("EUR", {"invoiced": 76000, "collected": 60000, "outstanding": 16000, "overdue": 7000}),
    ]
    web = selectors.money_of(ws, datetime.date(2026, 4, 15), engagement=fx.acme_web)
    assert [(m.currency, m.as_json()) for m in web] == [
        ("GBP", {"invoiced": 101128, "collected": 100000, "outstanding": 1128, "overdue": 1128}),
    ]
    with pytest.raises(ValueError):
        selectors.money_of(ws, datetime.date(2026, 4, 15))
