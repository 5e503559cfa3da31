"""The request and response values passed between the HTTP server and the handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    query: str
    body: bytes
    headers: dict[str, str]  # lower-cased names
    request_id: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
        text = json.dumps(data, indent=2, sort_keys=False) + "\n"
        return cls(status, text.encode("utf-8"), "application/json", dict(headers or {}))

    @classmethod
    def html(cls, status: int, text: str, headers: dict[str, str] | None = None) -> Response:
        return cls(status, text.encode("utf-8"), "text/html; charset=utf-8", dict(headers or {}))

    @classmethod
    def redirect(cls, location: str, status: int = 303) -> Response:
        return cls(status, b"", "text/plain", {"Location": location})
