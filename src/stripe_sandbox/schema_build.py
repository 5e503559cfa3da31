"""Build the request schemas the sandbox validates against, from the official SDK's param types.

Stripe's newest OpenAPI file is not published with the SDK, but the SDK's generated
``stripe.params`` TypedDicts are generated from it: they are the reference for what the pinned
API version (``stripe._api_version._ApiVersion.CURRENT``) accepts. This module reads the SDK's
services (``*_service.py``: which HTTP method and path each params class goes with), turns each
params TypedDict into a small JSON schema (``type``, ``properties``, ``required``, ``items``,
``enum``, ``anyOf``, ``additionalProperties``) and writes ``params_extract.json``, shipped with
the package. Rebuild it after upgrading the SDK::

    python -m stripe_sandbox.schema_build [OUT.json]

``Literal[...] | str`` (the SDK's forward-compatible enums) becomes a strict enum: Stripe's API
refuses values outside it. ``Literal[""]`` in a union means "may be emptied".
"""

from __future__ import annotations

import ast
import decimal
import importlib
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

EXTRACT_FORMAT = 2
SHIPPED_EXTRACT = Path(__file__).with_name("params_extract.json")

# The operations the sandbox serves, by Stripe's path templates (parameter names as the SDK's).
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
    ("GET", "/v1/application_fees/{id}/refunds"),
    ("POST", "/v1/application_fees/{id}/refunds"),
    ("GET", "/v1/balance_transactions"),
    ("GET", "/v1/balance_transactions/{id}"),
    ("GET", "/v1/events"),
    ("GET", "/v1/events/{id}"),
    ("GET", "/v1/webhook_endpoints"),
    ("POST", "/v1/webhook_endpoints"),
    ("GET", "/v1/webhook_endpoints/{webhook_endpoint}"),
    ("DELETE", "/v1/webhook_endpoints/{webhook_endpoint}"),
    ("GET", "/v1/customers"),
    ("POST", "/v1/customers"),
    ("GET", "/v1/customers/{customer}"),
    ("POST", "/v1/customers/{customer}"),
    ("GET", "/v1/customers/{customer}/cash_balance"),
    ("POST", "/v1/test_helpers/customers/{customer}/fund_cash_balance"),
    ("GET", "/v1/disputes"),
    ("GET", "/v1/disputes/{dispute}"),
    ("POST", "/v1/disputes/{dispute}"),
)

_REQUEST_OPTIONS = {
    "api_key",
    "stripe_version",
    "stripe_account",
    "stripe_context",
    "max_network_retries",
    "idempotency_key",
    "content_type",
    "headers",
}


def template(path: str) -> str:
    """``/v1/refunds/{refund}`` -> ``/v1/refunds/{}`` (names differ between sources)."""
    out, depth = [], 0
    for char in path:
        if char == "{":
            depth += 1
            out.append("{")
        elif char == "}":
            depth -= 1
            out.append("}")
        elif not depth:
            out.append(char)
    return "".join(out)


def _service_operations(package: Path) -> dict[str, tuple[str, str]]:
    """``"GET /v1/refunds/{}"`` -> (module, class name) of its params, from the services."""
    found: dict[str, tuple[str, str]] = {}
    for source in sorted(package.rglob("*_service.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        imports: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and ".params" in node.module:
                for alias in node.names:
                    imports[alias.asname or alias.name] = node.module
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            params_class = None
            for arg in node.args.args:
                if arg.arg == "params" and arg.annotation is not None:
                    text = ast.unparse(arg.annotation)
                    for name in imports:
                        if f"'{name}'" in text or f'"{name}"' in text or text == name:
                            params_class = name
            if params_class is None:
                continue
            for call in ast.walk(node):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "_request"
                    and len(call.args) >= 2
                ):
                    continue
                method_node, path_node = call.args[0], call.args[1]
                if isinstance(path_node, ast.Call) and isinstance(path_node.func, ast.Attribute):
                    path_node = path_node.func.value
                if isinstance(method_node, ast.Constant) and isinstance(path_node, ast.Constant):
                    key = f"{str(method_node.value).upper()} {template(str(path_node.value))}"
                    found[key] = (imports[params_class], params_class)
    return found


def _resolve(annotation: Any, namespace: dict[str, Any]) -> Any:
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):
        return eval(annotation, namespace)  # noqa: S307 (the SDK's own type expressions)
    return annotation


class _Builder:
    def __init__(self) -> None:
        self.depth = 0

    def convert(self, annotation: Any, namespace: dict[str, Any]) -> dict[str, Any]:
        annotation = _resolve(annotation, namespace)
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin in (typing.NotRequired, typing.Required):
            return self.convert(args[0], namespace)
        if origin in (typing.Union, types.UnionType):
            return self._union(list(args), namespace)
        if origin is typing.Literal:
            return {"type": "string", "enum": [str(a) for a in args]}
        if origin in (list, typing.List):  # noqa: UP006
            return {"type": "array", "items": self.convert(args[0], namespace) if args else {}}
        if origin in (dict, typing.Dict):  # noqa: UP006
            value = self.convert(args[1], namespace) if len(args) == 2 else {}
            return {"type": "object", "additionalProperties": value or True}
        if annotation is str:
            return {"type": "string"}
        if annotation is bool:
            return {"type": "boolean"}
        if annotation is int:
            return {"type": "integer"}
        if annotation in (float, decimal.Decimal):
            return {"type": "number"}
        if annotation is Any or annotation is object:
            return {}
        if isinstance(annotation, type) and hasattr(annotation, "__required_keys__"):
            return self.typed_dict(annotation)
        name = getattr(annotation, "__name__", "") or getattr(origin, "__name__", "")
        if "UntypedStripeObject" in name or "StripeObject" in name:
            return {"type": "object", "additionalProperties": True}
        return {}

    def _union(self, members: list[Any], namespace: dict[str, Any]) -> dict[str, Any]:
        options: list[dict[str, Any]] = []
        for member in members:
            converted = self.convert(member, namespace)
            if converted in options:
                continue
            options.append(converted)
        # ``Literal[a, b] | str``: the enum is what the API accepts.
        enums = [o for o in options if o.get("enum") and o.get("enum") != [""]]
        if enums:
            options = [o for o in options if o != {"type": "string"}]
        # ``Dict[str, str] | UntypedStripeObject[str]``: one hash.
        hashes = [o for o in options if o.get("type") == "object" and "properties" not in o]
        if len(hashes) > 1:
            options = [o for o in options if o not in hashes[1:]]
        options = [o for o in options if o]
        if len(options) == 1:
            return options[0]
        return {"anyOf": options}

    def typed_dict(self, cls: type) -> dict[str, Any]:
        if self.depth > 12:
            return {"type": "object", "additionalProperties": True}
        self.depth += 1
        try:
            module = sys.modules[cls.__module__]
            namespace = {**vars(typing), **vars(module)}
            properties: dict[str, Any] = {}
            for name, annotation in cls.__annotations__.items():
                if name in _REQUEST_OPTIONS and "RequestOptions" in [
                    b.__name__ for b in getattr(cls, "__orig_bases__", ())
                ]:
                    continue
                properties[name] = self.convert(annotation, namespace)
            required = sorted(k for k in getattr(cls, "__required_keys__", ()) if k in properties)
            schema: dict[str, Any] = {"type": "object", "properties": properties}
            if required:
                schema["required"] = required
            return schema
        finally:
            self.depth -= 1


def build_extract() -> dict[str, Any]:
    """The request schemas of :data:`SERVED`, from the installed ``stripe`` SDK."""
    import stripe
    from stripe._api_version import _ApiVersion

    operations_index = _service_operations(Path(stripe.__file__).parent)
    builder = _Builder()
    operations: dict[str, Any] = {}
    for method, path in SERVED:
        found = operations_index.get(f"{method} {template(path)}")
        if found is None:
            raise SystemExit(f"the SDK has no operation {method} {path}")
        module_name, class_name = found
        cls = getattr(importlib.import_module(module_name), class_name)
        schema = builder.typed_dict(cls)
        operations[f"{method} {path}"] = {"params": schema, "sdk": f"{module_name}.{class_name}"}
    return {
        "format": EXTRACT_FORMAT,
        "source": f"stripe {stripe.VERSION} (stripe.params)",
        "api_version": _ApiVersion.CURRENT,
        "operations": operations,
    }


def main(argv: list[str] | None = None) -> int:
    """Write the extract: ``python -m stripe_sandbox.schema_build [OUT.json]``."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else SHIPPED_EXTRACT
    extract = build_extract()
    out.write_text(json.dumps(extract, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {out} ({len(extract['operations'])} operations, {extract['source']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
