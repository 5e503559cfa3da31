"""The REST API, ``/api/v1/`` (django-ninja: typed schemas, OpenAPI 3.1 at ``openapi.json``).

Every operation needs an API key (``Authorization: Bearer spk_...``); the key's workspace scopes
the request through ``core.tenancy`` exactly as a web page's membership does, and its role is
enforced as a person's. Objects are named by their public ids; a missing or another workspace's
object is 404. Errors are RFC 9457 problem details. POSTs take an ``Idempotency-Key``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from secportal.clients.forms import ClientForm
from secportal.clients.models import Client
from secportal.clients.services import create_client
from secportal.engagements.forms import EngagementForm
from secportal.engagements.models import Engagement
from secportal.engagements.services import create_engagement
from secportal.invoicing import services as invoicing
from secportal.invoicing import vat
from secportal.invoicing.lines import LineInput
from secportal.invoicing.models import Invoice
from secportal.workspaces.models import Role

from . import contacts, documents, ledger, schemas, summary
from .access import KeyAuth, allow
from .access import invoicing as invoicing_workspace
from .common import Paging, as_json, find_invoice, page
from .idempotency import idempotent
from .links import add_links
from .problems import document_problems, field_errors, problem
from .ratelimit import RateLimited
from .shapes import client_out, engagement_out, invoice_out, invoices_out


class Api(NinjaAPI):
    """django-ninja's API, its document also naming every operation's problem details and the
    links between operations."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return add_links(document_problems(super().get_openapi_schema(**kwargs)))


api = Api(
    title="SecPortal Invoicing & Payments API",
    version="1",
    urls_namespace="api",
    auth=KeyAuth(),
    description=__doc__,
)


# Errors ------------------------------------------------------------------------------------


@api.exception_handler(SchemaError)
def _invalid(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    return problem(request, 422, "Some fields are not valid.", errors=field_errors(exc.errors))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        request,
        401,
        "Send a live API key: Authorization: Bearer spk_...",
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return problem(
        request,
        429,
        f"This API key made more than {exc.limit} requests in {settings.API_RATE_WINDOW} "
        f"seconds: try again in {exc.retry_after} seconds.",
        headers={"Retry-After": str(exc.retry_after)},
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 404, "No such object in this workspace.")


@api.exception_handler(ValidationError)
def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": field, "message": message}
        for field, messages in getattr(exc, "message_dict", {"body": exc.messages}).items()
        for message in messages
    ]
    return problem(request, 422, "Some fields are not valid.", errors=errors)


@api.exception_handler(invoicing.InvoiceError)
def _conflict(request: HttpRequest, exc: invoicing.InvoiceError) -> HttpResponse:
    return problem(request, 409, exc.message)


def _form_errors(form: Any) -> ValidationError:
    return ValidationError({field: list(errors) for field, errors in form.errors.items()})


# Clients -----------------------------------------------------------------------------------


@api.get("/clients", response=schemas.ClientPage, tags=["clients"])
def list_clients(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    return page(Client.objects.all(), paging, client_out, request)


@api.get("/clients/{client_id}", response=schemas.ClientOut, tags=["clients"])
def get_client(request: HttpRequest, client_id: UUID) -> dict[str, Any]:
    client = Client.objects.filter(public_id=client_id).first()
    if client is None:
        raise Http404
    return client_out(client)


@api.post("/clients", response={201: schemas.ClientOut}, tags=["clients"])
def post_client(request: HttpRequest, payload: schemas.ClientIn) -> HttpResponse:
    allow(request, Role.ADMIN)  # as on the web: owners and admins manage clients

    def answer() -> tuple[int, Any]:
        form = ClientForm(
            {
                "name": payload.name,
                "billing_email": payload.billing_email,
                "address": payload.address,
            }
        )
        if not form.is_valid():
            raise _form_errors(form)
        client = create_client(request.workspace, None, form.cleaned_data)  # type: ignore[attr-defined]
        return 201, as_json(client_out(client), schemas.ClientOut)

    return idempotent(request, answer)


# Engagements -------------------------------------------------------------------------------


@api.get("/engagements", response=schemas.EngagementPage, tags=["engagements"])
def list_engagements(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    return page(Engagement.objects.select_related("client"), paging, engagement_out, request)


@api.get("/engagements/{engagement_id}", response=schemas.EngagementOut, tags=["engagements"])
def get_engagement(request: HttpRequest, engagement_id: UUID) -> dict[str, Any]:
    engagement = Engagement.objects.select_related("client").filter(public_id=engagement_id).first()
    if engagement is None:
        raise Http404
    return engagement_out(engagement)


@api.post("/engagements", response={201: schemas.EngagementOut}, tags=["engagements"])
def post_engagement(request: HttpRequest, payload: schemas.EngagementIn) -> HttpResponse:
    allow(request, Role.ADMIN)

    def answer() -> tuple[int, Any]:
        client = Client.objects.filter(public_id=payload.client).first()
        if client is None:
            raise ValidationError({"client": "No such client in this workspace."})
        form = EngagementForm(
            {
                "client": client.pk,
                "name": payload.name,
                "reference": payload.reference,
                "status": payload.status,
                "start_date": payload.start_date or "",
                "end_date": payload.end_date or "",
            }
        )
        if not form.is_valid():
            raise _form_errors(form)
        engagement = create_engagement(request.workspace, None, form.cleaned_data)  # type: ignore[attr-defined]
        return 201, as_json(engagement_out(engagement), schemas.EngagementOut)

    return idempotent(request, answer)


# Invoices ----------------------------------------------------------------------------------


class InvoiceFilters(Paging):
    status: str | None = None
    client: UUID | None = None
    currency: str | None = None


@api.get("/invoices", response=schemas.InvoicePage, tags=["invoices"])
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]) -> dict[str, Any]:
    """Invoices, newest first, with the list page's filters; a fixed number of queries whatever
    the workspace holds (the page's lines in one, client and engagement ids joined in)."""
    workspace = invoicing_workspace(request)
    today = workspace.today()
    invoices = Invoice.objects.all()
    if filters.status:
        invoices = invoices.shown_as(filters.status, today)
    if filters.client:
        invoices = invoices.filter(client__public_id=filters.client)
    if filters.currency:
        invoices = invoices.filter(currency=filters.currency.upper())
    return page(
        invoices,
        filters,
        None,
        request,
        out_all=lambda rows: invoices_out(rows, today),
        shown=lambda rows: rows.annotate(
            client_public_id=F("client__public_id"),
            engagement_public_id=F("engagement__public_id"),
        ),
    )


@api.get("/invoices/{invoice_id}", response=schemas.InvoiceOut, tags=["invoices"])
def get_invoice(request: HttpRequest, invoice_id: UUID) -> dict[str, Any]:
    return invoice_out(find_invoice(request, invoice_id))


@api.post("/invoices", response={201: schemas.InvoiceOut}, tags=["invoices"])
def post_invoice(request: HttpRequest, payload: schemas.InvoiceIn) -> HttpResponse:
    """A draft invoice: its ``lines`` (quantity x unit price at a VAT rate), or the seed's quick
    form (one ``amount``, in minor units)."""
    workspace = invoicing_workspace(request)
    allow(request, Role.MEMBER)

    def answer() -> tuple[int, Any]:
        client = Client.objects.filter(public_id=payload.client).first()
        if client is None:
            raise ValidationError({"client": "No such client in this workspace."})
        engagement = None
        if payload.engagement is not None:
            engagement = Engagement.objects.filter(public_id=payload.engagement).first()
            if engagement is None:
                raise ValidationError({"engagement": "No such engagement in this workspace."})
        default_rate = payload.vat_rate or vat.default_rate(workspace.vat_registered)
        given = _line_inputs(payload.lines, default_rate)
        invoice = invoicing.create_invoice(
            workspace,
            None,
            {
                "client": client,
                "engagement": engagement,
                "amount": payload.amount,
                "lines": given,
                "vat_rate": default_rate,
                "currency": payload.currency,
                "description": payload.description,
                "due_date": payload.due_date,
                "po_number": payload.po_number,
            },
        )
        return 201, as_json(
            invoice_out(find_invoice(request, invoice.public_id)), schemas.InvoiceOut
        )

    return idempotent(request, answer)


def _line_inputs(lines: list[schemas.LineIn] | None, default_rate: str) -> list[LineInput]:
    return [
        LineInput(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate or default_rate,
        )
        for line in lines or []
    ]


@api.patch("/invoices/{invoice_id}", response=schemas.InvoiceOut, tags=["invoices"])
def patch_invoice(
    request: HttpRequest, invoice_id: UUID, payload: schemas.InvoicePatch
) -> dict[str, Any]:
    """Update draft: the fields given change (``lines`` or ``amount`` replace every line). Only a
    draft can be edited: a sent invoice is refused (409), as on the invoice page."""
    invoice = find_invoice(request, invoice_id)
    allow(request, Role.MEMBER)  # as on the web: members edit drafts
    if not invoice.is_draft:  # the service refuses it too; said first, before the fields
        shown = invoice.shown_status_label(invoice.workspace.today())
        raise invoicing.InvoiceError(
            f"Only drafts can be edited: invoice {invoice.number} is {shown}, its contents are "
            "locked once sent. Void it and issue a new one, or issue a credit note."
        )
    given = payload.model_dump(exclude_unset=True)
    for name in ("description", "currency", "client", "amount", "lines"):
        if name in given and given[name] is None:
            raise ValidationError({name: "This field cannot be null."})
    values: dict[str, Any] = {
        name: given[name]
        for name in ("currency", "description", "due_date", "supply_date", "po_number")
        if name in given
    }
    if "client" in given or "engagement" in given:
        # The client and engagement are checked together: an engagement of another client is
        # refused, whichever of the two changed.
        client = invoice.client
        if "client" in given:
            client = Client.objects.filter(public_id=payload.client).first()
            if client is None:
                raise ValidationError({"client": "No such client in this workspace."})
        engagement = invoice.engagement
        if payload.engagement is not None:
            engagement = Engagement.objects.filter(public_id=payload.engagement).first()
            if engagement is None:
                raise ValidationError({"engagement": "No such engagement in this workspace."})
        elif "engagement" in given:
            engagement = None
        values |= {"client": client, "engagement": engagement}
    if payload.lines is not None:
        default_rate = payload.vat_rate or vat.default_rate(invoice.workspace.vat_registered)
        values["lines"] = _line_inputs(payload.lines, default_rate)
    elif payload.amount is not None:
        values["amount"] = payload.amount
        if payload.vat_rate is not None:
            values["vat_rate"] = payload.vat_rate
    elif "vat_rate" in given:  # refused, not ignored: a rate belongs to lines or an amount
        raise ValidationError({"vat_rate": "Give vat_rate with amount (or a rate per line)."})
    invoicing.update_draft(invoice.pk, None, values)
    return invoice_out(find_invoice(request, invoice_id))


@api.post("/invoices/{invoice_id}/send", response=schemas.InvoiceOut, tags=["invoices"])
def send_invoice(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Send Invoice: numbered, emailed with its Pay Invoice link (a repeat is a no-op)."""
    invoicing_workspace(request)
    allow(request, Role.ADMIN)
    invoice = find_invoice(request, invoice_id)

    def answer() -> tuple[int, Any]:
        invoicing.send_invoice(invoice.pk, None)
        return 200, as_json(invoice_out(find_invoice(request, invoice_id)), schemas.InvoiceOut)

    return idempotent(request, answer)


@api.post("/invoices/{invoice_id}/void", response=schemas.InvoiceOut, tags=["invoices"])
def void_invoice(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    invoicing_workspace(request)
    allow(request, Role.ADMIN)
    invoice = find_invoice(request, invoice_id)

    def answer() -> tuple[int, Any]:
        invoicing.void_invoice(invoice.pk, None, "voided through the API")
        return 200, as_json(invoice_out(find_invoice(request, invoice_id)), schemas.InvoiceOut)

    return idempotent(request, answer)


api.add_router("", ledger.router)
api.add_router("", contacts.router)
api.add_router("", documents.router)
api.add_router("", summary.router)
