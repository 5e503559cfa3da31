"""Credit notes: their own gapless series, always against one sent invoice (issue 15, 6).

Issued inside one transaction with the invoice's row locked (then the workspace's, for the
counter), with an event in the invoice's history; a repeat of the same request (its key) returns
the credit note already issued. The credit is split over the invoice's VAT rates in proportion
to their totals, with the one rounding rule of ``vat.line_amounts``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from secportal.core.money import format_money
from secportal.workspaces.models import Workspace

from . import balances, emails, lines, signals, vat
from .history import record_event
from .models import PAYABLE, CreditNote, Invoice, InvoiceEventKind, InvoiceStatus

#: Invoices a person may credit: a paid one (the credit is owed back, through the refund flow), or
#: one still owed, up to its balance due (the balance drops; Checkout charges the balance).
CREDITABLE = (*PAYABLE, InvoiceStatus.PAID)
VOIDABLE = PAYABLE


def _lock(invoice_id: int) -> Invoice:
    return (
        Invoice.unscoped.select_for_update(of=("self",))
        .select_related("workspace", "client")
        .get(pk=invoice_id)
    )


def _close_credited(invoice: Invoice, user: Any, number: str) -> None:
    """A credit cleared what was owed: Paid when part was paid, else void (nothing to pay)."""
    if invoice.paid_amount:
        balances.settle(invoice)
        record_event(invoice, InvoiceEventKind.PAID, user=user, credited=number)
        return
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = timezone.now()
    invoice.save(update_fields=["status", "voided_at", "updated_at"])
    record_event(invoice, InvoiceEventKind.VOIDED, user=user, reason=f"Fully credited ({number})")
    invoice_id = invoice.pk
    transaction.on_commit(
        lambda: signals.invoice_voided.send(sender=Invoice, invoice_id=invoice_id)
    )


def split_by_rate(invoice: Invoice, amount: int) -> list[dict[str, Any]]:
    """``amount`` (gross) over the invoice's rates in proportion; the whole credit is exact."""
    totals = lines.totals_of(lines.lines_of(invoice))
    if amount >= invoice.amount:
        return [{"rate": r.rate.key, "net": r.net, "vat": r.vat} for r in totals.by_rate]
    parts: list[dict[str, Any]] = []
    left = amount
    for index, rate in enumerate(totals.by_rate):
        last = index == len(totals.by_rate) - 1
        share = left if last else round(Decimal(amount) * (rate.net + rate.vat) / invoice.amount)
        share = min(share, left)
        left -= share
        if share:
            net, tax = vat.line_amounts(Decimal(1), share, rate.rate.bps, gross=True)
            parts.append({"rate": rate.rate.key, "net": net, "vat": tax})
    return parts


def lines_credit(invoice: Invoice, positions: list[int]) -> tuple[int, list[dict[str, Any]]]:
    """The gross amount and the exact net and VAT per rate of the chosen lines."""
    chosen = [line for line in lines.lines_of(invoice) if line.position in set(positions)]
    if not chosen:
        raise ValidationError({"lines": "Choose lines of this invoice."})
    totals = lines.totals_of(chosen)
    parts = [{"rate": r.rate.key, "net": r.net, "vat": r.vat} for r in totals.by_rate]
    return totals.total, parts


@transaction.atomic
def issue_credit_note(
    invoice_id: int,
    user: Any,
    *,
    reason: str,
    amount: int | None = None,
    request_key: str = "",
    voiding: bool = False,
    positions: list[int] | None = None,
) -> CreditNote:
    """Credit ``amount`` (all that is left when ``None``) of a paid invoice or of the balance of
    one still owed, or, ``voiding``, all of a sent one that is being voided; or the lines at
    ``positions``. An owed invoice whose balance the credit clears is Paid (when part was paid)
    or void (nothing was: the credit note cancels it, its number kept)."""
    invoice = _lock(invoice_id)
    key = request_key or uuid.uuid4().hex
    done = CreditNote.unscoped.filter(workspace_id=invoice.workspace_id, request_key=key).first()
    if done is not None:
        return done
    if invoice.status not in (VOIDABLE if voiding else CREDITABLE):
        raise ValidationError(
            {"amount": f"A {invoice.get_status_display().lower()} invoice cannot be credited."}
        )
    owed = invoice.status in PAYABLE and not voiding
    left = invoice.balance_due if owed else invoice.amount - invoice.credited_amount
    parts: list[dict[str, Any]] | None = None
    if positions:
        if amount is not None:
            raise ValidationError({"amount": "Credit either an amount or lines, not both."})
        amount, parts = lines_credit(invoice, positions)
    amount = left if amount is None else amount
    if amount <= 0 or left <= 0:
        raise ValidationError({"amount": "Nothing is left to credit on this invoice."})
    if amount > left:
        what = "left to pay (the balance due)" if owed else "left to credit"
        raise ValidationError(
            {"amount": f"At most {format_money(left, invoice.currency)} is {what}."}
        )
    parts = parts or split_by_rate(invoice, amount)
    workspace = Workspace.objects.select_for_update().get(pk=invoice.workspace_id)
    number = f"CN-{workspace.next_credit_note_number:04d}"
    workspace.next_credit_note_number += 1
    workspace.save(update_fields=["next_credit_note_number"])
    note = CreditNote.objects.create(
        workspace=workspace,
        invoice=invoice,
        number=number,
        issue_date=workspace.today(),
        reason=reason[:500],
        amount=amount,
        net_amount=sum(p["net"] for p in parts),
        vat_amount=sum(p["vat"] for p in parts),
        vat_by_rate=parts,
        request_key=key,
        created_by=user if getattr(user, "pk", None) else None,
    )
    invoice.credited_amount += amount
    invoice.save(update_fields=["credited_amount", "updated_at"])
    # A void's credit note goes with the void's email (``notices``), not in one of its own.
    recipients = [] if voiding else emails.queue_credit_note_email(note)
    record_event(
        invoice,
        InvoiceEventKind.CREDITED,
        user=user,
        number=number,
        amount=amount,
        reason=reason,
        recipients=recipients,
    )
    if owed and invoice.balance_due == 0:
        _close_credited(invoice, user, number)
    note_id = note.pk
    transaction.on_commit(
        lambda: signals.credit_note_issued.send(sender=CreditNote, credit_note_id=note_id)
    )
    return note
