"""Stripe's form encoding: bracket notation in bodies and query strings.

``line_items[0][price_data][currency]=gbp`` becomes
``{"line_items": {"0": {"price_data": {"currency": "gbp"}}}}``; ``expand[]=a&expand[]=b`` becomes
``{"expand": ["a", "b"]}``. Indexed keys stay dictionaries with digit keys here: only the schema
knows whether ``metadata[0]`` is a hash key or ``line_items[0]`` an array index, so
:mod:`stripe_sandbox.schema` turns them into lists where the schema wants an array.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from .errors import StripeError

MAX_FIELDS = 5000


class FormError(StripeError):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(400, message, param=param)


def parse_pairs(raw: str) -> list[tuple[str, str]]:
    """Decode ``application/x-www-form-urlencoded`` text, keeping empty values (they unset)."""
    if not raw:
        return []
    try:
        return parse_qsl(
            raw, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS
        )
    except ValueError as exc:
        raise FormError(f"Invalid request body: {exc}") from exc


def split_key(key: str) -> list[str]:
    """``a[b][0][]`` -> ``["a", "b", "0", ""]``."""
    head, bracket, rest = key.partition("[")
    if not head:
        raise FormError(f"Invalid parameter name: {key}", param=key)
    parts = [head]
    if not bracket:
        return parts
    rest = "[" + rest
    while rest:
        if not rest.startswith("["):
            raise FormError(f"Invalid parameter name: {key}", param=key)
        end = rest.find("]")
        if end < 0:
            raise FormError(f"Invalid parameter name: {key}", param=key)
        parts.append(rest[1:end])
        rest = rest[end + 1 :]
    return parts


def param_name(parts: list[str] | tuple[str, ...]) -> str:
    """``["a", "b", "0"]`` -> ``a[b][0]`` (how Stripe names parameters in errors)."""
    if not parts:
        return ""
    return parts[0] + "".join(f"[{p}]" for p in parts[1:])


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = split_key(key)
        _assign(root, parts, value, key)
    return root


def _assign(root: dict[str, Any], parts: list[str], value: str, key: str) -> None:
    node: Any = root
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        name = param_name(parts[: i + 1])
        if part == "":
            if not isinstance(node, list):
                raise FormError(f"Invalid array: {name}", param=name)
            if last:
                node.append(value)
                return
            following = parts[i + 1]
            # ``x[][k]=..`` appends a new hash whenever ``k`` repeats.
            if not node or not isinstance(node[-1], dict) or following in node[-1]:
                node.append({})
            node = node[-1]
            continue
        if isinstance(node, list):
            raise FormError(f"Invalid array: {param_name(parts[:i])}", param=param_name(parts[:i]))
        if last:
            if isinstance(node.get(part), dict | list):
                raise FormError(f"Invalid hash: {name}", param=name)
            node[part] = value
            return
        want_list = parts[i + 1] == ""
        child = node.get(part)
        if child is None:
            child = [] if want_list else {}
            node[part] = child
        elif isinstance(child, str):
            raise FormError(f"Invalid hash: {name}", param=name)
        elif want_list != isinstance(child, list):
            raise FormError(f"Invalid array: {name}", param=name)
        node = child


def decode(raw: str) -> dict[str, Any]:
    """Parse and unflatten a form body or query string."""
    return unflatten(parse_pairs(raw))


def digit_dict_to_list(value: dict[str, Any]) -> list[Any] | None:
    """``{"0": a, "1": b}`` -> ``[a, b]`` (ordered by index); ``None`` when keys are not indexes."""
    if not all(k.isdigit() for k in value):
        return None
    return [value[k] for k in sorted(value, key=int)]


def plain(value: Any) -> Any:
    """Unflattened form data without a schema: digit-keyed hashes become lists (control API)."""
    if isinstance(value, dict):
        items = {k: plain(v) for k, v in value.items()}
        if items:
            as_list = digit_dict_to_list(items)
            if as_list is not None:
                return as_list
        return items
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
