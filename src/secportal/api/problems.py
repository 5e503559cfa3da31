"""Every API error in one shape: RFC 9457 problem details, with field-level messages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

CONTENT_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    422: "Invalid request",
    429: "Too many requests",
}


def problem(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = JsonResponse(body, status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_errors(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Pydantic's errors as ``{"field": "amount", "message": ...}``."""
    found = []
    for item in items:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "payload")]
        found.append({"field": ".".join(location) or "body", "message": str(item.get("msg"))})
    return found


#: The problem-details shape, as documented in the OpenAPI document.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def document_problems(schema: Any) -> Any:
    """Every operation's error answers (problem details) in the OpenAPI document."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, title in TITLES.items():
                if status == 405:
                    continue
                responses.setdefault(
                    str(status),
                    {"description": title, "content": {CONTENT_TYPE: {"schema": reference}}},
                )
    return schema
