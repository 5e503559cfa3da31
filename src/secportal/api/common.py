"""What the API's resources share: the JSON of a schema, keyset pages, finding an invoice."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Schema
from ninja.errors import HttpError
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from secportal.invoicing.models import Invoice

from .access import invoicing

MAX_LIMIT = 100


def as_json(data: dict[str, Any], schema: type[BaseModel]) -> dict[str, Any]:
    """The body django-ninja would render for ``data`` (its encoder: the same datetime form as
    a GET's, so a POST's answer, replayed or not, equals the object retrieved)."""
    dumped = schema.model_validate(data).model_dump()
    return json.loads(json.dumps(dumped, cls=NinjaJSONEncoder))  # type: ignore[no-any-return]


class Paging(Schema):
    limit: int = 25
    starting_after: UUID | None = None


def page(
    queryset: Any,
    paging: Any,
    out: Any,
    request: HttpRequest,
    id_field: str = "public_id",
    *,
    out_all: Any = None,
    shown: Any = None,
) -> dict[str, Any]:
    """Keyset pagination, newest first: ``starting_after`` is the last id (``id_field``) of the
    previous page, the rows read by their ids (one statement). An unknown query parameter is
    refused, not ignored. ``out`` shapes a row; ``out_all`` (instead) shapes the whole page at
    once. ``shown`` adds to the rows' queryset what only the rows need (annotations joining
    other tables), not to the ids'."""
    unknown = sorted(set(request.GET) - set(type(paging).model_fields))
    if unknown:
        raise ValidationError({f"query.{name}": ["Unknown query parameter."] for name in unknown})
    limit = max(1, min(paging.limit, MAX_LIMIT))
    if paging.starting_after is not None:
        cursor = queryset.model.objects.filter(**{id_field: paging.starting_after}).first()
        if cursor is None:
            raise HttpError(422, "starting_after names no object of this list.")
        queryset = queryset.filter(pk__lt=cursor.pk)
    # The page's ids first, by themselves (an index of the workspace's ids answers them), then
    # its rows: asked for whole rows at once, PostgreSQL may walk the primary key backwards
    # through every newer row of other workspaces (400,000 at platform scale: 85 ms, not 1).
    ids = queryset.order_by("-pk").values("pk")[: limit + 1]
    rows_of = queryset.filter(pk__in=ids)
    rows = list((shown(rows_of) if shown is not None else rows_of).order_by("-pk"))
    has_more = len(rows) > limit
    rows = rows[:limit]
    return {
        "data": out_all(rows) if out_all is not None else [out(row) for row in rows],
        "has_more": has_more,
        "next_starting_after": getattr(rows[-1], id_field) if has_more else None,
    }


def find_invoice(request: HttpRequest, invoice_id: UUID) -> Invoice:
    """The key's workspace's invoice with this public id (lines, client, engagement loaded), or
    404: every API lookup of an invoice goes through here (Internal mode has no invoices)."""
    invoicing(request)
    invoice = (
        Invoice.objects.select_related("workspace", "client", "engagement")
        .prefetch_related("lines")
        .filter(public_id=invoice_id)
        .first()
    )
    if invoice is None:
        raise Http404
    return invoice
