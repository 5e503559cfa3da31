"""The client portal (DESIGN.md 9): thin views over portal.selectors and portal.services.

Two ways in, each one mechanism: ``contact_view`` (a contact signed in by emailed link) and
``pay_link_view`` (the signed per-invoice link from the invoice email, no sign-in). Both scope
the request to the invoice's workspace before any query, and the selectors show only the
client's own, non-draft invoices; everything else is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone as django_timezone
from django.views.decorators.http import require_POST

from secportal.clients.models import ClientContact
from secportal.core.locales import use_locale
from secportal.core.money import MoneyError, format_plain, parse_amount
from secportal.core.signing import LinkExpired, LinkInvalid
from secportal.core.tenancy import use_workspace
from secportal.invoicing import links
from secportal.invoicing.documents import invoice_pdf_bytes, pdf_filename
from secportal.invoicing.models import Invoice, InvoiceStatus
from secportal.invoicing.services import InvoiceError, record_viewed
from secportal.payments import checkout, methods, transfers
from secportal.payments.selectors import can_take_payments

from . import access, selectors, services
from .access import ContactRequest, contact_view
from .forms import ChooseClientForm, SignInForm

# Any UUID: an address is built once per page, then filled in for every row.
_ANY_UUID = UUID(int=0)

# Sign in and out ---------------------------------------------------------------------------


def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.request_sign_in(form.cleaned_data["email"], access.client_ip(request))
        return render(
            request,
            "portal/sign_in_sent.html",
            {"message": result.message, "limited": result.limited},
            status=429 if result.limited else 200,
        )
    return render(request, "portal/sign_in.html", {"form": form})


def _link_problem(request: HttpRequest, problem: str) -> HttpResponse:
    return render(
        request,
        "portal/link_problem.html",
        {"problem": problem, "form": SignInForm()},
        status=404 if problem == "invalid" else 410,
    )


def magic_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links must not spend them); POST signs in."""
    if request.method == "POST":
        try:
            email = services.use_sign_in_link(token)
        except LinkExpired:
            return _link_problem(request, "expired")
        except services.LinkUsed:
            return _link_problem(request, "used")
        except LinkInvalid:
            return _link_problem(request, "invalid")
        contacts = selectors.contacts_for_email(email)
        if not contacts:
            return _link_problem(request, "invalid")
        access.sign_in(request, email)
        if len(contacts) == 1:
            access.choose(request, contacts[0])
            return redirect("portal:home")
        return redirect("portal:choose")
    try:
        services.read_sign_in_token(token)
    except LinkExpired:
        return _link_problem(request, "expired")
    except LinkInvalid:
        return _link_problem(request, "invalid")
    return render(request, "portal/magic_link.html", {"token": token})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    access.sign_out(request)
    messages.success(request, "You're signed out of the client portal.")
    return redirect("portal:login")


def choose_client(request: HttpRequest) -> HttpResponse:
    """One address, several clients (perhaps at several consultancies): pick which to open."""
    email = access.proven_email(request)
    if email is None:
        return redirect("portal:login")
    if request.method == "POST":
        form = ChooseClientForm(request.POST)
        contact = (
            selectors.contact_by_public_id(email, form.cleaned_data["contact"])
            if form.is_valid()
            else None
        )
        if contact is not None:
            access.choose(request, contact)
            return redirect("portal:home")
    contacts = selectors.contacts_for_email(email)
    if not contacts:
        access.sign_out(request)
        return redirect("portal:login")
    current = access.current_contact(request)
    return render(
        request,
        "portal/choose.html",
        {"contacts": contacts, "current": current, "portal_contact": current},
    )


# The signed-in contact ----------------------------------------------------------------------


def _page_context(invoice: Invoice, contact: ClientContact | None, token: str = "") -> dict:
    today = invoice.workspace.today()
    if token:
        pay_url = reverse("portal:pay_link_pay", args=[token])
        pdf_url = reverse("portal:pay_link_pdf", args=[token])
    else:
        pay_url = reverse("portal:pay", args=[invoice.public_id])
        pdf_url = reverse("portal:invoice_pdf", args=[invoice.public_id])
    paid_on = invoice.paid_at.astimezone(invoice.workspace.tz).date() if invoice.paid_at else None
    partial = methods.partial_settings(invoice.workspace)
    return {
        "partial_payments": partial.allow_partial_payments and invoice.is_payable,
        "transfer": transfers.transfer_of(invoice),
        "minimum_part": methods.minimum_part(invoice, partial),
        "pay_amount": format_plain(invoice.balance_due, invoice.currency),
        "invoice": invoice,
        "workspace": invoice.workspace,
        "portal_contact": contact,
        "today": today,
        "status": invoice.shown_status(today),
        "status_label": invoice.shown_status_label(today),
        "paid_on": paid_on,
        "pay_url": pay_url,
        "pdf_url": pdf_url,
        "via_link": bool(token),
        "can_pay_online": can_take_payments(invoice.workspace),
    }


@contact_view
def home(request: ContactRequest) -> HttpResponse:
    contact = request.contact
    shown = request.GET.get("shown", "")
    home = selectors.home_sections(
        contact, request.GET.get("more", ""), int(shown) if shown.isdigit() else 0
    )
    today = contact.workspace.today()
    # Each address is built once per page and filled in per row (no reverse() per invoice).
    urls = {
        name: reverse(f"portal:{name}", args=[_ANY_UUID]).replace(str(_ANY_UUID), "{}")
        for name in ("invoice", "pay", "invoice_pdf")
    }
    for section in home.sections:
        for invoice in section.invoices:
            invoice.row = {  # type: ignore[attr-defined]
                "url": urls["invoice"].format(invoice.public_id),
                "pay_url": urls["pay"].format(invoice.public_id),
                "pdf_url": urls["invoice_pdf"].format(invoice.public_id),
                "status": (status := invoice.shown_status(today)),
                "status_label": InvoiceStatus(status).label,
            }
    return render(
        request,
        "portal/home.html",
        {
            "portal_contact": contact,
            "workspace": contact.workspace,
            "sections": home.sections,
            "more_step": selectors.MORE_STEP,
            "payment_closed": home.payable and not can_take_payments(contact.workspace),
            "today": today,
            "several": selectors.has_other_contacts(contact),
        },
    )


@contact_view
def invoice_page(request: ContactRequest, invoice_id: UUID) -> HttpResponse:
    invoice = selectors.invoice_for_contact(request.contact, invoice_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    record_viewed(invoice, request.contact)
    return render(request, "portal/invoice.html", _page_context(invoice, request.contact))


def _pdf(invoice: Invoice) -> HttpResponse:
    today = invoice.workspace.today()
    body = invoice_pdf_bytes(
        invoice,
        today,
        pay_url=links.pay_link(invoice),
        transfer_instructions=transfers.transfer_text(invoice),
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(invoice)}"'
    return response


@contact_view
def invoice_pdf(request: ContactRequest, invoice_id: UUID) -> HttpResponse:
    invoice = selectors.invoice_for_contact(request.contact, invoice_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _pdf(invoice)


def _chosen_amount(request: HttpRequest, invoice: Invoice) -> tuple[int | None, str]:
    """Amount to pay (partial payments): (amount, "") or (None, why it cannot be paid). Without
    partial payments, or with the field left empty, the whole balance (None)."""
    text = request.POST.get("amount", "").strip()
    if not text or not methods.partial_settings(invoice.workspace).allow_partial_payments:
        return None, ""
    try:
        amount = parse_amount(text, invoice.currency, charge_limits=False)
    except MoneyError as exc:
        return None, str(exc)
    return amount, checkout.part_problem(invoice, amount)


def _pay(
    request: HttpRequest,
    invoice: Invoice,
    contact: ClientContact | None,
    back: str,
    token: str = "",
) -> HttpResponse:
    """The one Pay Invoice: paid or void invoices show their state; else services.start_payment."""
    if not invoice.is_payable:
        messages.info(
            request, f"This invoice is {invoice.get_status_display().lower()}: nothing to pay."
        )
        return redirect(back)
    amount, problem = _chosen_amount(request, invoice)
    if not problem:
        try:
            url = services.start_payment(invoice, contact, back, amount=amount)
        except InvoiceError as exc:
            if amount is None:
                messages.error(request, exc.message)
                return redirect(back)
            problem = exc.message
    if problem:
        context = _page_context(invoice, contact, token)
        context.update(pay_error=problem, pay_amount=request.POST.get("amount", ""))
        return render(request, "portal/invoice.html", context, status=400)
    if url:
        return redirect(url)
    context = _page_context(invoice, contact, token)
    context["back"] = back
    return render(request, "portal/pay_unavailable.html", context)


@contact_view
def pay_invoice(request: ContactRequest, invoice_id: UUID) -> HttpResponse:
    invoice = selectors.invoice_for_contact(request.contact, invoice_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _pay(
        request, invoice, request.contact, reverse("portal:invoice", args=[invoice.public_id])
    )


# The signed pay link (no sign-in) -----------------------------------------------------------

PayLinkView = Callable[..., HttpResponseBase]


def pay_link_view(view: PayLinkView) -> PayLinkView:
    """Open the invoice a signed pay link names (binding amount and currency), scoped to it."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            invoice = selectors.invoice_for_pay_token(token)
        except selectors.PayLinkRefused as refused:
            if refused.closed and refused.invoice is not None:
                return render(
                    request,
                    "portal/pay_link_closed.html",
                    {"workspace": refused.invoice.workspace},
                    status=410,
                )
            if refused.expired and refused.invoice is not None:
                return render(
                    request,
                    "portal/pay_link_expired.html",
                    {"token": token, "workspace": refused.invoice.workspace},
                    status=410,
                )
            return render(request, "portal/pay_link_invalid.html", status=404)
        workspace = invoice.workspace
        with (
            use_workspace(invoice.workspace_id),
            use_locale(workspace.locale),
            django_timezone.override(workspace.tz),
        ):
            return view(request, invoice, token, *args, **kwargs)

    wrapped.portal_pay_link_view = True  # type: ignore[attr-defined]
    return wrapped


@pay_link_view
def pay_link(request: HttpRequest, invoice: Invoice, token: str) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    record_viewed(invoice, None)
    return render(request, "portal/invoice.html", _page_context(invoice, None, token))


@pay_link_view
def pay_link_pdf(request: HttpRequest, invoice: Invoice, token: str) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _pdf(invoice)


@pay_link_view
def pay_link_pay(request: HttpRequest, invoice: Invoice, token: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _pay(request, invoice, None, reverse("portal:pay_link", args=[token]), token)


def fresh_link(request: HttpRequest, token: str) -> HttpResponse:
    """An expired (or any genuine) pay link asks for a fresh one, sent to the billing email."""
    try:
        invoice = selectors.invoice_for_fresh_link(token)
    except Http404:
        return render(request, "portal/pay_link_invalid.html", status=404)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with use_workspace(invoice.workspace_id):
        result = services.send_fresh_pay_link(invoice)
        return render(
            request,
            "portal/fresh_link_sent.html",
            {"result": result, "workspace": invoice.workspace},
        )
