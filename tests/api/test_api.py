"""The REST API: keys made in Settings (shown once), the key's workspace and role enforced as a
person's, every route isolated per workspace, problem details, idempotent POSTs."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from secportal.api import keys
from secportal.api.models import ApiKey, ApiRole
from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.payments.models import ConnectedAccount

from ..conftest import signed_in

pytestmark = pytest.mark.django_db


def key_for(tenant, role: str = ApiRole.ADMIN) -> str:
    return keys.create_key(tenant.workspace, tenant.owner, name="tooling", role=role).token


def api(token: str | None = None) -> HttpClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return HttpClient(headers=headers)


def test_an_owner_creates_a_key_in_settings_shown_once(tenant):
    owner = signed_in(tenant.owner)
    settings_page = owner.get(reverse("workspaces:settings")).content.decode()
    assert "API keys" in settings_page and "Create API key" in settings_page
    form = owner.get(reverse("api_keys:create")).content.decode()
    assert "Name" in form and "Role" in form
    page = owner.post(reverse("api_keys:create"), {"name": "CI", "role": "member"})
    token = re.search(r"(spk_[0-9a-f]{8}_[\w-]+)", page.content.decode()).group(1)
    stored = ApiKey.objects.get()
    assert token.split("_")[2] not in stored.secret_hash  # kept hashed
    assert api(token).get("/api/v1/clients").status_code == 200
    # Members cannot create keys; the key never shows again.
    assert signed_in(tenant.member).get(reverse("api_keys:create")).status_code == 403
    assert token not in owner.get(reverse("workspaces:settings")).content.decode()
    owner.post(reverse("api_keys:revoke", args=[stored.pk]))
    refused = api(token).get("/api/v1/clients")
    assert refused.status_code == 401 and refused["Content-Type"] == "application/problem+json"


def test_no_key_a_wrong_key_and_an_expired_key_are_401(tenant):
    assert api().get("/api/v1/clients").status_code == 401
    assert api("spk_deadbeef_nope").get("/api/v1/clients").status_code == 401
    made = keys.create_key(tenant.workspace, tenant.owner, name="old", role="admin")
    ApiKey.objects.filter(pk=made.api_key.pk).update(expires_at="2020-01-01T00:00:00Z")
    assert api(made.token).get("/api/v1/clients").status_code == 401


def test_every_api_route_sees_only_its_key_workspace(tenant, other_tenant):
    token = key_for(tenant)
    mine = api(token)
    theirs = {
        "/api/v1/clients/{}": other_tenant.client.public_id,
        "/api/v1/engagements/{}": other_tenant.engagement.public_id,
        "/api/v1/invoices/{}": other_tenant.invoice.public_id,
    }
    for template, public_id in theirs.items():
        response = mine.get(template.format(public_id))
        assert response.status_code == 404, template
        assert response.json()["title"] == "Not found"
    for url in ("/api/v1/invoices/{}/send", "/api/v1/invoices/{}/void"):
        assert mine.post(url.format(other_tenant.invoice.public_id)).status_code == 404
    for listing in ("clients", "engagements", "invoices"):
        body = mine.get(f"/api/v1/{listing}").json()
        ids = {row["id"] for row in body["data"]}
        assert str(getattr(other_tenant, listing[:-1]).public_id) not in ids
        assert str(getattr(tenant, listing[:-1]).public_id) in ids
    # Naming another workspace's client when creating is refused as unknown.
    refused = mine.post(
        "/api/v1/invoices",
        {
            "client": str(other_tenant.client.public_id),
            "amount": 1000,
            "currency": "GBP",
            "description": "x",
        },
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "client", "message": "No such client in this workspace."}
    ]


def test_roles_are_enforced_like_a_persons(tenant):
    body = {"client": str(tenant.client.public_id), "amount": 1000, "currency": "GBP"}
    body["description"] = "Retest"
    read_only = api(key_for(tenant, ApiRole.READ_ONLY))
    refused = read_only.post("/api/v1/invoices", body, content_type="application/json")
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    member = api(key_for(tenant, ApiRole.MEMBER))
    created = member.post("/api/v1/invoices", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    send = member.post(f"/api/v1/invoices/{created.json()['id']}/send")
    assert send.status_code == 403 and "Admin" in send.json()["detail"]


def test_a_draft_is_created_and_sent_and_bad_input_gets_field_messages(tenant):
    ConnectedAccount.objects.create(
        workspace=tenant.workspace,
        stripe_account_id="acct_api",
        details_submitted=True,
        charges_enabled=True,
    )
    admin = api(key_for(tenant))
    bad = admin.post(
        "/api/v1/invoices",
        {"client": str(tenant.client.public_id), "amount": -5, "currency": "XYZ", "extra": 1},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"amount", "currency", "description", "extra"} <= fields
    assert Invoice.objects.count() == 1  # the fixture's only: nothing half-saved
    body = {
        "client": str(tenant.client.public_id),
        "engagement": str(tenant.engagement.public_id),
        "amount": 125_050,
        "currency": "GBP",
        "description": "External penetration test",
    }
    created = admin.post("/api/v1/invoices", body, content_type="application/json").json()
    assert created["amount"] == 125_050 and created["number"] is None
    sent = admin.post(f"/api/v1/invoices/{created['id']}/send")
    assert sent.status_code == 200
    assert sent.json()["status"] == InvoiceStatus.SENT and sent.json()["number"]
    again = admin.post(f"/api/v1/invoices/{created['id']}/void")
    assert again.json()["status"] == InvoiceStatus.VOID
    conflict = admin.post(f"/api/v1/invoices/{created['id']}/send")
    assert conflict.status_code == 200  # sending a sent (here void) invoice is a no-op


def test_idempotency_key_replays_the_answer_and_refuses_another_body(tenant):
    admin = api(key_for(tenant))
    body = {"name": "Initech", "billing_email": "ap@initech.example"}
    headers = {"Idempotency-Key": "create-initech"}
    first = admin.post("/api/v1/clients", body, content_type="application/json", headers=headers)
    second = admin.post("/api/v1/clients", body, content_type="application/json", headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert tenant.workspace.audit_events.filter(kind="client.created").count() == 1
    other = admin.post(
        "/api/v1/clients",
        {"name": "Other"},
        content_type="application/json",
        headers=headers,
    )
    assert other.status_code == 422 and "same parameters" in other.json()["detail"]


def test_pagination_is_keyset_and_the_openapi_document_is_served(tenant):
    admin = api(key_for(tenant))
    for n in range(3):
        admin.post(
            "/api/v1/clients",
            {"name": f"Client {n}"},
            content_type="application/json",
        )
    first = admin.get("/api/v1/clients?limit=2").json()
    assert len(first["data"]) == 2 and first["has_more"]
    rest = admin.get(f"/api/v1/clients?limit=2&starting_after={first['next_starting_after']}")
    assert len(rest.json()["data"]) == 2 and not rest.json()["has_more"]
    schema = HttpClient().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1") and "/api/v1/invoices" in schema["paths"]


def test_a_list_reads_its_page_ids_from_the_invoice_table_alone(tenant):
    """The page's ids come from the invoice table alone (the workspace's index of its ids
    answers them at platform scale); the client's and engagement's public ids are joined to
    the page's rows only, and paging by ``starting_after`` still walks every invoice once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        Invoice.objects.create(
            workspace=tenant.workspace,
            client=tenant.client,
            engagement=tenant.engagement,
            amount=1000 + n,
            currency="GBP",
            created_by=tenant.owner,
        )
    admin = api(key_for(tenant))
    with CaptureQueriesContext(connection) as captured:
        first = admin.get("/api/v1/invoices?limit=2").json()
    statement = next(q["sql"] for q in captured if 'FROM "invoicing_invoice"' in q["sql"])
    ids = statement[statement.index("IN (SELECT") : statement.index("LIMIT")]
    assert "JOIN" not in ids and "clients_client" not in ids
    assert first["data"][0]["client"] == str(tenant.client.public_id)
    seen = [row["id"] for row in first["data"]]
    while first["has_more"]:
        first = admin.get(
            f"/api/v1/invoices?limit=2&starting_after={first['next_starting_after']}"
        ).json()
        seen += [row["id"] for row in first["data"]]
    expected = Invoice.unscoped.filter(workspace=tenant.workspace).order_by("-pk")
    assert seen == [str(public_id) for public_id in expected.values_list("public_id", flat=True)]


def test_the_interactive_docs_use_local_assets_not_a_cdn():
    page = HttpClient().get("/api/v1/docs").content.decode()
    assert "/static/ninja/" in page and "cdn" not in page.lower()


def test_each_key_is_rate_limited_in_the_database_with_retry_after(tenant, settings):
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_WINDOW = 3600
    token = key_for(tenant)
    other = key_for(tenant, ApiRole.READ_ONLY)
    answers = [api(token).get("/api/v1/clients") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "try again in" in refused.json()["detail"]
    # Counted per key: another key of the workspace is not limited by the first one's requests.
    assert api(other).get("/api/v1/clients").status_code == 200
    # One row per key per window, counted in the database (shared by every process).
    from secportal.api.models import RateWindow

    assert sorted(RateWindow.unscoped.values_list("count", flat=True)) == [1, 4]


def test_the_rate_window_counter_restarts_in_the_next_window(tenant, settings):
    from secportal.api import ratelimit

    settings.API_RATE_LIMIT = 1
    settings.API_RATE_WINDOW = 60
    api_key = keys.create_key(tenant.workspace, tenant.owner, name="t", role="admin").api_key
    ratelimit.check(api_key, now=1_000_020.0)
    with pytest.raises(ratelimit.RateLimited) as over:
        ratelimit.check(api_key, now=1_000_030.0)
    assert over.value.retry_after == 60 - 1_000_030 % 60
    ratelimit.check(api_key, now=1_000_020.0 + 60)  # the next window starts again at one


def test_an_invoice_is_created_with_lines_and_vat_and_shows_them(tenant):
    workspace = tenant.workspace
    workspace.vat_number = "GB123456789"
    workspace.save()
    admin = api(key_for(tenant))
    body = {
        "client": str(tenant.client.public_id),
        "currency": "GBP",
        "description": "Web application test",
        "lines": [
            {"description": "Testing", "quantity": "4.5", "unit_price": 100_000},
            {"description": "Report", "unit_price": 50_000, "vat_rate": "zero"},
        ],
    }
    created = admin.post("/api/v1/invoices", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    invoice = admin.get(f"/api/v1/invoices/{created.json()['id']}").json()
    assert [(x["quantity"], x["net"], x["vat"]) for x in invoice["lines"]] == [
        ("4.5", 450_000, 90_000),
        ("1", 50_000, 0),
    ]
    assert (invoice["net_amount"], invoice["vat_amount"], invoice["amount"]) == (
        500_000,
        90_000,
        590_000,
    )
    assert invoice["balance_due"] == 590_000 and invoice["amount_paid"] == 0
    listed = admin.get("/api/v1/invoices?limit=5").json()["data"]
    assert any(row["lines"] == invoice["lines"] for row in listed)
    # Neither lines nor an amount, a line with no price, an unknown rate: refused beside the field.
    bad = dict(body, lines=None)
    refused = admin.post("/api/v1/invoices", bad, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "amount", "message": "Enter an amount, or add a line."}
    ]
    bad = dict(body, lines=[{"description": "x", "vat_rate": "luxury"}])
    fields = {
        e["field"]
        for e in admin.post("/api/v1/invoices", bad, content_type="application/json").json()[
            "errors"
        ]
    }
    assert {"lines.0.unit_price", "lines.0.vat_rate"} <= fields


def test_unknown_query_parameters_are_refused_not_ignored(tenant):
    refused = api(key_for(tenant)).get("/api/v1/invoices?limit=5&colour=red")
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "query.colour", "message": "Unknown query parameter."}
    ]


def test_credit_notes_payments_and_refund_requests(tenant, other_tenant):
    from django.utils import timezone

    from secportal.invoicing import services as invoicing
    from secportal.payments.models import Payment

    for each in (tenant, other_tenant):
        ConnectedAccount.objects.create(
            workspace=each.workspace,
            stripe_account_id=f"acct_l{each.workspace.pk}",
            details_submitted=True,
            charges_enabled=True,
        )
        invoicing.send_invoice(each.invoice.pk, each.owner)
    admin = api(key_for(tenant))
    url = f"/api/v1/invoices/{tenant.invoice.public_id}/credit_notes"
    headers = {"Idempotency-Key": "cn-1"}
    body = {"reason": "Goodwill", "amount": 5_000}
    note = admin.post(url, body, content_type="application/json", headers=headers)
    again = admin.post(url, body, content_type="application/json", headers=headers)
    assert note.status_code == 201 and again.json() == note.json()
    assert note.json()["amount"] == 5_000 and note.json()["number"].startswith("CN-")
    listed = admin.get("/api/v1/credit_notes").json()["data"]
    assert [n["id"] for n in listed] == [note.json()["id"]]
    assert admin.get(f"/api/v1/credit_notes/{note.json()['id']}").json() == note.json()
    assert admin.get(f"/api/v1/invoices/{tenant.invoice.public_id}").json()["balance_due"] == (
        125_050 - 5_000
    )
    too_much = admin.post(url, {"reason": "x", "amount": 10**9}, content_type="application/json")
    assert too_much.status_code in (409, 422)
    theirs = other_tenant.invoice.public_id
    assert (
        admin.post(
            f"/api/v1/invoices/{theirs}/credit_notes", body, content_type="application/json"
        ).status_code
        == 404
    )
    member = api(key_for(tenant, ApiRole.MEMBER))
    assert member.post(url, body, content_type="application/json").status_code == 403

    Payment.objects.create(
        workspace=other_tenant.workspace,
        invoice=other_tenant.invoice,
        stripe_account_id="acct_x",
        checkout_session_id="cs_test_theirs",
        amount=100,
        currency="GBP",
        application_fee=4,
        net=96,
        paid_at=timezone.now(),
    )
    assert admin.get("/api/v1/payments").json()["data"] == []
    assert admin.get("/api/v1/payments/cs_test_theirs").status_code == 404
    refused = admin.post(
        f"/api/v1/invoices/{tenant.invoice.public_id}/refunds", {}, content_type="application/json"
    )
    assert refused.status_code == 409 and "Only a paid invoice" in refused.json()["detail"]
