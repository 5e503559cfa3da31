"""The API's later resources: contacts, draft updates, documents, payments recorded by hand and
the workspace summary."""

from __future__ import annotations

import datetime
import io

import pytest
from facturx import get_facturx_xml_from_pdf

from secportal.api.models import ApiRole
from secportal.invoicing.models import Invoice, InvoiceStatus, RecordedPayment
from secportal.payments.models import ConnectedAccount

from .test_api import api, key_for

pytestmark = pytest.mark.django_db
JSON = "application/json"


def ready_to_send(tenant) -> None:
    ConnectedAccount.objects.create(
        workspace=tenant.workspace,
        stripe_account_id="acct_api_more",
        details_submitted=True,
        charges_enabled=True,
    )


def sent_invoice(admin, tenant, **extra) -> dict:
    body = {
        "client": str(tenant.client.public_id),
        "currency": "GBP",
        "description": "Web application test",
        "lines": [
            {"description": "Testing days", "quantity": "4", "unit_price": 100_000},
            {"description": "Report", "unit_price": 50_000},
        ],
        **extra,
    }
    created = admin.post("/api/v1/invoices", body, content_type=JSON)
    assert created.status_code == 201, created.json()
    sent = admin.post(f"/api/v1/invoices/{created.json()['id']}/send")
    assert sent.status_code == 200, sent.json()
    return sent.json()


def test_contacts_are_listed_added_and_retrieved_under_their_client(tenant, other_tenant):
    admin = api(key_for(tenant))
    url = f"/api/v1/clients/{tenant.client.public_id}/contacts"
    listed = admin.get(url).json()
    assert [c["email"] for c in listed["data"]] == [tenant.contact.email]
    body = {"name": "Grace Hopper", "email": "Grace@Client.example", "receives_invoices": True}
    added = admin.post(url, body, content_type=JSON)
    assert added.status_code == 201
    contact = added.json()
    assert contact["email"] == "grace@client.example" and contact["receives_invoices"] is True
    assert contact["client"] == str(tenant.client.public_id)
    assert admin.get(f"{url}/{contact['id']}").json() == contact
    again = admin.post(url, body, content_type=JSON)
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {"field": "email", "message": "This client already has a contact with this email."}
    ]
    bad = admin.post(url, {"name": "X", "email": "not-an-email", "phone": "1"}, content_type=JSON)
    assert {e["field"] for e in bad.json()["errors"]} == {"phone"}  # unknown fields first
    bad = admin.post(url, {"name": "X", "email": "not-an-email"}, content_type=JSON)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    # Members read contacts but do not add them; another workspace's client is not found.
    member = api(key_for(tenant, ApiRole.MEMBER))
    assert member.get(url).status_code == 200
    assert (
        member.post(url, {"name": "Y", "email": "y@c.example"}, content_type=JSON).status_code
        == 403
    )
    theirs = f"/api/v1/clients/{other_tenant.client.public_id}/contacts"
    assert admin.get(theirs).status_code == 404
    assert (
        admin.post(theirs, {"name": "Z", "email": "z@c.example"}, content_type=JSON).status_code
        == 404
    )
    mixed = f"{url}/{other_tenant.contact.public_id}"
    assert admin.get(mixed).status_code == 404


def test_a_draft_is_updated_and_a_sent_invoice_is_refused_naming_the_rule(tenant):
    ready_to_send(tenant)
    admin = api(key_for(tenant))
    created = admin.post(
        "/api/v1/invoices",
        {
            "client": str(tenant.client.public_id),
            "currency": "GBP",
            "description": "Draft",
            "lines": [{"description": "Day", "unit_price": 1000}],
        },
        content_type=JSON,
    ).json()
    url = f"/api/v1/invoices/{created['id']}"
    due = (tenant.workspace.today() + datetime.timedelta(days=30)).isoformat()
    patched = admin.patch(
        url,
        {
            "description": "Cloud review",
            "due_date": due,
            "po_number": "PO-77",
            "engagement": str(tenant.engagement.public_id),
            "lines": [
                {"description": "Review days", "quantity": "2.5", "unit_price": 80_000},
                {"description": "Travel", "unit_price": 12_000},
            ],
        },
        content_type=JSON,
    )
    assert patched.status_code == 200, patched.json()["errors"]
    body = patched.json()
    assert body["description"] == "Cloud review" and body["due_date"] == due
    assert body["po_number"] == "PO-77" and body["engagement"] == str(tenant.engagement.public_id)
    assert [(line["description"], line["net"]) for line in body["lines"]] == [
        ("Review days", 200_000),
        ("Travel", 12_000),
    ]
    assert body["net_amount"] == 212_000 and body["amount"] == 212_000 + body["vat_amount"]
    assert admin.get(url).json() == body
    # Only what is given changes; bad input is refused beside its field, unknown fields too.
    only = admin.patch(url, {"po_number": "PO-78"}, content_type=JSON).json()
    assert only["po_number"] == "PO-78" and only["lines"] == body["lines"]
    bad = admin.patch(url, {"currency": "XYZ", "colour": "red"}, content_type=JSON)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"currency", "colour"}
    rate = admin.patch(url, {"vat_rate": "standard"}, content_type=JSON)
    assert rate.status_code == 422 and rate.json()["errors"][0]["field"] == "vat_rate"
    null = admin.patch(url, {"description": None}, content_type=JSON)
    assert null.status_code == 422 and null.json()["errors"][0]["field"] == "description"
    assert (
        api(key_for(tenant, ApiRole.READ_ONLY)).patch(url, {}, content_type=JSON).status_code == 403
    )
    # Sent: the contents are locked, and the answer says so.
    sent = admin.post(f"{url}/send").json()
    refused = admin.patch(url, {"description": "Changed"}, content_type=JSON)
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    detail = refused.json()["detail"]
    assert "Only drafts can be edited" in detail and sent["number"] in detail
    assert Invoice.objects.get(public_id=created["id"]).description == "Cloud review"


def test_the_pdf_and_the_e_invoices_download(tenant, other_tenant):
    ready_to_send(tenant)
    admin = api(key_for(tenant, ApiRole.READ_ONLY))
    writer = api(key_for(tenant))
    draft = f"/api/v1/invoices/{tenant.invoice.public_id}"
    pdf = admin.get(f"{draft}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf["Content-Disposition"]
    refused = admin.get(f"{draft}/ubl")
    assert refused.status_code == 409 and "Only a sent invoice" in refused.json()["detail"]
    assert admin.get(f"{draft}/facturx").status_code == 409
    invoice = sent_invoice(writer, tenant)
    url = f"/api/v1/invoices/{invoice['id']}"
    ubl = admin.get(f"{url}/ubl")
    assert ubl.status_code == 200 and ubl["Content-Type"] == "application/xml"
    assert invoice["number"].encode() in ubl.content and b"<Invoice" in ubl.content
    facturx = admin.get(f"{url}/facturx")
    assert facturx.status_code == 200 and facturx.content.startswith(b"%PDF")
    filename, xml = get_facturx_xml_from_pdf(io.BytesIO(facturx.content), check_xsd=True)
    assert filename == "factur-x.xml" and invoice["number"].encode() in xml
    assert f"invoice-{invoice['number']}.pdf" in admin.get(f"{url}/pdf")["Content-Disposition"]
    for what in ("pdf", "ubl", "facturx"):
        assert (
            admin.get(f"/api/v1/invoices/{other_tenant.invoice.public_id}/{what}").status_code
            == 404
        )


def test_payments_recorded_by_hand_count_towards_the_balance_once_per_key(tenant):
    ready_to_send(tenant)
    admin = api(key_for(tenant))
    invoice = sent_invoice(admin, tenant)
    total = invoice["amount"]
    url = f"/api/v1/invoices/{invoice['id']}/recorded_payments"
    body = {"amount": 100_000, "method": "bank_transfer", "reference": "BACS 123"}
    missing = admin.post(url, body, content_type=JSON)
    assert missing.status_code == 400 and "Idempotency-Key" in missing.json()["detail"]
    first = admin.post(url, body, content_type=JSON, headers={"Idempotency-Key": "pay-1"})
    assert first.status_code == 201, first.json()
    again = admin.post(url, body, content_type=JSON, headers={"Idempotency-Key": "pay-1"})
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert RecordedPayment.objects.count() == 1
    recorded = first.json()
    assert recorded["amount"] == 100_000 and recorded["currency"] == "GBP"
    assert recorded["received_on"] == tenant.workspace.today().isoformat()
    assert recorded["method"] == "bank_transfer" and recorded["deleted_at"] is None
    shown = admin.get(f"/api/v1/invoices/{invoice['id']}").json()
    assert shown["status"] == InvoiceStatus.PARTIALLY_PAID
    assert shown["amount_paid"] == 100_000 and shown["balance_due"] == total - 100_000
    assert admin.get(url).json()["data"] == [recorded]
    assert admin.get(f"/api/v1/recorded_payments/{recorded['id']}").json() == recorded
    # Refused beside its field: overpaying, a future date, another currency.
    over = admin.post(
        url,
        {"amount": total, "method": "cheque"},
        content_type=JSON,
        headers={"Idempotency-Key": "pay-2"},
    )
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "amount"
    assert "cannot overpay" in over.json()["errors"][0]["message"]
    future = (tenant.workspace.today() + datetime.timedelta(days=3)).isoformat()
    late = admin.post(
        url,
        {"amount": 1, "method": "cheque", "received_on": future},
        content_type=JSON,
        headers={"Idempotency-Key": "pay-3"},
    )
    assert late.json()["errors"] == [
        {"field": "received_on", "message": "The date cannot be in the future."}
    ]
    euros = admin.post(
        url,
        {"amount": 1, "method": "cheque", "currency": "EUR"},
        content_type=JSON,
        headers={"Idempotency-Key": "pay-4"},
    )
    assert euros.status_code == 422 and "GBP" in euros.json()["errors"][0]["message"]
    # The rest pays it off; members may not record payments; a draft takes none.
    rest = admin.post(
        url,
        {"amount": total - 100_000, "method": "cheque"},
        content_type=JSON,
        headers={"Idempotency-Key": "pay-5"},
    )
    assert rest.status_code == 201
    assert admin.get(f"/api/v1/invoices/{invoice['id']}").json()["status"] == InvoiceStatus.PAID
    member = api(key_for(tenant, ApiRole.MEMBER))
    assert (
        member.post(url, body, content_type=JSON, headers={"Idempotency-Key": "m"}).status_code
        == 403
    )
    draft = admin.post(
        f"/api/v1/invoices/{tenant.invoice.public_id}/recorded_payments",
        body,
        content_type=JSON,
        headers={"Idempotency-Key": "pay-6"},
    )
    assert draft.status_code == 422 and "takes no payment" in draft.json()["errors"][0]["message"]


def test_the_summary_gives_the_dashboards_figures_in_minor_units(tenant):
    ready_to_send(tenant)
    admin = api(key_for(tenant, ApiRole.READ_ONLY))
    writer = api(key_for(tenant))
    invoice = sent_invoice(writer, tenant)
    writer.post(
        f"/api/v1/invoices/{invoice['id']}/recorded_payments",
        {"amount": 30_000, "method": "cheque"},
        content_type=JSON,
        headers={"Idempotency-Key": "s-1"},
    )
    summary = admin.get("/api/v1/summary")
    assert summary.status_code == 200, summary.json()
    body = summary.json()
    assert (
        body["period"]["key"] == "this_month"
        and body["as_of"] == tenant.workspace.today().isoformat()
    )
    assert body["clients"] == 1 and body["engagements"] == 1
    [gbp] = body["currencies"]
    assert gbp["currency"] == "GBP"
    assert gbp["outstanding"] == {"amount": invoice["amount"] - 30_000, "count": 1}
    assert gbp["recorded_payments"] == {"amount": 30_000, "count": 1}
    assert gbp["ageing"]["current"]["amount"] == invoice["amount"] - 30_000
    assert body["status_counts"]["draft"] == 1 and body["status_counts"]["partially_paid"] == 1
    custom = admin.get("/api/v1/summary?range=custom&from=2026-01-01&to=2026-01-31").json()
    assert custom["period"] == {
        "key": "custom",
        "label": "1 Jan 2026 to 31 Jan 2026",
        "start": "2026-01-01",
        "end": "2026-01-31",
    }
    assert custom["currencies"][0]["recorded_payments"]["amount"] in (0, 30_000)
    bad = admin.get("/api/v1/summary?range=custom&from=2026-02-01&to=2026-01-01")
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "query.to", "message": "The end date is before the start date."}
    ]
    assert admin.get("/api/v1/summary?range=decade").status_code == 422
    assert admin.get("/api/v1/summary?colour=red").json()["errors"][0]["field"] == "query.colour"
