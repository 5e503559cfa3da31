"""OpenAPI links between the API's operations: what an answer's ids open next (a created
client's contacts, a created draft's update, send, documents and payments...). They document
the workflow, and schemathesis' stateful phase follows them with real ids."""

from __future__ import annotations

from typing import Any

PREFIX = "/api/v1"
ID = "$response.body#/id"
INVOICE = {"invoice_id": ID}

# (from path, method, status) -> [(link name, to path, method, parameters, request body)]
LINKS: dict[tuple[str, str, str], list[tuple[str, str, str, dict[str, str], Any]]] = {
    ("/clients", "post", "201"): [
        ("GetClient", "/clients/{client_id}", "get", {"client_id": ID}, None),
        ("ListContacts", "/clients/{client_id}/contacts", "get", {"client_id": ID}, None),
        ("AddContact", "/clients/{client_id}/contacts", "post", {"client_id": ID}, None),
        ("AddEngagement", "/engagements", "post", {}, {"client": ID}),
        ("CreateDraft", "/invoices", "post", {}, {"client": ID}),
    ],
    ("/clients/{client_id}/contacts", "post", "201"): [
        (
            "GetContact",
            "/clients/{client_id}/contacts/{contact_id}",
            "get",
            {"client_id": "$response.body#/client", "contact_id": ID},
            None,
        ),
    ],
    ("/engagements", "post", "201"): [
        ("GetEngagement", "/engagements/{engagement_id}", "get", {"engagement_id": ID}, None),
    ],
    ("/invoices", "post", "201"): [
        ("GetInvoice", "/invoices/{invoice_id}", "get", INVOICE, None),
        ("UpdateDraft", "/invoices/{invoice_id}", "patch", INVOICE, None),
        ("SendInvoice", "/invoices/{invoice_id}/send", "post", INVOICE, None),
        ("VoidInvoice", "/invoices/{invoice_id}/void", "post", INVOICE, None),
        ("InvoicePdf", "/invoices/{invoice_id}/pdf", "get", INVOICE, None),
    ],
    ("/invoices/{invoice_id}/send", "post", "200"): [
        ("InvoiceUbl", "/invoices/{invoice_id}/ubl", "get", INVOICE, None),
        ("InvoiceFacturx", "/invoices/{invoice_id}/facturx", "get", INVOICE, None),
        ("RecordPayment", "/invoices/{invoice_id}/recorded_payments", "post", INVOICE, None),
        ("RecordedPayments", "/invoices/{invoice_id}/recorded_payments", "get", INVOICE, None),
        ("IssueCreditNote", "/invoices/{invoice_id}/credit_notes", "post", INVOICE, None),
        ("UpdateSent", "/invoices/{invoice_id}", "patch", INVOICE, None),
    ],
    ("/invoices/{invoice_id}/recorded_payments", "post", "201"): [
        (
            "GetRecordedPayment",
            "/recorded_payments/{recorded_payment_id}",
            "get",
            {"recorded_payment_id": ID},
            None,
        ),
        (
            "GetPaidInvoice",
            "/invoices/{invoice_id}",
            "get",
            {"invoice_id": "$response.body#/invoice"},
            None,
        ),
    ],
    ("/invoices/{invoice_id}/credit_notes", "post", "201"): [
        ("GetCreditNote", "/credit_notes/{credit_note_id}", "get", {"credit_note_id": ID}, None),
    ],
}


def add_links(schema: Any) -> Any:
    """Each answer above names the operations its ids lead to (by operationId)."""
    paths = schema.get("paths", {})
    prefix = next((p[: -len("/clients")] for p in paths if p.endswith("/clients")), PREFIX)
    for (source, method, status), links in LINKS.items():
        responses = paths[prefix + source][method]["responses"]
        response = responses.get(int(status)) or responses[status]  # django-ninja's keys: ints
        found = response.setdefault("links", {})
        for name, target, target_method, parameters, body in links:
            link: dict[str, Any] = {
                "operationId": paths[prefix + target][target_method]["operationId"],
            }
            if parameters:
                link["parameters"] = parameters
            if body is not None:
                link["requestBody"] = body
            found[name] = link
    return schema
