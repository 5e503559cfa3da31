"""Issue 15 (3): line items, VAT per line, the quick form as one line, PO numbers, locking."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from secportal.invoicing import services, vat
from secportal.invoicing.lines import lines_of
from secportal.invoicing.models import Invoice, InvoiceLine

from ..conftest import signed_in
from .conftest import connect_stripe

# --- the one rounding function ----------------------------------------------------------------

quantities = st.decimals(
    min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3, allow_nan=False
)
prices = st.integers(min_value=0, max_value=10_000_000)
rates = st.sampled_from([rate.bps for rate in vat.VAT_RATES.values()])


@given(quantities, prices, rates)
def test_net_prices_round_the_net_then_the_vat_half_up(quantity, price, bps):
    net, tax = vat.line_amounts(quantity, price, bps)
    exact_net = quantity * price
    assert abs(net - exact_net) <= Decimal("0.5")
    assert abs(tax - Decimal(net) * bps / 10000) <= Decimal("0.5")
    assert net >= 0 and tax >= 0


@given(quantities, prices, rates)
def test_gross_prices_split_exactly_into_net_and_vat(quantity, price, bps):
    net, tax = vat.line_amounts(quantity, price, bps, gross=True)
    gross = vat.line_amounts(quantity, price, 0)[0]
    assert net + tax == gross
    assert abs(Decimal(net) * (10000 + bps) / 10000 - gross) <= Decimal("0.5") * (
        1 + Decimal(bps) / 10000
    )
    assert net >= 0 and tax >= 0


@given(st.lists(st.tuples(st.sampled_from(list(vat.VAT_RATES)), prices, prices), max_size=30))
def test_invoice_totals_are_the_sums_of_the_lines(rows):
    totals = vat.totals(rows)
    assert totals.net == sum(net for _, net, _ in rows)
    assert totals.vat == sum(tax for _, _, tax in rows)
    assert totals.total == totals.net + totals.vat
    assert sum(r.vat for r in totals.by_rate) == totals.vat


def test_half_pennies_round_up():
    assert vat.line_amounts(Decimal("0.5"), 1, 0) == (1, 0)
    assert vat.line_amounts(Decimal(1), 1250, 2000) == (1250, 250)
    assert vat.line_amounts(Decimal(1), 1, 5000) == (1, 1)  # 0.5 → 1
    assert vat.line_amounts(Decimal(1), 120, 2000, gross=True) == (100, 20)


# --- through the pages ----------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def vat_tenant(tenant):
    workspace = tenant.workspace
    workspace.legal_name = "Redline Security Ltd"
    workspace.registered_address = "1 Fleet Street\nLondon EC4Y 1AA"
    workspace.vat_number = "GB980780684"
    workspace.save()
    return tenant


def quick(tenant, **overrides):
    return {
        "amount": "1,000.00",
        "currency": "GBP",
        "description": "External penetration test",
        "client": tenant.client.pk,
        "engagement": tenant.engagement.pk,
        "due_date": "",
    } | overrides


def with_lines(tenant, rows, **overrides):
    data = quick(tenant, amount="", **overrides)
    for n, (description, quantity, price, rate) in enumerate(rows):
        data |= {
            f"line-k{n}-description": description,
            f"line-k{n}-quantity": quantity,
            f"line-k{n}-unit_price": price,
            f"line-k{n}-vat_rate": rate,
        }
    return data


THREE_LINES = [
    ("Web application test (days)", "4.5", "1,200.00", "standard"),
    ("Travel expenses", "1", "150.25", "standard"),
    ("Training materials (zero-rated)", "2", "40.00", "zero"),
]


def new_invoice():
    return Invoice.objects.order_by("-pk").first()


def test_three_lines_make_net_vat_per_rate_and_total(vat_tenant):
    browser = signed_in(vat_tenant.member)
    response = browser.post(reverse("invoicing:create"), with_lines(vat_tenant, THREE_LINES))
    assert response.status_code == 302
    invoice = new_invoice()
    # 4.5 x 1,200.00 = 5,400.00 (VAT 1,080.00); 150.25 (VAT 30.05); 2 x 40.00 = 80.00 (no VAT)
    assert (invoice.net_amount, invoice.vat_amount, invoice.amount) == (563025, 111005, 674030)
    assert lines_of(invoice)[0].description == "Web application test (days)"
    assert InvoiceLine.objects.filter(invoice=invoice).count() == 3
    page = browser.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()
    for text in ("<dt>Net</dt>", "<dt>VAT</dt>", "<dt>Total</dt>", "£6,740.30", "4.5"):
        assert text in page


def test_the_seeds_quick_form_is_one_line_without_vat(tenant, member_client):
    assert member_client.post(reverse("invoicing:create"), quick(tenant)).status_code == 302
    invoice = new_invoice()
    assert (invoice.amount, invoice.vat_amount, invoice.net) == (100000, 0, 100000)
    (line,) = lines_of(invoice)
    assert (line.description, line.quantity, line.rate.key) == (
        "External penetration test",
        1,
        "none",
    )


def test_quick_form_of_a_vat_registered_workspace_adds_vat_to_a_net_amount(vat_tenant):
    browser = signed_in(vat_tenant.member)
    body = browser.get(reverse("invoicing:create")).content.decode()
    assert ">VAT rate</label>" in body and "Add line" in body
    assert browser.post(reverse("invoicing:create"), quick(vat_tenant, vat_rate="standard"))
    invoice = new_invoice()
    assert (invoice.net_amount, invoice.vat_amount, invoice.amount) == (100000, 20000, 120000)


def test_gross_entry_splits_the_amount(vat_tenant):
    vat_tenant.workspace.amounts_entered = "gross"
    vat_tenant.workspace.save()
    browser = signed_in(vat_tenant.member)
    browser.post(
        reverse("invoicing:create"), quick(vat_tenant, amount="1,200.00", vat_rate="standard")
    )
    invoice = new_invoice()
    assert (invoice.net_amount, invoice.vat_amount, invoice.amount) == (100000, 20000, 120000)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quantity", "-1", "more than zero"),
        ("quantity", "0", "more than zero"),
        ("quantity", "1.2345", "at most 3 decimal places"),
        ("quantity", "1e9", "at most 100,000"),
        ("quantity", "many", "as a number"),
        ("unit_price", "-5", "more than zero"),
        ("unit_price", "10.999", "at most 2 decimal places"),
        ("unit_price", "€100", "This invoice is in GBP"),
        ("unit_price", "999,999,999.00", "above the largest invoice total"),
        ("description", "", "Describe the line"),
    ],
)
def test_bad_lines_are_refused_beside_the_field_and_nothing_saved(
    vat_tenant, field, value, message
):
    row = dict(
        zip(("description", "quantity", "unit_price", "vat_rate"), THREE_LINES[0], strict=True)
    )
    row[field] = value
    data = with_lines(vat_tenant, [tuple(row.values()), THREE_LINES[1]])
    before = Invoice.objects.count()
    response = signed_in(vat_tenant.member).post(reverse("invoicing:create"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="line-k0-{field}_error"' in body
    assert message in body
    assert Invoice.objects.count() == before
    assert InvoiceLine.objects.count() == 0


def test_add_line_works_with_and_without_javascript(vat_tenant):
    browser = signed_in(vat_tenant.member)
    response = browser.post(reverse("invoicing:create"), quick(vat_tenant, add_line="1"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="line"') == 2  # the amount became line 1, and a blank line 2
    assert 'value="1,000.00"' in body
    row = browser.get(reverse("invoicing:line_row"), headers={"HX-Request": "true"})
    assert 'name="line-' in row.content.decode() and "Standard 20%" in row.content.decode()
    preview = browser.post(
        reverse("invoicing:totals_preview"), with_lines(vat_tenant, THREE_LINES)
    ).content.decode()
    assert "£6,740.30" in preview and "£1,110.05" in preview


def test_reverse_charge_needs_an_eu_client_with_a_vat_number(vat_tenant):
    browser = signed_in(vat_tenant.member)
    data = quick(vat_tenant, vat_rate="reverse_charge")
    response = browser.post(reverse("invoicing:create"), data)
    assert response.status_code == 400
    assert 'id="id_vat_rate_error"' in response.content.decode()
    client = vat_tenant.client
    client.country, client.vat_number = "DE", "DE136695976"
    client.save()
    assert browser.post(reverse("invoicing:create"), data).status_code == 302
    invoice = new_invoice()
    assert (invoice.amount, invoice.vat_amount) == (100000, 0)


def test_sterling_rate_is_needed_for_uk_vat_on_a_euro_invoice(vat_tenant):
    browser = signed_in(vat_tenant.member)
    data = quick(vat_tenant, currency="EUR", vat_rate="standard")
    response = browser.post(reverse("invoicing:create"), data)
    assert response.status_code == 400
    assert 'id="id_gbp_rate_error"' in response.content.decode()
    assert browser.post(reverse("invoicing:create"), data | {"gbp_rate": "0.85"}).status_code == 302
    assert new_invoice().gbp_rate == Decimal("0.85")


def test_send_refuses_without_a_po_when_the_client_requires_one(vat_tenant):
    connect_stripe(vat_tenant)
    client = vat_tenant.client
    client.po_required = True
    client.save()
    browser = signed_in(vat_tenant.admin)
    browser.post(reverse("invoicing:create"), quick(vat_tenant, vat_rate="standard"))
    invoice = new_invoice()
    response = browser.post(reverse("invoicing:send", args=[invoice.public_id]))
    assert response.status_code == 400
    assert "Add a PO number" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.is_draft and invoice.number is None
    services.update_draft(invoice.pk, vat_tenant.admin, {"po_number": "PO-42"})
    assert services.send_invoice(invoice.pk, vat_tenant.admin).sent_now


def test_a_sent_invoice_is_locked(vat_tenant):
    connect_stripe(vat_tenant)
    browser = signed_in(vat_tenant.admin)
    browser.post(reverse("invoicing:create"), with_lines(vat_tenant, THREE_LINES))
    invoice = new_invoice()
    services.send_invoice(invoice.pk, vat_tenant.admin)
    with pytest.raises(services.InvoiceError):
        services.update_draft(invoice.pk, vat_tenant.admin, {"lines": []})
    response = browser.post(
        reverse("invoicing:edit", args=[invoice.public_id]), with_lines(vat_tenant, THREE_LINES[:1])
    )
    assert response.status_code == 302
    assert InvoiceLine.objects.filter(invoice=invoice).count() == 3


def test_editing_a_draft_replaces_its_lines(vat_tenant):
    browser = signed_in(vat_tenant.member)
    browser.post(reverse("invoicing:create"), with_lines(vat_tenant, THREE_LINES))
    invoice = new_invoice()
    page = browser.get(reverse("invoicing:edit", args=[invoice.public_id])).content.decode()
    assert page.count('class="line"') == 3 and 'value="4.5"' in page
    response = browser.post(
        reverse("invoicing:edit", args=[invoice.public_id]), with_lines(vat_tenant, THREE_LINES[1:])
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.amount == 15025 + 3005 + 8000
    assert invoice.events.filter(kind="edited").count() == 1


def test_the_lines_are_saved_in_the_order_posted(vat_tenant):
    browser = signed_in(vat_tenant.member)
    body = browser.get(reverse("invoicing:line_row")).content.decode()
    assert 'data-line-move="up"' in body and 'data-line-move="down"' in body
    browser.post(reverse("invoicing:create"), with_lines(vat_tenant, THREE_LINES[::-1]))
    saved = [line.description for line in lines_of(new_invoice())]
    assert saved == [row[0] for row in THREE_LINES[::-1]]


def test_the_sterling_rate_defaults_to_the_last_one_used(vat_tenant):
    browser = signed_in(vat_tenant.member)
    data = quick(vat_tenant, currency="EUR", vat_rate="standard", gbp_rate="0.8512")
    assert browser.post(reverse("invoicing:create"), data).status_code == 302
    page = browser.get(reverse("invoicing:create")).content.decode()
    assert 'value="0.851200"' in page
