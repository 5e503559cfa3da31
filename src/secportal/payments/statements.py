"""A client's statement of account (issue 17, 4): over a period, what was invoiced, paid,
credited and refunded, and, as of its last day, the invoices still open and the balance owed.

The balance is the sum of the open invoices' ``balance_due`` (what each still asks for), so the
statement and the invoices never disagree. Money is per currency: a client billed in two
currencies gets one balance each.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from secportal.clients.models import Client
from secportal.core.locales import use_locale
from secportal.invoicing.models import OUTSTANDING, CreditNote, Invoice, InvoiceStatus

from .models import COUNTED_REFUNDS, Payment, Refund

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class Entry:
    day: datetime.date
    what: str  # "Invoice INV-0001", "Payment (INV-0001)", "Credit note CN-0001 (INV-0001)"
    currency: str
    charge: int = 0  # adds to what the client owes
    credit: int = 0  # takes from it


@dataclass
class Statement:
    client: Client
    start: datetime.date
    end: datetime.date
    entries: list[Entry] = field(default_factory=list)
    open_invoices: list[Invoice] = field(default_factory=list)
    balances: dict[str, int] = field(default_factory=dict)  # currency → owed at the end

    @property
    def filename(self) -> str:
        return f"statement-{self.client.name[:40]}-{self.end:%Y-%m-%d}.pdf".replace(" ", "-")


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return today - datetime.timedelta(days=DEFAULT_DAYS - 1), today


def _local(moment: datetime.datetime, client: Client) -> datetime.date:
    return moment.astimezone(client.workspace.tz).date()


def statement_of(client: Client, start: datetime.date, end: datetime.date) -> Statement:
    """The statement of ``client`` from ``start`` to ``end`` (both included, the workspace's
    calendar)."""
    invoices = Invoice.unscoped.filter(client=client).exclude(status=InvoiceStatus.DRAFT)
    statement = Statement(client, start, end)
    entries = statement.entries
    for invoice in invoices.filter(issue_date__range=(start, end)).order_by("issue_date", "pk"):
        if invoice.status == InvoiceStatus.VOID and not invoice.credit_notes.exists():
            continue  # withdrawn before any credit note: it never asked for money
        assert invoice.issue_date is not None
        entries.append(
            Entry(invoice.issue_date, f"Invoice {invoice.label}", invoice.currency, invoice.amount)
        )
    notes = CreditNote.unscoped.filter(invoice__client=client, issue_date__range=(start, end))
    for note in notes.select_related("invoice").order_by("issue_date", "pk"):
        entries.append(
            Entry(
                note.issue_date,
                f"Credit note {note.number} ({note.invoice.label})",
                note.invoice.currency,
                credit=note.amount,
            )
        )
    payments = Payment.unscoped.filter(invoice__client=client, duplicate=False)
    for payment in payments.select_related("invoice").order_by("paid_at", "pk"):
        day = _local(payment.paid_at, client)
        if start <= day <= end:
            entries.append(
                Entry(
                    day,
                    f"Payment ({payment.invoice.label})",
                    payment.currency,
                    credit=payment.amount,
                )
            )
    refunds = Refund.unscoped.filter(
        Q(payment__invoice__client=client), status__in=COUNTED_REFUNDS, payment__duplicate=False
    )
    for refund in refunds.select_related("payment__invoice").order_by("refunded_at", "pk"):
        day = _local(refund.refunded_at, client)
        if start <= day <= end:
            entries.append(
                Entry(
                    day,
                    f"Refund ({refund.payment.invoice.label})",
                    refund.currency,
                    charge=refund.amount,
                )
            )
    entries.sort(key=lambda e: e.day)
    statement.open_invoices = list(
        invoices.filter(status__in=OUTSTANDING, issue_date__lte=end).order_by("due_date", "pk")
    )
    balances: dict[str, int] = defaultdict(int)
    for invoice in statement.open_invoices:
        balances[invoice.currency] += invoice.balance_due
    statement.balances = dict(balances)
    return statement


def statement_pdf_bytes(statement: Statement) -> bytes:
    from secportal.invoicing.documents import supplier_lines
    from secportal.invoicing.statement_pdf import StatementPdf, render_statement_pdf

    client, workspace = statement.client, statement.client.workspace
    with use_locale(workspace.locale):
        return render_statement_pdf(
            StatementPdf(
                workspace_name=workspace.company_name,
                supplier_lines=supplier_lines(workspace),
                client_name=client.billing_name,
                client_address=client.address,
                start=statement.start,
                end=statement.end,
                entries=tuple(
                    (e.day, e.what, e.currency, e.charge, e.credit) for e in statement.entries
                ),
                open_invoices=tuple(
                    (i.label, i.due_date, i.currency, i.amount, i.balance_due)
                    for i in statement.open_invoices
                ),
                balances=tuple(sorted(statement.balances.items())),
            )
        )


STATEMENT_BUILDER = "secportal.payments.statements.statement_attachments"


def statement_attachments(client_id: int, start: str, end: str) -> list[tuple[str, bytes, str]]:
    """The statement PDF as an email attachment (the outbox draws it at delivery)."""
    client = Client.unscoped.select_related("workspace").get(pk=client_id)
    statement = statement_of(
        client, datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    )
    return [(statement.filename, statement_pdf_bytes(statement), "application/pdf")]
