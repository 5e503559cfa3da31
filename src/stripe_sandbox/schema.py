"""Requests checked against the parameters of Stripe's current API, refused as Stripe refuses them.

The reference is the official SDK's generated parameter types (``stripe.params``), which are
generated from Stripe's OpenAPI description of the API version the SDK pins
(``2026-10-28.endive`` for SDK 16.x). :mod:`stripe_sandbox.schema_build` turns the ones the
sandbox serves into JSON schemas and writes ``params_extract.json``, shipped with the package,
so startup is a small JSON load. ``--spec`` (or ``STRIPE_SANDBOX_SPEC``) points at another
extract built the same way.

Errors are Stripe's: ``parameter_unknown`` ("Received unknown parameter: foo"),
``parameter_missing``, ``parameter_invalid_integer``, ``parameter_invalid_empty``, and "Invalid
mode: must be one of payment, setup, or subscription" (no ``code``) for a value outside an enum.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import StripeError
from .forms import digit_dict_to_list, param_name
from .schema_build import EXTRACT_FORMAT, SHIPPED_EXTRACT

__all__ = ["EXTRACT_FORMAT", "Schema", "SchemaError", "load_extract"]


def load_extract(path: str | Path | None = None) -> dict[str, Any]:
    """The extract at ``path``, or ``$STRIPE_SANDBOX_SPEC``, or the shipped one."""
    chosen = Path(path or os.environ.get("STRIPE_SANDBOX_SPEC") or SHIPPED_EXTRACT)
    with chosen.open(encoding="utf-8") as handle:
        extract: dict[str, Any] = json.load(handle)
    if extract.get("format") != EXTRACT_FORMAT or "operations" not in extract:
        raise ValueError(
            f"{chosen} is not a parameter extract (build one with "
            "python -m stripe_sandbox.schema_build OUT.json)"
        )
    return extract


class SchemaError(StripeError):
    def __init__(self, message: str, param: str | None, code: str | None = None) -> None:
        super().__init__(400, message, param=param, code=code)


@dataclass
class _Walk:
    used: list[str] = field(default_factory=list)


def _enum_text(values: list[Any]) -> str:
    words = [str(v) for v in values]
    if len(words) <= 1:
        return "".join(words)
    if len(words) == 2:
        return f"{words[0]} or {words[1]}"
    return ", ".join(words[:-1]) + f", or {words[-1]}"


def _empty(path: tuple[str, ...]) -> SchemaError:
    name = param_name(path)
    return SchemaError(
        f"You passed an empty string for '{name}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{name}' cannot be unset. You should remove '{name}' from "
        "your request or supply a non-empty value.",
        name,
        "parameter_invalid_empty",
    )


def _check(value: Any, schema: dict[str, Any], path: tuple[str, ...], walk: _Walk) -> Any:
    if "anyOf" in schema:
        return _any_of(value, schema["anyOf"], path, walk)
    kind = schema.get("type")
    name = param_name(path)
    if kind == "object":
        return _object(value, schema, path, walk)
    if kind == "array":
        if isinstance(value, dict):
            as_list = digit_dict_to_list(value)
            if as_list is None:
                raise SchemaError("Invalid array", name)
            value = as_list
        if value == "":
            raise _empty(path)
        if not isinstance(value, list):
            raise SchemaError("Invalid array", name)
        items = schema.get("items") or {}
        return [_check(v, items, (*path, str(i)), walk) for i, v in enumerate(value)]
    if isinstance(value, dict | list):
        if kind == "integer":
            raise SchemaError("Invalid integer", name, "parameter_invalid_integer")
        raise SchemaError(f"Invalid {kind or 'value'}", name)
    if value == "" and kind in ("integer", "number", "boolean", "string"):
        raise _empty(path)
    if kind == "integer":
        text = str(value)
        digits = text[1:] if text[:1] in "+-" else text
        if not digits.isdigit() or not digits.isascii():
            raise SchemaError(f"Invalid integer: {text}", name, "parameter_invalid_integer")
        return int(text)
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            raise SchemaError(f"Invalid decimal: {value}", name) from None
    if kind == "boolean":
        if value in ("true", "false"):
            return value == "true"
        raise SchemaError(f"Invalid boolean: {value}", name)
    if kind == "string":
        enum = schema.get("enum")
        if enum and value not in enum:
            raise SchemaError(f"Invalid {path[-1]}: must be one of {_enum_text(enum)}", name)
        limit = schema.get("maxLength")
        if limit is not None and len(value) > limit:
            shown = value if len(value) <= 40 else value[:40] + "..."
            raise SchemaError(f"Invalid string: {shown}; must be at most {limit} characters", name)
    return value


def _any_of(value: Any, options: list[dict[str, Any]], path: tuple[str, ...], walk: _Walk) -> Any:
    if value == "" and any(o.get("enum") == [""] for o in options):
        return ""
    errors: list[tuple[dict[str, Any], SchemaError]] = []
    for option in options:
        if option.get("enum") == [""]:
            continue
        try:
            return _check(value, option, path, walk)
        except SchemaError as exc:
            errors.append((option, exc))
    if not errors:
        raise _empty(path)
    if isinstance(value, dict):
        wanted = {"object", "array"}
    elif isinstance(value, list):
        wanted = {"array"}
    else:
        wanted = {"string", "integer", "number", "boolean"}
    for option, error in errors:
        if option.get("type") in wanted:
            raise error
    raise errors[0][1]


def _object(
    value: Any, schema: dict[str, Any], path: tuple[str, ...], walk: _Walk
) -> dict[str, Any]:
    name = param_name(path)
    if value == "":
        raise _empty(path)
    if not isinstance(value, dict):
        raise SchemaError("Invalid hash", name or None)
    props: dict[str, Any] = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    open_hash = extra is True or (extra is None and "properties" not in schema)
    for key in value:
        if key not in props and not isinstance(extra, dict) and not open_hash:
            unknown = param_name((*path, key))
            raise SchemaError(
                f"Received unknown parameter: {unknown}", unknown, "parameter_unknown"
            )
    for key in schema.get("required") or []:
        if key not in value:
            needed = param_name((*path, key))
            raise SchemaError(f"Missing required param: {needed}.", needed, "parameter_missing")
    out: dict[str, Any] = {}
    for key, sub in value.items():
        sub_schema = props.get(key)
        if sub_schema is None:
            sub_schema = extra if isinstance(extra, dict) else {}
            if sub == "" and sub_schema.get("type") == "string":
                out[key] = ""  # ``metadata[key]=`` unsets that key
                continue
        out[key] = _check(sub, sub_schema, (*path, key), walk)
    return out


class Schema:
    """Validates and coerces the parameters of the operations the sandbox serves."""

    def __init__(self, extract: dict[str, Any]) -> None:
        self.source = extract.get("source", "")
        self.api_version = extract.get("api_version", "")
        self.operations: dict[str, dict[str, Any]] = copy.deepcopy(extract["operations"])

    @classmethod
    def load(cls, spec_path: str | Path | None = None) -> Schema:
        return cls(load_extract(spec_path))

    def known_api_versions(self) -> list[str]:
        """Every API version Stripe knows (the enum of ``api_version`` on webhook endpoints)."""
        op = self.operations.get("POST /v1/webhook_endpoints", {})
        prop = op.get("params", {}).get("properties", {}).get("api_version", {})
        versions: list[str] = list(prop.get("enum") or [])
        if self.api_version and self.api_version not in versions:
            versions.append(self.api_version)
        return versions

    def validate(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """Coerced parameters; raises :class:`SchemaError` (400, Stripe's code and message)."""
        op = self.operations[f"{method} {path}"]
        schema = op["params"]
        return _object(params, {**schema, "additionalProperties": False}, (), _Walk())
