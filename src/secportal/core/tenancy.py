"""Workspace scoping: the one mechanism through which every query of tenant data passes.

Each request starts with no workspace: a query on a tenant model then fails loudly instead of
returning every workspace's rows. A consultant view (see ``workspaces.access.workspace_view``)
or a portal view scopes the request to one workspace, and from then on ``Model.objects`` of
every tenant model returns that workspace's rows only. Code outside requests (tasks, commands,
the shell, the admin) runs unscoped, or scopes itself with ``use_workspace``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, Final

from django.db import models
from django.http import HttpRequest, HttpResponse


class TenantScopeError(RuntimeError):
    """Tenant data was read in a request that no workspace scopes."""


class _Scope:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


UNSCOPED: Final = _Scope("UNSCOPED")
NO_WORKSPACE: Final = _Scope("NO_WORKSPACE")

_current: ContextVar[int | _Scope] = ContextVar("secportal_workspace", default=UNSCOPED)


@contextlib.contextmanager
def use_workspace(workspace_id: int | _Scope) -> Iterator[None]:
    token = _current.set(workspace_id)
    try:
        yield
    finally:
        _current.reset(token)


def scope_request(workspace_id: int) -> None:
    """Scope the rest of the current request to one workspace (for a door that cannot wrap the
    view, such as the API's key authentication); the request's own scope ends it."""
    _current.set(workspace_id)


class TenantQuerySet(models.QuerySet):
    """Refuses to reach the database when built in a request that no workspace scopes."""

    _refused = False

    def _clone(self) -> TenantQuerySet:
        clone = super()._clone()  # type: ignore[misc]
        clone._refused = self._refused
        return clone

    def _check_scope(self) -> None:
        if self._refused:
            raise TenantScopeError(
                f"{self.model.__name__} queried in a request that is not scoped to a workspace"
            )

    def _fetch_all(self) -> None:
        self._check_scope()
        super()._fetch_all()  # type: ignore[misc]

    def iterator(self, *args: Any, **kwargs: Any) -> Any:
        self._check_scope()
        return super().iterator(*args, **kwargs)

    def count(self) -> int:
        self._check_scope()
        return super().count()

    def exists(self) -> bool:
        self._check_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._check_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scope()
        return super().delete()


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    """The default manager of tenant models: filtered to the scoped workspace."""

    def get_queryset(self) -> TenantQuerySet:
        queryset = super().get_queryset()
        scope = _current.get()
        if scope is UNSCOPED:
            return queryset
        if scope is NO_WORKSPACE:
            queryset._refused = True
            return queryset
        return queryset.filter(workspace_id=scope)


class TenantModel(models.Model):
    """A row that belongs to one workspace."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )

    objects = TenantManager()
    unscoped = models.Manager()  # noqa: DJ012

    class Meta:
        abstract = True
        base_manager_name = "unscoped"


class TenancyMiddleware:
    """Starts every request unscoped-by-default-refused; the admin (operators) sees everything."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with use_workspace(NO_WORKSPACE):
            return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        match = request.resolver_match
        if match is not None and match.app_name == "admin":
            _current.set(UNSCOPED)
