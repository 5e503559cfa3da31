from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from secportal.core.spreadsheets import formula_safe
from secportal.engagements.models import Engagement
from secportal.engagements.selectors import get_engagement
from secportal.workspaces.access import WorkspaceRequest, workspace_view
from secportal.workspaces.models import Role

from . import (
    credits,
    drafts,
    interest,
    line_forms,
    lines,
    page_reads,
    recipients,
    selectors,
    services,
)
from .documents import credit_note_pdf_bytes, invoice_pdf_bytes, pdf_filename
from .forms import CreditNoteForm, InvoiceFilters, InvoiceForm, VoidForm
from .models import CreditNote, Invoice, InvoiceEventKind


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# Any UUID: the detail address is built once per request, then filled in for every row.
_ANY_UUID = UUID(int=0)


@workspace_view(invoicing=True)
def invoice_list(request: WorkspaceRequest) -> HttpResponse:
    today = request.workspace.today()
    # The whole page shows the Client choices; an htmx update only swaps the rows (and the
    # Engagement choices, out of band, for the client chosen).
    filters = InvoiceFilters(request.GET, clients_of=None if request.htmx else request.workspace.pk)
    sort = request.GET.get("sort", "")
    sort = sort if sort.lstrip("-") in selectors.SORT_KEYS else ""
    page = selectors.invoice_page(
        selectors.filtered_invoices(filters.cleaned_data, today),
        today,
        after=_int(request.GET.get("after")),
        before=_int(request.GET.get("before")),
        sort=sort,
    )
    detail_url = reverse("invoicing:detail", args=[_ANY_UUID]).replace(str(_ANY_UUID), "{}")
    for row in page.rows:
        row["url"] = detail_url.format(row["public_id"])
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    context = {
        "filters": filters,
        "page": page,
        "today": today,
        "query": query.urlencode(),
        "oob": bool(request.htmx),
        "columns": _sort_columns(query, sort),
    }
    template = "invoicing/_rows.html" if request.htmx else "invoicing/list.html"
    return render(request, template, context)


SORT_COLUMNS = [
    ("number", "Number"),
    ("client", "Client"),
    ("issued", "Issued"),
    ("due", "Due date"),
    ("amount", "Amount"),
    ("status", "Status"),
]


def _sort_columns(query: Any, sort: str) -> dict[str, dict[str, str]]:
    """Each sortable column's link (same filters, this sort; again: the other direction) and
    its aria-sort state."""
    columns = {}
    for key, label in SORT_COLUMNS:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        target = key if not current or descending else f"-{key}"
        link = query.copy()
        link["sort"] = target
        state = ("descending" if descending else "ascending") if current else "none"
        columns[key] = {"href": "?" + link.urlencode(), "label": label, "state": state}
    return columns


@workspace_view(invoicing=True)
def invoice_totals(request: WorkspaceRequest) -> HttpResponse:
    """The filtered set's totals per currency (loaded after the rows, so the page stays fast)."""
    today = request.workspace.today()
    filters = InvoiceFilters(request.GET)
    totals = selectors.totals_by_currency(selectors.filtered_invoices(filters.cleaned_data, today))
    return render(request, "invoicing/_list_totals.html", {"totals": totals, "filters": filters})


@workspace_view(invoicing=True)
def invoice_export(request: WorkspaceRequest) -> StreamingHttpResponse:
    today = request.workspace.today()
    filters = InvoiceFilters(request.GET)
    rows = selectors.csv_rows(selectors.filtered_invoices(filters.cleaned_data, today), today)
    # Every column formula-safe (client and engagement names too), not only the description.
    rows = formula_safe(rows)
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="invoices-{today:%Y-%m-%d}.csv"'
    return response


def _form_page(
    request: WorkspaceRequest,
    form: InvoiceForm,
    invoice: Invoice | None,
    engagement: Engagement | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "invoicing/form.html",
        {
            "form": form,
            "invoice": invoice,
            "engagement": engagement,
            "rate_choices": _rate_choices(request),
        },
        status=status,
    )


def _save(request: WorkspaceRequest, form: InvoiceForm, invoice: Invoice | None) -> Invoice | None:
    """Run the service; a refusal lands on the form's fields."""
    try:
        if invoice is None:
            return services.create_invoice(request.workspace, request.user, form.cleaned_data)
        return services.update_draft(invoice.pk, request.user, form.cleaned_data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    except services.InvoiceError as exc:
        form.add_error(None, exc.message)
    return None


@workspace_view(invoicing=True)
def invoice_create(request: WorkspaceRequest) -> HttpResponse:
    engagement = None
    initial: dict[str, object] = {}
    if request.GET.get("engagement"):
        try:
            engagement = get_engagement(UUID(request.GET["engagement"]))
        except ValueError:
            engagement = None
        if engagement is not None:
            initial = {"engagement": engagement.pk, "client": engagement.client_id}
    elif request.GET.get("client"):
        from secportal.clients.selectors import get_client

        try:
            initial = {"client": get_client(UUID(request.GET["client"])).pk}
        except ValueError:
            initial = {}
    form = InvoiceForm(request.POST or None, workspace=request.workspace, initial=initial)
    if "add_line" in request.POST:
        return _form_page(request, form, None, engagement)
    if request.method == "POST" and form.is_valid():
        invoice = _save(request, form, None)
        if invoice is not None:
            messages.success(request, "Draft invoice created. Review it, then Send Invoice.")
            return redirect("invoicing:detail", invoice_id=invoice.public_id)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, None, engagement, status)


@workspace_view(invoicing=True)
def engagement_options(request: WorkspaceRequest) -> HttpResponse:
    """htmx: the Engagement choices of the chosen client."""
    form = InvoiceForm(request.GET, workspace=request.workspace)
    return render(request, "invoicing/_engagement_field.html", {"field": form["engagement"]})


@workspace_view(invoicing=True)
def line_row(request: WorkspaceRequest) -> HttpResponse:
    """htmx "Add line": one blank line row to append to the form's lines."""
    return render(
        request,
        "invoicing/_line.html",
        {
            "row": line_forms.blank_row(request.workspace.vat_registered),
            "rate_choices": _rate_choices(request),
        },
    )


@workspace_view(invoicing=True)
@require_POST
def totals_preview(request: WorkspaceRequest) -> HttpResponse:
    """htmx: Net, VAT and Total of the form as typed so far (nothing is saved)."""
    form = InvoiceForm(request.POST, workspace=request.workspace)
    return render(
        request,
        "invoicing/_totals.html",
        {
            "totals": form.preview(),
            "currency": form.cleaned_data.get("currency") or request.workspace.default_currency,
        },
    )


def _rate_choices(request: WorkspaceRequest) -> list[tuple[str, str]]:
    from .vat import rate_choices

    return rate_choices(request.workspace.vat_registered)


@workspace_view(invoicing=True)
def invoice_detail(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    return _detail_page(request, selectors.get_invoice(invoice_id, request.workspace))


def _detail_page(
    request: WorkspaceRequest,
    invoice: Invoice,
    credit_form: CreditNoteForm | None = None,
    status: int = 200,
    payment_form: Any = None,
) -> HttpResponse:
    from .payment_forms import DeleteRecordedPaymentForm, RecordPaymentForm

    today = request.workspace.today()
    rows = page_reads.page_rows(invoice)
    deliveries = rows.deliveries
    invoice_lines = lines.lines_of(invoice, rows.lines)
    # Shown once the invoice is sent (a draft's recipients are chosen on the send form).
    chosen = (
        recipients.of(invoice, rows.contacts) if not invoice.is_draft else recipients.Recipients(())
    )
    events = rows.events
    # A payment recorded by hand always writes its "Payment recorded" event in the same
    # transaction (``balances.record_payment``, the only writer): without one, none to read.
    recorded = (
        selectors.recorded_payments_of(invoice)
        if any(e.kind == InvoiceEventKind.PAYMENT_RECORDED for e in events)
        else []
    )
    creditable = invoice.status in credits.CREDITABLE and invoice.credited_amount < invoice.amount
    # Forms are built only where the page shows them (the template's own conditions).
    return render(
        request,
        "invoicing/detail.html",
        {
            "invoice": invoice,
            "today": today,
            "shown_status": invoice.shown_status(today),
            "shown_status_label": invoice.shown_status_label(today),
            "events": events,
            "deliveries": deliveries,
            "late_interest": interest.for_invoice(invoice, today),
            "send_to": chosen.to,
            "send_cc": chosen.cc,
            # Resend is for deliveries that ended (failed, or sent and lost by the client).
            "resendable": any(m.status not in ("queued", "sending") for m in deliveries),
            "send_problems": services.send_problems(invoice) if invoice.is_draft else [],
            "void_form": VoidForm() if invoice.is_payable else None,
            "lines": invoice_lines,
            "totals": lines.totals_of(invoice_lines),
            # Every credit note adds to ``credited_amount`` (``credits.issue_credit_note``).
            "credit_notes": list(invoice.credit_notes.order_by("pk"))
            if invoice.credited_amount
            else [],
            "credit_form": credit_form or _credit_form(invoice, invoice_lines, creditable),
            "creditable": creditable,
            "recorded_payments": recorded,
            "payment_form": payment_form
            or (RecordPaymentForm(invoice=invoice) if invoice.is_payable else None),
            "delete_payment_form": DeleteRecordedPaymentForm() if recorded else None,
        },
        status=status,
    )


def _credit_form(invoice: Invoice, invoice_lines: Any, shown: bool) -> CreditNoteForm | None:
    return CreditNoteForm(invoice=invoice, invoice_lines=invoice_lines) if shown else None


@workspace_view(invoicing=True)
def invoice_ubl(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    """Download UBL: the sent invoice as UBL 2.1 (Peppol BIS Billing 3.0)."""
    from .einvoices import EInvoiceError, ubl_xml

    invoice = selectors.get_invoice(invoice_id)
    try:
        body = ubl_xml(invoice)
    except EInvoiceError as exc:
        messages.error(request, str(exc))
        return redirect("invoicing:detail", invoice_id=invoice.public_id)
    response = HttpResponse(body, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}.xml"'
    return response


@workspace_view(invoicing=True)
def invoice_facturx(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    """Download Factur-X: the invoice's PDF with its EN 16931 CII XML embedded (PDF/A-3)."""
    from .einvoices import EInvoiceError, facturx_pdf

    invoice = selectors.get_invoice(invoice_id)
    try:
        body = facturx_pdf(invoice, invoice_pdf_bytes(invoice, request.workspace.today()))
    except EInvoiceError as exc:
        messages.error(request, str(exc))
        return redirect("invoicing:detail", invoice_id=invoice.public_id)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}-facturx.pdf"'
    return response


@workspace_view(Role.ADMIN, invoicing=True)
@require_POST
def invoice_credit(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    """Issue credit note: refused beside its field, or issued once (its key)."""
    invoice = selectors.get_invoice(invoice_id)
    form = CreditNoteForm(request.POST, invoice=invoice)
    if form.is_valid():
        try:
            note = credits.issue_credit_note(
                invoice.pk,
                request.user,
                reason=form.cleaned_data["reason"],
                amount=form.cleaned_data["amount"],
                request_key=form.cleaned_data["key"],
                positions=form.cleaned_data["lines"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, f"Credit note {note.number} issued.")
            return redirect("invoicing:detail", invoice_id=invoice.public_id)
    return _detail_page(request, invoice, credit_form=form, status=400)


@workspace_view(invoicing=True)
def credit_note_pdf(request: WorkspaceRequest, credit_note_id: UUID) -> HttpResponse:
    note = (
        CreditNote.objects.select_related("invoice__workspace", "invoice__client")
        .filter(public_id=credit_note_id)
        .first()
    )
    if note is None:
        raise Http404
    response = HttpResponse(credit_note_pdf_bytes(note), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="credit-note-{note.number}.pdf"'
    return response


@workspace_view(invoicing=True)
def invoice_edit(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    invoice = selectors.get_invoice(invoice_id)
    drafts.check_may_change(request.membership, invoice)
    if not invoice.is_draft:
        messages.error(request, "Only drafts can be edited. Void this invoice and issue a new one.")
        return redirect("invoicing:detail", invoice_id=invoice.public_id)
    form = InvoiceForm(request.POST or None, workspace=request.workspace, instance=invoice)
    if "add_line" in request.POST:
        return _form_page(request, form, invoice)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, invoice)
        if saved is not None:
            messages.success(request, "Draft saved.")
            return redirect("invoicing:detail", invoice_id=invoice.public_id)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, invoice, status=status)


@workspace_view(invoicing=True)
@require_POST
def invoice_delete(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    invoice = selectors.get_invoice(invoice_id)
    try:
        drafts.delete_draft(invoice, request.membership)
    except services.InvoiceError as exc:
        messages.error(request, exc.message)
        return redirect("invoicing:detail", invoice_id=invoice.public_id)
    messages.success(request, "Draft deleted.")
    return redirect("invoicing:list")


@workspace_view(Role.ADMIN, invoicing=True)
def invoice_send(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    """GET: review the details and who it goes to ("Send to", "CC"); POST: Send Invoice."""
    from .recipient_forms import SendRecipientsForm

    invoice = selectors.get_invoice(invoice_id)
    if not invoice.is_draft:
        messages.info(request, f"Invoice {invoice.label} has already been sent.")
        return redirect("invoicing:detail", invoice_id=invoice.public_id)
    chosen = request.method == "POST" and SendRecipientsForm.MARKER in request.POST
    form = SendRecipientsForm(request.POST if chosen else None, invoice=invoice)
    context = {"invoice": invoice, "form": form, "recipients": _recipients(invoice)}
    if request.method == "POST":
        if chosen and not form.is_valid():
            problems = services.send_problems(invoice)
            return render(
                request, "invoicing/send.html", {**context, "problems": problems}, status=400
            )
        try:
            result = services.send_invoice(invoice.pk, request.user, form.recipients)
        except services.InvoiceError as exc:
            return render(
                request,
                "invoicing/send.html",
                {**context, "error": exc, "problems": [exc.message]},
                status=400,
            )
        if result.sent_now:
            messages.success(request, f"Invoice {result.invoice.number} sent.")
        return redirect("invoicing:detail", invoice_id=invoice.public_id)
    return render(
        request, "invoicing/send.html", {**context, "problems": services.send_problems(invoice)}
    )


def _recipients(invoice: Invoice) -> list[str]:
    from .emails import recipients_of

    return recipients_of(invoice)


@workspace_view(Role.ADMIN, invoicing=True)
@require_POST
def invoice_void(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    invoice = selectors.get_invoice(invoice_id)
    form = VoidForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if request.POST.get("confirm") != "yes" and invoice.is_payable:
        # Nothing is voided before the person has confirmed what it does (issue 13, item 14).
        return render(
            request, "invoicing/void_confirm.html", {"invoice": invoice, "reason": reason}
        )
    try:
        services.void_invoice(invoice.pk, request.user, reason)
        messages.success(request, f"Invoice {invoice.label} is void.")
    except services.InvoiceError as exc:
        messages.error(request, exc.message)
    return redirect("invoicing:detail", invoice_id=invoice.public_id)


@workspace_view(Role.ADMIN, invoicing=True)
@require_POST
def invoice_resend(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    invoice = selectors.get_invoice(invoice_id)
    try:
        resent = services.resend_invoice_email(invoice.pk, request.user)
        messages.success(
            request,
            f"Invoice emailed again to {', '.join(resent)}."
            if resent
            else "The invoice email is still on its way; nothing to resend yet.",
        )
    except services.InvoiceError as exc:
        messages.error(request, exc.message)
    return redirect("invoicing:detail", invoice_id=invoice.public_id)


@workspace_view(invoicing=True)
def invoice_pdf(request: WorkspaceRequest, invoice_id: UUID) -> HttpResponse:
    invoice = selectors.get_invoice(invoice_id)
    today = request.workspace.today()
    response = HttpResponse(invoice_pdf_bytes(invoice, today), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(invoice)}"'
    return response
