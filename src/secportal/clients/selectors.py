from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .models import Client, ClientContact


def client_list(search: str = "") -> QuerySet[Client]:
    clients = Client.objects.annotate(
        engagement_count=Count("engagements", distinct=True),
        contact_count=Count("contacts", distinct=True),
    ).order_by("name")
    if search:
        clients = clients.filter(Q(name__icontains=search) | Q(billing_email__icontains=search))
    return clients


def get_client(public_id: object) -> Client:
    client = Client.objects.filter(public_id=public_id).first()
    if client is None:
        raise Http404("No such client.")
    return client


def get_contact(client: Client, public_id: object) -> ClientContact:
    contact = ClientContact.objects.filter(client=client, public_id=public_id).first()
    if contact is None:
        raise Http404("No such contact.")
    return contact
