"""The bench's URLs plus the webhook benchmark's baseline: a minimal view that does one INSERT."""

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

SINK_TABLE = "bench_webhook_sink"
MINIMAL_URL = "/bench/webhook-insert/"


@csrf_exempt
@require_POST
def minimal_insert(request: HttpRequest) -> HttpResponse:
    """Read the event's id and store the body: one INSERT (autocommit), a small JSON answer."""
    event_id = json.loads(request.body)["id"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SINK_TABLE} (event_id, payload) VALUES (%s, %s)",
            [event_id, request.body.decode()],
        )
    return JsonResponse({"received": True})


urlpatterns = [
    path(MINIMAL_URL.strip("/") + "/", minimal_insert, name="bench_webhook_insert"),
    path("", include("bench.urls")),
]
