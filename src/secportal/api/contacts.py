"""A client's contacts through the API (every mode: no money): list, add, retrieve."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router

from secportal.clients.forms import ContactForm
from secportal.clients.models import Client, ClientContact
from secportal.clients.services import add_contact
from secportal.workspaces.models import Role

from . import schemas
from .access import allow
from .common import Paging, as_json, page
from .idempotency import idempotent
from .shapes import contact_out

router = Router(tags=["contacts"])


def _client(client_id: UUID) -> Client:
    client = Client.objects.filter(public_id=client_id).first()
    if client is None:
        raise Http404
    return client


@router.get("/clients/{client_id}/contacts", response=schemas.ContactPage)
def list_contacts(request: HttpRequest, client_id: UUID, paging: Query[Paging]) -> dict[str, Any]:
    client = _client(client_id)
    contacts = ClientContact.objects.select_related("client").filter(client=client)
    return page(contacts, paging, contact_out, request)


@router.get("/clients/{client_id}/contacts/{contact_id}", response=schemas.ContactOut)
def get_contact(request: HttpRequest, client_id: UUID, contact_id: UUID) -> dict[str, Any]:
    client = _client(client_id)
    contact = (
        ClientContact.objects.select_related("client")
        .filter(client=client, public_id=contact_id)
        .first()
    )
    if contact is None:
        raise Http404
    return contact_out(contact)


@router.post("/clients/{client_id}/contacts", response={201: schemas.ContactOut})
def post_contact(request: HttpRequest, client_id: UUID, payload: schemas.ContactIn) -> HttpResponse:
    """Add a contact: a person at the client who signs in to the portal and may receive
    invoices by email (``receives_invoices``); one contact per email per client."""
    allow(request, Role.ADMIN)  # as on the web: owners and admins manage contacts
    client = _client(client_id)

    def answer() -> tuple[int, Any]:
        form = ContactForm(payload.model_dump(), client=client)
        if not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        try:
            contact = add_contact(client.pk, None, form.cleaned_data)
        except IntegrityError as exc:  # the same email added at the same moment
            raise ValidationError(
                {"email": "This client already has a contact with this email."}
            ) from exc
        contact = ClientContact.objects.select_related("client").get(pk=contact.pk)
        return 201, as_json(contact_out(contact), schemas.ContactOut)

    return idempotent(request, answer)
