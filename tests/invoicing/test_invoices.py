"""Creating, editing, sending, voiding and listing invoices through the consultant pages."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from secportal.invoicing import services
from secportal.invoicing.models import Invoice, InvoiceEvent, InvoiceStatus
from secportal.notifications.models import EmailMessage
from secportal.workspaces.models import AuditEvent, Mode

from ..conftest import make_tenant, signed_in
from .conftest import connect_stripe

pytestmark = pytest.mark.django_db

LABELS = ["Amount", "Currency", "Description", "Client", "Engagement", "Due date"]


def form_data(tenant, **overrides):
    data = {
        "amount": "1,250.50",
        "currency": "GBP",
        "description": "External penetration test",
        "client": tenant.client.pk,
        "engagement": tenant.engagement.pk,
        "due_date": "",
    }
    return data | overrides


def test_new_invoice_form_has_the_seeds_labels_and_workspace_currency(tenant, member_client):
    tenant.workspace.default_currency = "EUR"
    tenant.workspace.save()
    body = member_client.get(reverse("invoicing:create")).content.decode()
    for label in LABELS:
        assert f">{label}</label>" in body
    assert '<option value="EUR" selected>' in body


def test_create_from_the_invoices_page_starts_in_draft(tenant, member_client):
    response = member_client.post(reverse("invoicing:create"), form_data(tenant))
    invoice = Invoice.objects.exclude(pk=tenant.invoice.pk).get()
    assert response.status_code == 302
    assert (invoice.status, invoice.amount, invoice.currency, invoice.number) == (
        InvoiceStatus.DRAFT,
        125050,
        "GBP",
        None,
    )
    page = member_client.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()
    assert "Draft" in page and "£1,250.50" in page
    assert InvoiceEvent.objects.filter(invoice=invoice, kind="created").count() == 1


def test_create_from_an_engagement_presets_engagement_and_client(tenant, member_client):
    page = member_client.get(reverse("engagements:detail", args=[tenant.engagement.public_id]))
    body = page.content.decode()
    new_url = reverse("invoicing:create") + f"?engagement={tenant.engagement.public_id}"
    assert new_url in body
    form = member_client.get(new_url).content.decode()
    assert f'<option value="{tenant.engagement.pk}" selected>' in form
    assert f'<option value="{tenant.client.pk}" selected>' in form


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("-5", "GBP", "more than zero"),
        ("0", "GBP", "more than zero"),
        ("12.345", "GBP", "at most 2 decimal places"),
        ("twelve", "GBP", "Enter the amount as a number"),
        ("0.20", "GBP", "minimum amount in GBP"),
        ("0.40", "USD", "minimum amount in USD"),
        ("1000000", "EUR", "maximum amount"),
    ],
)
def test_bad_amounts_are_refused_beside_the_field(tenant, member_client, amount, currency, message):
    response = member_client.post(
        reverse("invoicing:create"), form_data(tenant, amount=amount, currency=currency)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_amount_error"' in body
    assert message in body
    assert f'value="{amount}"' in body  # what the person typed is kept
    assert Invoice.objects.count() == 1  # only the fixture's


def test_engagement_of_another_client_is_refused(tenant, member_client):
    from secportal.clients.models import Client
    from secportal.engagements.models import Engagement

    other_client = Client.objects.create(workspace=tenant.workspace, name="Other client")
    other_engagement = Engagement.objects.create(
        workspace=tenant.workspace, client=other_client, name="Their engagement"
    )
    response = member_client.post(
        reverse("invoicing:create"), form_data(tenant, engagement=other_engagement.pk)
    )
    assert response.status_code == 400
    assert (
        "Select a valid choice" in response.content.decode()
        or "not for" in response.content.decode()
    )
    # The service refuses it too, whatever the form did.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_invoice(
            tenant.workspace,
            tenant.member,
            {
                "client": tenant.client,
                "engagement": other_engagement,
                "amount": 5000,
                "currency": "GBP",
                "description": "x",
                "due_date": None,
            },
        )


def test_client_of_another_workspace_is_refused(tenant, other_tenant, member_client):
    response = member_client.post(
        reverse("invoicing:create"),
        form_data(tenant, client=other_tenant.client.pk, engagement=""),
    )
    assert response.status_code == 400
    assert not Invoice.objects.filter(
        client=other_tenant.client, workspace=tenant.workspace
    ).exists()


def test_draft_edit_and_delete(tenant, member_client):
    tenant.invoice.created_by = tenant.member  # members change only their own drafts
    tenant.invoice.save(update_fields=["created_by"])
    url = reverse("invoicing:edit", args=[tenant.invoice.public_id])
    assert 'value="1250.50"' in member_client.get(url).content.decode()
    member_client.post(url, form_data(tenant, amount="99.99", description="Changed"))
    tenant.invoice.refresh_from_db()
    assert (tenant.invoice.amount, tenant.invoice.description) == (9999, "Changed")
    assert InvoiceEvent.objects.filter(invoice=tenant.invoice, kind="edited").count() == 1
    member_client.post(reverse("invoicing:delete", args=[tenant.invoice.public_id]))
    assert not Invoice.objects.filter(pk=tenant.invoice.pk).exists()
    deleted = AuditEvent.objects.get(kind="invoice.draft_deleted")
    assert deleted.actor == tenant.member and deleted.details["amount"] == 9999


def test_a_member_may_not_edit_or_delete_another_persons_draft(tenant, member_client):
    theirs = tenant.invoice  # created by the owner
    edit = reverse("invoicing:edit", args=[theirs.public_id])
    assert member_client.get(edit).status_code == 403
    assert member_client.post(edit, form_data(tenant, amount="1")).status_code == 403
    delete = member_client.post(reverse("invoicing:delete", args=[theirs.public_id]))
    assert delete.status_code == 403
    theirs.refresh_from_db()
    assert theirs.amount == 125050
    assert not AuditEvent.objects.filter(kind="invoice.draft_deleted").exists()
    page = member_client.get(reverse("invoicing:detail", args=[theirs.public_id])).content
    assert b"Delete draft" not in page
    # An admin may delete anyone's draft; the deletion is recorded.
    admin = signed_in(tenant.admin)
    assert admin.post(reverse("invoicing:delete", args=[theirs.public_id])).status_code == 302
    assert AuditEvent.objects.get(kind="invoice.draft_deleted").actor == tenant.admin


def test_sent_invoice_cannot_be_edited_or_deleted(ready, admin_client_):
    services.send_invoice(ready.invoice.pk, ready.admin)
    edit = admin_client_.post(
        reverse("invoicing:edit", args=[ready.invoice.public_id]), form_data(ready, amount="1")
    )
    assert edit.status_code == 302
    admin_client_.post(reverse("invoicing:delete", args=[ready.invoice.public_id]))
    ready.invoice.refresh_from_db()
    assert ready.invoice.amount == 125050
    with pytest.raises(services.InvoiceError):
        services.update_draft(ready.invoice.pk, ready.admin, {"amount": 1})
    with pytest.raises(services.InvoiceError):
        services.delete_draft(ready.invoice.pk, ready.admin)


def test_sending_needs_a_ready_stripe_account(tenant, admin_client_):
    url = reverse("invoicing:send", args=[tenant.invoice.public_id])
    review = admin_client_.get(url).content.decode()
    assert "Connect your Stripe account in Settings" in review
    response = admin_client_.post(url)
    assert response.status_code == 400
    tenant.invoice.refresh_from_db()
    assert tenant.invoice.status == InvoiceStatus.DRAFT and tenant.invoice.number is None
    connect_stripe(tenant, ready=False)  # onboarding not finished: still refused
    assert admin_client_.post(url).status_code == 400
    from secportal.payments.models import ConnectedAccount

    ConnectedAccount.objects.filter(workspace=tenant.workspace).update(
        details_submitted=True, charges_enabled=True
    )
    assert admin_client_.post(url).status_code == 302
    tenant.invoice.refresh_from_db()
    assert tenant.invoice.status == InvoiceStatus.SENT


def test_send_review_then_numbers_dates_status_email_and_event(ready, admin_client_):
    ready.workspace.payment_terms_days = 14
    ready.workspace.save()
    url = reverse("invoicing:send", args=[ready.invoice.public_id])
    review = admin_client_.get(url).content.decode()
    assert (
        "£1,250.50" in review and ready.client.billing_email in review and "Send Invoice" in review
    )
    admin_client_.post(url)
    invoice = Invoice.objects.get(pk=ready.invoice.pk)
    today = ready.workspace.today()
    assert invoice.number == "INV-0001"
    assert invoice.issue_date == today
    assert invoice.due_date == today + datetime.timedelta(days=14)
    assert invoice.status == InvoiceStatus.SENT
    assert InvoiceEvent.objects.filter(invoice=invoice, kind="sent").count() == 1
    emails = EmailMessage.objects.filter(invoice=invoice, kind="invoice")
    assert [e.to for e in emails] == [ready.client.billing_email]
    page = admin_client_.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()
    assert "Email delivery" in page and "Sent" in page and "History" in page


def test_opted_in_contacts_also_get_the_invoice(ready):
    ready.contact.receives_invoices = True
    ready.contact.save()
    services.send_invoice(ready.invoice.pk, ready.admin)
    recipients = set(EmailMessage.objects.values_list("to", flat=True))
    assert recipients == {ready.client.billing_email, ready.contact.email}


def test_sending_twice_gives_one_number_and_one_email(ready, admin_client_):
    url = reverse("invoicing:send", args=[ready.invoice.public_id])
    admin_client_.post(url)
    second = admin_client_.post(url, follow=True)
    assert "already been sent" in second.content.decode()
    result = services.send_invoice(ready.invoice.pk, ready.admin)
    assert result.sent_now is False
    assert EmailMessage.objects.count() == 1
    ready.workspace.refresh_from_db()
    assert ready.workspace.next_invoice_number == 2


def test_numbers_are_gapless_per_workspace(ready, other_tenant):
    connect_stripe(other_tenant)
    from secportal.invoicing.models import Invoice as Inv

    more = [
        Inv.objects.create(
            workspace=ready.workspace,
            client=ready.client,
            amount=5000,
            currency="GBP",
            description=f"#{i}",
        )
        for i in range(3)
    ]
    services.send_invoice(more[1].pk, ready.admin)
    services.send_invoice(other_tenant.invoice.pk, other_tenant.admin)
    services.send_invoice(ready.invoice.pk, ready.admin)
    services.delete_draft(more[0].pk, ready.admin)  # deleting a draft leaves no gap
    services.send_invoice(more[2].pk, ready.admin)
    numbers = sorted(
        Inv.objects.filter(workspace=ready.workspace)
        .exclude(number=None)
        .values_list("number", flat=True)
    )
    assert numbers == ["INV-0001", "INV-0002", "INV-0003"]
    other_tenant.invoice.refresh_from_db()
    assert other_tenant.invoice.number == "INV-0001"


def test_send_needs_a_billing_email_and_a_future_due_date(ready, admin_client_):
    ready.client.billing_email = ""
    ready.client.save()
    with pytest.raises(services.InvoiceError, match="billing email"):
        services.send_invoice(ready.invoice.pk, ready.admin)
    ready.client.billing_email = "ap@client.example"
    ready.client.save()
    Invoice.objects.filter(pk=ready.invoice.pk).update(due_date=datetime.date(2020, 1, 1))
    with pytest.raises(services.InvoiceError, match="due date is in the past"):
        services.send_invoice(ready.invoice.pk, ready.admin)
    assert Invoice.objects.get(pk=ready.invoice.pk).number is None


def test_member_cannot_send_or_void(ready, member_client):
    assert (
        member_client.post(reverse("invoicing:send", args=[ready.invoice.public_id])).status_code
        == 403
    )
    services.send_invoice(ready.invoice.pk, ready.admin)
    assert (
        member_client.post(reverse("invoicing:void", args=[ready.invoice.public_id])).status_code
        == 403
    )
    ready.invoice.refresh_from_db()
    assert ready.invoice.status == InvoiceStatus.SENT


def test_void_sent_invoice(ready, admin_client_):
    with pytest.raises(services.InvoiceError):
        services.void_invoice(ready.invoice.pk, ready.admin)  # a draft is deleted, not voided
    services.send_invoice(ready.invoice.pk, ready.admin)
    admin_client_.post(
        reverse("invoicing:void", args=[ready.invoice.public_id]),
        {"reason": "Wrong amount", "confirm": "yes"},
    )
    ready.invoice.refresh_from_db()
    assert ready.invoice.status == InvoiceStatus.VOID and ready.invoice.voided_at
    services.void_invoice(ready.invoice.pk, ready.admin)  # idempotent
    assert InvoiceEvent.objects.filter(invoice=ready.invoice, kind="voided").count() == 1
    page = admin_client_.get(
        reverse("invoicing:detail", args=[ready.invoice.public_id])
    ).content.decode()
    assert "Wrong amount" in page and "Void" in page


def test_descriptions_with_html_are_shown_as_text(ready, admin_client_):
    Invoice.objects.filter(pk=ready.invoice.pk).update(description="<script>alert('x')</script>")
    page = admin_client_.get(
        reverse("invoicing:detail", args=[ready.invoice.public_id])
    ).content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page
    services.send_invoice(ready.invoice.pk, ready.admin)
    email = EmailMessage.objects.get()
    assert "<script>" not in email.body_html and "&lt;script&gt;" in email.body_html
    assert "<script>alert('x')</script>" in email.body_text  # plain text is literal


def test_list_filters_search_and_shown_status(ready, admin_client_):
    from secportal.clients.models import Client

    second = Client.objects.create(
        workspace=ready.workspace, name="Globex", billing_email="g@x.example"
    )
    usd = Invoice.objects.create(
        workspace=ready.workspace,
        client=second,
        amount=9900,
        currency="USD",
        description="Cloud review",
    )
    services.send_invoice(ready.invoice.pk, ready.admin)
    Invoice.objects.filter(pk=ready.invoice.pk).update(due_date=datetime.date(2020, 1, 1))
    url = reverse("invoicing:list")

    def numbers(**params):
        body = admin_client_.get(url, params).content.decode()
        return ("INV-0001" in body, "$99.00" in body)

    assert numbers() == (True, True)
    assert numbers(status="overdue") == (True, False)  # past due counts as Overdue before the task
    assert numbers(status="sent") == (False, False)
    assert numbers(status="draft") == (False, True)
    assert numbers(currency="USD") == (False, True)
    assert numbers(client=str(second.public_id)) == (False, True)
    assert numbers(engagement=str(ready.engagement.public_id)) == (True, False)
    assert numbers(q="cloud") == (False, True)
    assert numbers(q="INV-0001") == (True, False)
    body = admin_client_.get(url).content.decode()
    assert "Overdue" in body
    assert usd.pk


def test_list_paginates_without_counting_everything(
    ready, admin_client_, django_assert_max_num_queries
):
    Invoice.objects.bulk_create(
        Invoice(
            workspace=ready.workspace,
            client=ready.client,
            amount=1000 + i,
            currency="GBP",
            description=f"Batch {i}",
        )
        for i in range(60)
    )
    first = admin_client_.get(reverse("invoicing:list")).content.decode()
    assert "£10.59" in first and "£10.35" in first and "£10.34" not in first
    assert "Older" in first
    import re

    after = re.search(r"after=(\d+)", first).group(1)
    second = admin_client_.get(reverse("invoicing:list"), {"after": after}).content.decode()
    assert "£10.34" in second and "£10.59" not in second and "Newer" in second
    with django_assert_max_num_queries(12):
        admin_client_.get(reverse("invoicing:list"))


def test_csv_export_streams_the_filtered_rows(ready, admin_client_):
    Invoice.objects.create(
        workspace=ready.workspace,
        client=ready.client,
        amount=5000,
        currency="EUR",
        description='=HYPERLINK("x")',
    )
    response = admin_client_.get(reverse("invoicing:export"))
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["number", "status", "client"]
    assert len(rows) == 3
    assert rows[1][4] == "50.00" and rows[1][5] == "EUR"
    assert rows[1][6].startswith("'=")  # a formula is not run by a spreadsheet
    only_eur = admin_client_.get(reverse("invoicing:export"), {"currency": "EUR"})
    assert len(list(csv.reader(io.StringIO(b"".join(only_eur.streaming_content).decode())))) == 2


def test_internal_mode_hides_invoicing_and_keeps_data(ready, owner_client):
    from secportal.workspaces.services import update_workspace_settings

    nav = owner_client.get(reverse("analytics:dashboard")).content.decode()
    assert ">Invoices</a>" in nav
    update_workspace_settings(ready.workspace.pk, ready.owner, {"mode": Mode.INTERNAL})
    nav = owner_client.get(reverse("analytics:dashboard")).content.decode()
    assert ">Invoices</a>" not in nav
    engagement_page = owner_client.get(
        reverse("engagements:detail", args=[ready.engagement.public_id])
    )
    assert "New invoice" not in engagement_page.content.decode()
    from ..url_catalog import all_routes, param_values

    values = param_values(ready)
    invoicing_routes = [r for r in all_routes() if getattr(r.view, "workspace_invoicing", False)]
    assert len(invoicing_routes) >= 10
    for route in invoicing_routes:
        url = reverse(route.name, kwargs={p: values[p] for p in route.params})
        assert owner_client.get(url).status_code == 404, route.name
        assert owner_client.post(url).status_code in (404, 405), route.name
    update_workspace_settings(ready.workspace.pk, ready.owner, {"mode": Mode.CONSULTING})
    assert (
        owner_client.get(reverse("invoicing:detail", args=[ready.invoice.public_id])).status_code
        == 200
    )


def test_engagement_page_lists_its_invoices(ready, member_client):
    services.send_invoice(ready.invoice.pk, ready.admin)
    other = make_tenant()
    body = member_client.get(
        reverse("engagements:detail", args=[ready.engagement.public_id])
    ).content.decode()
    assert "INV-0001" in body and "£1,250.50" in body
    assert other.invoice.description not in body
