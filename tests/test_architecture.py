"""The house rules of DESIGN.md 11, checked on the source: apps depend on each other one way
(imports inside functions count), modules of an app do not import each other in a circle, and
only the payments gateway imports the Stripe SDK."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PROJECT = SRC / "secportal"

# Lower layers first; an app may import only the apps of earlier layers (and itself).
LAYERS = [
    {"core"},
    {"accounts"},
    {"workspaces"},
    {"clients"},
    {"engagements"},
    {"notifications"},
    {"invoicing"},
    {"payments"},
    # The dashboard's figures are a read model of invoicing and payments; the API serves them
    # (its workspace summary) as the dashboard page does, so analytics sits below the API.
    {"analytics"},
    {"portal", "api", "webhooks"},
    {"demo"},
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}
# The project package itself (settings, urls, cli, demo) wires the apps together.
PROJECT_MODULES = "<project>"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module named by an import anywhere in the file (functions included)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, node.lineno))
            # ``from . import services`` names modules, not attributes: count them too.
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "secportal":
        return None
    if len(parts) > 1 and (PROJECT / parts[1] / "apps.py").is_file():
        return parts[1]
    return PROJECT_MODULES


SOURCES = sorted(PROJECT.rglob("*.py"))


def test_apps_import_only_the_apps_below_them() -> None:
    wrong = []
    for path in SOURCES:
        app = _app_of(_module_name(path))
        if app == PROJECT_MODULES or "migrations" in path.parts:
            continue
        assert app in RANK, f"{app} is not placed in a layer of DESIGN.md 11"
        for module, line in _imports(path):
            target = _app_of(module)
            if target is None or target == app:
                continue
            if target == PROJECT_MODULES or RANK[target] >= RANK[app]:
                wrong.append(f"{path.relative_to(SRC)}:{line} imports {module}")
    assert not wrong, "imports against the layering of DESIGN.md 11:\n" + "\n".join(wrong)


def _module_graph() -> dict[str, set[str]]:
    known = {_module_name(path) for path in SOURCES}
    graph: dict[str, set[str]] = defaultdict(set)
    for path in SOURCES:
        name = _module_name(path)
        for module, _line in _imports(path):
            if module in known and module != name and _app_of(module) == _app_of(name):
                graph[name].add(module)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt.startswith(node + "."):
                continue  # a package importing its own submodule is not a cycle
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if state.get(nxt) is None and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None and (found := visit(node)):
            return found
    return None


def test_no_module_imports_itself_in_a_circle() -> None:
    cycle = _cycle(_module_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_only_the_gateway_imports_stripe() -> None:
    importers = [
        str(path.relative_to(SRC))
        for path in SOURCES
        for module, _line in _imports(path)
        if module == "stripe" or module.startswith("stripe.")
    ]
    assert sorted(set(importers)) == ["secportal/payments/gateway.py"]


def test_the_sandbox_never_imports_the_app() -> None:
    importers = [
        f"{path.relative_to(SRC)}:{line}"
        for path in sorted((SRC / "stripe_sandbox").rglob("*.py"))
        for module, line in _imports(path)
        if module.split(".")[0] == "secportal"
    ]
    assert importers == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_no_module_is_over_600_lines(path: Path) -> None:
    if "migrations" in path.parts:
        return
    assert len(path.read_text().splitlines()) <= 600, "split it into a package by concern"
