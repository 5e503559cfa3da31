"""``Idempotency-Key`` on POSTs: the first answer is kept 24 hours and replayed; the same key with
another body is refused (Stripe's rules)."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from .models import IdempotencyRecord
from .problems import problem

LIFETIME = datetime.timedelta(hours=24)


def idempotent(request: HttpRequest, answer: Callable[[], tuple[int, Any]]) -> HttpResponse:
    """Run ``answer`` (status, JSON body) once per key; replay it for the same key and body."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        status, body = answer()
        return JsonResponse(body, status=status, safe=False)
    if len(key) > 255:
        return problem(request, 400, "The Idempotency-Key is longer than 255 characters.")
    api_key = request.api_key  # type: ignore[attr-defined]
    digest = hashlib.sha256((request.method or "").encode() + request.path.encode() + request.body)
    fingerprint = digest.hexdigest()
    fresh = IdempotencyRecord.objects.filter(
        api_key=api_key, key=key, created_at__gte=timezone.now() - LIFETIME
    ).first()
    if fresh is not None:
        if fresh.request_hash != fingerprint:
            return problem(
                request,
                422,
                "Keys for idempotent requests can only be used with the same parameters they "
                "were first used with.",
            )
        response = JsonResponse(fresh.body, status=fresh.status_code, safe=False)
        response["Idempotent-Replayed"] = "true"
        return response
    IdempotencyRecord.objects.filter(api_key=api_key, key=key).delete()  # older than 24 h
    status, body = answer()
    if status < 500:
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    workspace_id=api_key.workspace_id,
                    api_key=api_key,
                    key=key,
                    request_hash=fingerprint,
                    status_code=status,
                    body=json.loads(json.dumps(body, default=str)),
                )
        except IntegrityError:
            pass  # a concurrent request with the same key stored its answer first
    return JsonResponse(body, status=status, safe=False)
