from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from secportal.clients.models import Client

from .models import Engagement


def engagement_list(search: str = "", status: str = "") -> QuerySet[Engagement]:
    engagements = Engagement.objects.select_related("client").order_by("-created_at")
    if search:
        engagements = engagements.filter(
            Q(name__icontains=search)
            | Q(reference__icontains=search)
            | Q(client__name__icontains=search)
        )
    if status:
        engagements = engagements.filter(status=status)
    return engagements


def engagements_of_client(client: Client) -> QuerySet[Engagement]:
    return Engagement.objects.filter(client=client).order_by("-created_at")


def get_engagement(public_id: object) -> Engagement:
    engagement = Engagement.objects.select_related("client").filter(public_id=public_id).first()
    if engagement is None:
        raise Http404("No such engagement.")
    return engagement
