"""Issue 15 (1, 2): the consultancy's company details and the client's billing details."""

from __future__ import annotations

import pytest
from django.urls import reverse

from secportal.clients.models import Client
from secportal.workspaces.models import AuditEvent

from ..conftest import signed_in

pytestmark = pytest.mark.django_db

COMPANY = {
    "legal_name": "Redline Security Ltd",
    "registered_address": "1 Fleet Street\nLondon EC4Y 1AA",
    "company_number": "12345678",
    "registered_in": "England and Wales",
    "vat_number": "gb 980 7806 84",
    "bank_details": "Sort code 12-34-56, account 12345678",
    "amounts_entered": "net",
}


def test_settings_show_company_details_with_their_labels(tenant, owner_client):
    body = owner_client.get(reverse("workspaces:settings")).content.decode()
    assert "Company details" in body
    for label in (
        "Legal name",
        "Registered address",
        "Company number",
        "VAT number",
        "Bank details",
        "Amounts are entered",
    ):
        assert f">{label}</label>" in body


def test_owner_and_admin_save_company_details_normalised_and_recorded(tenant):
    for user in (tenant.owner, tenant.admin):
        response = signed_in(user).post(reverse("workspaces:company_update"), COMPANY)
        assert response.status_code == 302
    workspace = tenant.workspace
    workspace.refresh_from_db()
    assert workspace.vat_number == "GB980780684"
    assert workspace.vat_registered
    assert workspace.company_name == "Redline Security Ltd"
    assert AuditEvent.objects.filter(kind="workspace.company_changed").count() == 1


def test_member_cannot_change_company_details(tenant, member_client):
    response = member_client.post(reverse("workspaces:company_update"), COMPANY)
    assert response.status_code == 403
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.legal_name == ""


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("GB123456789", "not a valid GB VAT number"),
        ("123456789", "Start the VAT number with its country code"),
        ("US12345", "US is not a UK or EU VAT country code"),
    ],
)
def test_bad_vat_number_is_refused_beside_its_field_and_nothing_saved(
    tenant, owner_client, number, message
):
    response = owner_client.post(
        reverse("workspaces:company_update"), COMPANY | {"vat_number": number}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_vat_number_error"' in body and message in body
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.legal_name == ""


CLIENT = {
    "name": "Acme GmbH",
    "billing_email": "ap@acme.example",
    "address": "Hauptstraße 1\n10115 Berlin",
    "legal_name": "Acme Deutschland GmbH",
    "country": "DE",
    "vat_number": "DE 136695976",
    "po_required": "on",
    "default_po": "PO-7",
}


def test_client_form_has_billing_labels(tenant, admin_client_):
    body = admin_client_.get(reverse("clients:create")).content.decode()
    for label in ("Billing address", "Country", "VAT number", "PO required"):
        assert f">{label}</label>" in body


def test_client_billing_details_are_saved(tenant, admin_client_):
    assert admin_client_.post(reverse("clients:create"), CLIENT).status_code == 302
    client = Client.objects.get(name="Acme GmbH")
    assert (client.country, client.vat_number, client.po_required, client.default_po) == (
        "DE",
        "DE136695976",
        True,
        "PO-7",
    )
    assert client.billing_name == "Acme Deutschland GmbH"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"vat_number": "DE123"}, "vat_number", "not a valid DE VAT number"),
        ({"country": "FR"}, "vat_number", "not from FR"),
        ({"country": "XX"}, "country", "Select a valid choice"),
    ],
)
def test_bad_client_billing_details_are_refused(tenant, admin_client_, changes, field, message):
    response = admin_client_.post(reverse("clients:create"), CLIENT | changes)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body and message in body
    assert not Client.objects.filter(name="Acme GmbH").exists()


def png(size=(40, 20)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def upload(name, data, content_type):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_logo_is_stored_re_encoded_and_printed(tenant, owner_client):
    data = COMPANY | {"logo": upload("logo.png", png(), "image/png")}
    assert owner_client.post(reverse("workspaces:company_update"), data).status_code == 302
    tenant.workspace.refresh_from_db()
    logo = bytes(tenant.workspace.logo_png)
    assert logo.startswith(b"\x89PNG")
    from secportal.invoicing.documents import credit_note_pdf_bytes  # noqa: F401
    from secportal.invoicing.pdf import render_invoice_pdf
    from tests.invoicing.test_pdf import make_invoice

    assert b"/Subtype /Image" in render_invoice_pdf(make_invoice(logo_png=logo))
    data = COMPANY | {"remove_logo": "on"}
    assert owner_client.post(reverse("workspaces:company_update"), data).status_code == 302
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.logo_png is None


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        ("logo.svg", SVG, "image/svg+xml", "not an image we can use"),
        ("logo.png", b"not an image", "image/png", "not an image we can use"),
        ("logo.png", png((2500, 10)), "image/png", "at most 2000 pixels"),
        ("logo.png", b"\x89PNG" + b"0" * 600_000, "image/png", "too big"),
    ],
)
def test_a_bad_logo_is_refused_beside_its_field(
    tenant, owner_client, name, data, content_type, message
):
    response = owner_client.post(
        reverse("workspaces:company_update"),
        COMPANY | {"logo": upload(name, data, content_type)},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_logo_error"' in body and message in body
    tenant.workspace.refresh_from_db()
    assert tenant.workspace.logo_png is None and tenant.workspace.legal_name == ""
