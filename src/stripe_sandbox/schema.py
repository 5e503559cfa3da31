"""Requests checked against Stripe's own OpenAPI description, refused as Stripe refuses them.

The full spec is a 4 MB YAML file; the sandbox needs the request schemas of the two dozen
operations it serves. :func:`build_extract` pulls those out (descriptions dropped) and the
package ships the result as ``openapi_extract.json``, so startup is a small JSON load. Point
``--spec`` (or ``STRIPE_SANDBOX_SPEC``) at a full spec to use it instead; its extract is cached
in the temp directory, keyed by the file's path, size and mtime.

Rebuild the shipped extract with::

    python -m stripe_sandbox.schema /work/shared/stripe/openapi-spec3-2023-08-16.yaml

Parameters Stripe added after the spec was published are unknown to it. The ones the app uses
are listed in :data:`NEWER_PARAMETERS` and accepted on purpose (and logged as such) rather than
refused as ``parameter_unknown``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import StripeError
from .forms import digit_dict_to_list, param_name

logger = logging.getLogger("stripe_sandbox.schema")

EXTRACT_FORMAT = 1
SHIPPED_EXTRACT = Path(__file__).with_name("openapi_extract.json")

# The operations the sandbox serves, as the spec names them.
SERVED: tuple[tuple[str, str], ...] = (
    ("GET", "/v1/account"),
    ("GET", "/v1/accounts"),
    ("POST", "/v1/accounts"),
    ("GET", "/v1/accounts/{account}"),
    ("POST", "/v1/accounts/{account}"),
    ("POST", "/v1/account_links"),
    ("GET", "/v1/checkout/sessions"),
    ("POST", "/v1/checkout/sessions"),
    ("GET", "/v1/checkout/sessions/{session}"),
    ("POST", "/v1/checkout/sessions/{session}/expire"),
    ("GET", "/v1/checkout/sessions/{session}/line_items"),
    ("GET", "/v1/payment_intents"),
    ("GET", "/v1/payment_intents/{intent}"),
    ("GET", "/v1/charges"),
    ("GET", "/v1/charges/{charge}"),
    ("GET", "/v1/refunds"),
    ("POST", "/v1/refunds"),
    ("GET", "/v1/refunds/{refund}"),
    ("GET", "/v1/application_fees"),
    ("GET", "/v1/application_fees/{id}"),
    ("GET", "/v1/balance_transactions/{id}"),
    ("GET", "/v1/events"),
    ("GET", "/v1/events/{id}"),
)

_KEEP = {
    "type",
    "properties",
    "additionalProperties",
    "required",
    "items",
    "enum",
    "maxLength",
    "anyOf",
    "format",
    "x-stripeBypassValidation",
}

_RANGE = {
    "anyOf": [
        {
            "type": "object",
            "properties": {k: {"type": "integer"} for k in ("gt", "gte", "lt", "lte")},
        },
        {"type": "integer"},
    ]
}

# Parameters newer than the 2023-08-16 spec that the app sends. Each is accepted as documented
# by Stripe today; the ``x-sandbox-newer`` mark makes the validator log their use.
NEWER_PARAMETERS: dict[tuple[str, str], dict[str, Any]] = {
    # Connect "controller properties" (2023-10 and later): who pays fees, owns losses, collects
    # requirements, and which dashboard the account gets. The 2023-08 spec has only ``type``.
    ("POST", "/v1/accounts"): {
        "controller": {
            "type": "object",
            "x-sandbox-newer": True,
            "properties": {
                "fees": {
                    "type": "object",
                    "properties": {"payer": {"type": "string", "enum": ["account", "application"]}},
                },
                "losses": {
                    "type": "object",
                    "properties": {
                        "payments": {"type": "string", "enum": ["application", "stripe"]}
                    },
                },
                "requirement_collection": {"type": "string", "enum": ["application", "stripe"]},
                "stripe_dashboard": {
                    "type": "object",
                    "properties": {"type": {"type": "string", "enum": ["express", "full", "none"]}},
                },
            },
        }
    },
    # Listing Checkout Sessions by status and creation time (added after 2023-08).
    ("GET", "/v1/checkout/sessions"): {
        "status": {
            "type": "string",
            "enum": ["complete", "expired", "open"],
            "x-sandbox-newer": True,
        },
        "created": {**copy.deepcopy(_RANGE), "x-sandbox-newer": True},
    },
}


def describe_newer_parameters() -> list[str]:
    """``["POST /v1/accounts controller[fees][payer]", ...]``: the allowlist, leaf by leaf."""
    lines: list[str] = []

    def leaves(schema: dict[str, Any], path: list[str]) -> list[str]:
        props = schema.get("properties")
        if schema.get("type") == "object" and props:
            found: list[str] = []
            for name, sub in props.items():
                found.extend(leaves(sub, [*path, name]))
            return found
        return [param_name(path)]

    for (method, path), params in NEWER_PARAMETERS.items():
        for name, schema in params.items():
            lines.extend(f"{method} {path} {leaf}" for leaf in leaves(schema, [name]))
    return lines


def _prune(schema: Any) -> Any:
    if isinstance(schema, dict):
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key not in _KEEP:
                continue
            if key == "properties":
                out[key] = {name: _prune(sub) for name, sub in value.items()}
            elif key in ("items", "additionalProperties") and isinstance(value, dict):
                out[key] = _prune(value)
            elif key == "anyOf":
                out[key] = [_prune(sub) for sub in value]
            else:
                out[key] = value
        return out
    return schema


def build_extract(spec: dict[str, Any], source: str = "") -> dict[str, Any]:
    """The request schemas of :data:`SERVED`, from a loaded OpenAPI document."""
    operations: dict[str, Any] = {}
    for method, path in SERVED:
        op = spec["paths"][path][method.lower()]
        query: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for parameter in op.get("parameters", []):
            if parameter.get("in") != "query":
                continue
            query["properties"][parameter["name"]] = _prune(parameter.get("schema", {}))
            if parameter.get("required"):
                query["required"].append(parameter["name"])
        entry: dict[str, Any] = {"query": query}
        if method == "POST":
            content = op.get("requestBody", {}).get("content", {})
            body = content.get("application/x-www-form-urlencoded", {}).get("schema")
            entry["body"] = _prune(body) if body else {"type": "object", "properties": {}}
        operations[f"{method} {path}"] = entry
    return {
        "format": EXTRACT_FORMAT,
        "source": source,
        "api_version": spec.get("info", {}).get("version", ""),
        "operations": operations,
    }


def _load_yaml(path: Path) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=loader)  # noqa: S506 (a safe loader)
    return loaded


def _cache_path(spec_path: Path) -> Path:
    stat = spec_path.stat()
    key = f"{spec_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{EXTRACT_FORMAT}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    cache_dir = Path(os.environ.get("STRIPE_SANDBOX_CACHE_DIR") or tempfile.gettempdir())
    return cache_dir / f"stripe-sandbox-spec-{digest}.json"


def load_extract(spec_path: str | Path | None = None) -> dict[str, Any]:
    """The extract from ``spec_path`` (cached), or ``$STRIPE_SANDBOX_SPEC``, or the shipped one."""
    chosen = spec_path or os.environ.get("STRIPE_SANDBOX_SPEC")
    if not chosen:
        with SHIPPED_EXTRACT.open(encoding="utf-8") as handle:
            shipped: dict[str, Any] = json.load(handle)
        return shipped
    path = Path(chosen)
    if path.suffix == ".json" and path.name != "openapi.json":
        with path.open(encoding="utf-8") as handle:
            given: dict[str, Any] = json.load(handle)
        if "operations" in given:
            return given
        return build_extract(given, path.name)
    cache = _cache_path(path)
    try:
        with cache.open(encoding="utf-8") as handle:
            cached: dict[str, Any] = json.load(handle)
        if cached.get("format") == EXTRACT_FORMAT:
            return cached
    except (OSError, ValueError):
        pass
    extract = build_extract(_load_yaml(path), path.name)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(extract, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError as exc:
        logger.warning("could not cache the spec extract at %s: %s", cache, exc)
    return extract


class SchemaError(StripeError):
    def __init__(self, message: str, param: str | None, code: str | None = None) -> None:
        super().__init__(400, message, param=param, code=code)


@dataclass
class _Walk:
    newer_used: list[str] = field(default_factory=list)


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
    if schema.get("x-sandbox-newer"):
        walk.newer_used.append(param_name(path))
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
        if enum and value not in enum and not schema.get("x-stripeBypassValidation"):
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
    """Validates and coerces the parameters of the operations in :data:`SERVED`."""

    def __init__(self, extract: dict[str, Any]) -> None:
        self.source = extract.get("source", "")
        self.api_version = extract.get("api_version", "")
        self.operations: dict[str, dict[str, Any]] = copy.deepcopy(extract["operations"])
        for (method, path), params in NEWER_PARAMETERS.items():
            op = self.operations.get(f"{method} {path}")
            if op is None:
                continue
            target = op["body"] if method == "POST" else op["query"]
            for name, sub in params.items():
                if name in target.setdefault("properties", {}):
                    continue  # the spec knows it after all: its own schema wins
                target["properties"][name] = sub

    @classmethod
    def load(cls, spec_path: str | Path | None = None) -> Schema:
        return cls(load_extract(spec_path))

    def validate(
        self, method: str, path: str, params: dict[str, Any]
    ) -> tuple[dict[str, Any], list[str]]:
        """Coerced parameters, and the allowlisted newer parameters that were used.

        Raises :class:`SchemaError` (400, Stripe's code and message) on the first problem.
        """
        op = self.operations[f"{method} {path}"]
        walk = _Walk()
        schema = op["body"] if method == "POST" else op["query"]
        checked = _object(params, {**schema, "additionalProperties": False}, (), walk)
        return checked, walk.newer_used


def main(argv: list[str] | None = None) -> int:
    """Rebuild the shipped extract: ``python -m stripe_sandbox.schema SPEC.yaml [OUT.json]``."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(main.__doc__)
        return 2
    source = Path(args[0])
    out = Path(args[1]) if len(args) > 1 else SHIPPED_EXTRACT
    extract = build_extract(_load_yaml(source), source.name)
    out.write_text(json.dumps(extract, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {out} ({len(extract['operations'])} operations from {source.name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
