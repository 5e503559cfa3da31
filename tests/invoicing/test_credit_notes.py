"""Issue 15 (5, 6): credit notes in their own gapless series; Void of a VAT invoice credits it."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from secportal.invoicing import credits, services
from secportal.invoicing.models import CreditNote, Invoice, InvoiceStatus

from ..conftest import signed_in
from .conftest import connect_stripe
from .test_lines import THREE_LINES, with_lines
from .test_vat_invoice_pdf import vat_workspace  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def unpaid(vat_workspace):  # noqa: F811
    browser = signed_in(vat_workspace.admin)
    browser.post(reverse("invoicing:create"), with_lines(vat_workspace, THREE_LINES))
    invoice = Invoice.objects.order_by("-pk").first()
    services.send_invoice(invoice.pk, vat_workspace.admin)
    invoice.refresh_from_db()
    return vat_workspace, invoice, browser


@pytest.fixture
def sent(unpaid):
    """A sent invoice, paid."""
    tenant, invoice, browser = unpaid
    services.mark_paid(invoice.pk, paid_at=timezone.now())
    invoice.refresh_from_db()
    return tenant, invoice, browser


def test_issue_credit_note_for_an_amount_drops_the_balance(sent):
    _, invoice, browser = sent
    page = browser.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()
    assert "Issue credit note" in page
    url = reverse("invoicing:credit", args=[invoice.public_id])
    data = {"amount": "1,200.00", "reason": "Half a day not delivered", "key": "k1"}
    assert browser.post(url, data).status_code == 302
    assert browser.post(url, data).status_code == 302  # the same request again: one note
    note = CreditNote.objects.get()
    invoice.refresh_from_db()
    assert (note.number, note.amount, invoice.credited_amount) == ("CN-0001", 120000, 120000)
    assert note.net_amount + note.vat_amount == 120000
    assert invoice.total_after_credits == 674030 - 120000
    assert invoice.balance_due == 0  # paid: the credit is owed back (the refund offer)
    assert invoice.events.filter(kind="credited").count() == 1
    from secportal.notifications.models import EmailMessage

    (mail,) = EmailMessage.objects.filter(kind="credit_note")
    assert mail.subject == (
        f"Credit note CN-0001 from Redline Security Ltd: £1,200.00 against invoice {invoice.number}"
    )
    assert "Half a day not delivered" in mail.body_text and "£5,540.30" in mail.body_text
    assert "Sort code" not in mail.body_text  # bank details never in emails
    page = browser.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()
    assert "CN-0001" in page and "£5,540.30" in page  # the balance
    pdf = browser.get(reverse("invoicing:credit_note_pdf", args=[note.public_id])).content
    text = " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages
    )
    for item in (
        "CREDIT NOTE",
        "CN-0001",
        invoice.number,
        "Half a day not delivered",
        "£1,200.00",
        "VAT number GB980780684",
    ):
        assert item in text, item


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("7,000.00", "At most £6,740.30 is left to credit"),
        ("-5", "more than zero"),
        ("1.234", "at most 2 decimal places"),
        ("€5", "This invoice is in GBP"),
    ],
)
def test_a_credit_above_what_is_left_or_malformed_is_refused_beside_its_field(
    sent, amount, message
):
    _, invoice, browser = sent
    response = browser.post(
        reverse("invoicing:credit", args=[invoice.public_id]),
        {"amount": amount, "reason": "Too much", "key": "k2"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_amount_error"' in body and message in body
    assert not CreditNote.objects.exists()
    invoice.refresh_from_db()
    assert invoice.credited_amount == 0


def test_credit_notes_are_gapless_and_apart_from_invoice_numbers(sent):
    tenant, invoice, _ = sent
    for n in range(3):
        credits.issue_credit_note(invoice.pk, tenant.admin, reason=f"r{n}", amount=1000)
    assert list(CreditNote.objects.values_list("number", flat=True)) == [
        "CN-0001",
        "CN-0002",
        "CN-0003",
    ]
    assert invoice.number == "INV-0001"


def test_a_member_cannot_issue_a_credit_note(sent):
    tenant, invoice, _ = sent
    response = signed_in(tenant.member).post(
        reverse("invoicing:credit", args=[invoice.public_id]), {"reason": "x"}
    )
    assert response.status_code == 403
    assert not CreditNote.objects.exists()


def test_an_unpaid_invoice_is_credited_up_to_its_balance(unpaid):
    """Issue 15, 6 with issue 16: the balance drops by the credit; Checkout charges the rest."""
    tenant, invoice, browser = unpaid
    page = browser.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()
    assert "Issue credit note" in page
    credits.issue_credit_note(invoice.pk, tenant.admin, reason="part", amount=10000)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.SENT
    assert invoice.balance_due == 674030 - 10000
    with pytest.raises(ValidationError, match="left to pay"):
        credits.issue_credit_note(invoice.pk, tenant.admin, reason="too much", amount=674030)
    # Crediting the rest cancels it: void, its number and credit notes kept.
    credits.issue_credit_note(invoice.pk, tenant.admin, reason="the rest")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_due, invoice.credited_amount) == ("void", 0, 674030)
    assert invoice.events.filter(kind="voided").count() == 1


def test_a_partly_paid_invoice_credited_for_its_balance_is_paid(unpaid):
    tenant, invoice, _ = unpaid
    services.apply_payment(invoice.pk, amount=74030, paid_at=timezone.now())
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_due) == ("partially_paid", 600000)
    with pytest.raises(services.InvoiceError, match="cannot be voided"):
        services.void_invoice(invoice.pk, tenant.admin)
    credits.issue_credit_note(invoice.pk, tenant.admin, reason="discount", amount=600000)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_due, invoice.paid_amount) == ("paid", 0, 74030)


def test_void_of_a_vat_registered_workspaces_invoice_issues_a_full_credit_note(unpaid):
    tenant, invoice, browser = unpaid
    browser.post(
        reverse("invoicing:void", args=[invoice.public_id]),
        {"reason": "Wrong client", "confirm": "yes"},
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    assert invoice.number == "INV-0001"  # never reused or deleted
    (note,) = CreditNote.objects.all()
    assert (note.number, note.amount, note.reason) == ("CN-0001", 674030, "Wrong client")
    assert (note.net_amount, note.vat_amount) == (563025, 111005)
    assert invoice.credited_amount == invoice.amount
    services.void_invoice(invoice.pk, tenant.admin)  # again: nothing more
    assert CreditNote.objects.count() == 1


def test_void_elsewhere_stays_as_it_was(tenant):
    connect_stripe(tenant)
    services.send_invoice(tenant.invoice.pk, tenant.admin)
    services.void_invoice(tenant.invoice.pk, tenant.admin)
    assert not CreditNote.objects.exists()


def test_a_draft_cannot_be_credited(vat_workspace):  # noqa: F811
    with pytest.raises(ValidationError, match="A draft invoice cannot be credited"):
        credits.issue_credit_note(vat_workspace.invoice.pk, vat_workspace.admin, reason="x")


def test_credit_chosen_lines_with_their_exact_vat(sent):
    _, invoice, browser = sent
    response = browser.post(
        reverse("invoicing:credit", args=[invoice.public_id]),
        {"lines": ["2", "3"], "reason": "Expenses and materials waived", "key": "k3"},
    )
    assert response.status_code == 302
    note = CreditNote.objects.get()
    # 150.25 + 20% VAT (30.05), and 2 x 40.00 zero-rated
    assert (note.amount, note.net_amount, note.vat_amount) == (18030 + 8000, 23025, 3005)
    response = browser.post(
        reverse("invoicing:credit", args=[invoice.public_id]),
        {"lines": ["1"], "amount": "10", "reason": "Both", "key": "k4"},
    )
    assert response.status_code == 400
    assert "either an amount or lines" in response.content.decode()
