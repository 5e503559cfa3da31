"""Every change to clients and their contacts."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from secportal.core.changes import apply_changes
from secportal.workspaces.models import Workspace
from secportal.workspaces.services import record

from .models import Client, ClientContact

CLIENT_FIELDS = (
    "name",
    "billing_email",
    "address",
    "legal_name",
    "country",
    "vat_number",
    "po_required",
    "default_po",
)
CONTACT_FIELDS = ("name", "email", "receives_invoices")


@transaction.atomic
def create_client(workspace: Workspace, actor: Any, values: dict[str, Any]) -> Client:
    client = Client.objects.create(
        workspace=workspace, **{f: values[f] for f in CLIENT_FIELDS if f in values}
    )
    record(workspace, actor, "client.created", client.name, client=str(client.public_id))
    return client


@transaction.atomic
def update_client(client_id: int, actor: Any, values: dict[str, Any]) -> Client:
    client = (
        Client.objects.select_for_update(of=("self",)).select_related("workspace").get(pk=client_id)
    )
    changes = apply_changes(client, CLIENT_FIELDS, values)
    if changes:
        client.save(update_fields=list(changes))
        record(client.workspace, actor, "client.updated", client.name, changes=changes)
    return client


@transaction.atomic
def add_contact(client_id: int, actor: Any, values: dict[str, Any]) -> ClientContact:
    client = (
        Client.objects.select_for_update(of=("self",)).select_related("workspace").get(pk=client_id)
    )
    contact = ClientContact.objects.create(
        workspace=client.workspace,
        client=client,
        **{f: values[f] for f in CONTACT_FIELDS if f in values},
    )
    record(client.workspace, actor, "contact.added", contact.email, client=client.name)
    return contact


@transaction.atomic
def update_contact(contact_id: int, actor: Any, values: dict[str, Any]) -> ClientContact:
    contact = (
        ClientContact.objects.select_for_update(of=("self",))
        .select_related("workspace")
        .get(pk=contact_id)
    )
    changes = apply_changes(contact, CONTACT_FIELDS, values)
    if changes:
        contact.save(update_fields=list(changes))
        record(contact.workspace, actor, "contact.updated", contact.email, changes=changes)
    return contact


@transaction.atomic
def remove_contact(contact_id: int, actor: Any) -> None:
    contact = (
        ClientContact.objects.select_for_update(of=("self",))
        .select_related("workspace")
        .filter(pk=contact_id)
        .first()
    )
    if contact is None:
        return
    contact.delete()
    record(contact.workspace, actor, "contact.removed", contact.email)


@transaction.atomic
def remember_invoice_recipients(
    client_id: int, actor: Any, *, to: list[str], cc: list[str]
) -> Client:
    """Keep who the last invoice went to ("Send to" contacts, "CC" addresses): the next send
    offers the same. The same again changes nothing."""
    client = (
        Client.objects.select_for_update(of=("self",)).select_related("workspace").get(pk=client_id)
    )
    values = {"invoice_to": "\n".join(to), "invoice_cc": "\n".join(cc)}
    changes = apply_changes(client, ("invoice_to", "invoice_cc"), values)
    if changes:
        client.save(update_fields=list(changes))
        record(client.workspace, actor, "client.recipients_remembered", client.name, **values)
    return client
