"""Issue 13, item 16: drafts were all titled "Draft"; now "Draft" plus a stable reference, with
the client and amount beside it, in lists, on the page, in the CSV and in the PDF."""

from __future__ import annotations

import pytest
from django.urls import reverse

from secportal.invoicing.models import Invoice, draft_reference

pytestmark = pytest.mark.django_db


def test_draft_reference_is_stable_and_distinct(tenant) -> None:
    other = Invoice.objects.create(
        workspace=tenant.workspace,
        client=tenant.client,
        amount=5000,
        currency="GBP",
        description="Second draft",
        created_by=tenant.owner,
    )
    first = tenant.invoice.label
    assert first == f"Draft {draft_reference(tenant.invoice.public_id)}"
    assert first.startswith("Draft D-") and len(first) == len("Draft D-123456")
    assert Invoice.objects.get(pk=tenant.invoice.pk).label == first  # stable
    assert other.label != first


def test_lists_page_csv_and_pdf_name_the_draft(tenant, owner_client) -> None:
    label = tenant.invoice.label
    listing = owner_client.get(reverse("invoicing:list")).content.decode()
    assert f">{label}</a>" in listing
    page = owner_client.get(reverse("invoicing:detail", args=[tenant.invoice.public_id]))
    assert f"{label} · {tenant.client.name} · £1,250.50" in page.content.decode()
    engagement = owner_client.get(
        reverse("engagements:detail", args=[tenant.engagement.public_id])
    ).content.decode()
    assert label in engagement
    csv = b"".join(owner_client.get(reverse("invoicing:export")).streaming_content).decode()
    assert label in csv
    pdf = owner_client.get(reverse("invoicing:pdf", args=[tenant.invoice.public_id]))
    ref = draft_reference(tenant.invoice.public_id)
    assert f"invoice-draft-{ref}.pdf" in pdf["Content-Disposition"]
