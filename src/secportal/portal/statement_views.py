"""The portal's statement of account (issue 17, 4): the signed-in contact's client's."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

from secportal.payments.statement_views import period_of, statement_response
from secportal.payments.statements import statement_of

from .access import ContactRequest, contact_view


def _check(contact: object) -> None:
    if not contact.workspace.invoicing_enabled:  # type: ignore[attr-defined]
        raise Http404("No invoices are shown online in Internal mode.")


@contact_view
def statement_page(request: ContactRequest) -> HttpResponse:
    contact = request.contact
    _check(contact)
    start, end = period_of(request.GET, contact.workspace.today())
    return render(
        request,
        "portal/statement.html",
        {
            "portal_contact": contact,
            "workspace": contact.workspace,
            "statement": statement_of(contact.client, start, end),
        },
    )


@contact_view
def statement_pdf(request: ContactRequest) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    contact = request.contact
    _check(contact)
    start, end = period_of(request.GET, contact.workspace.today())
    return statement_response(contact.client, start, end)
