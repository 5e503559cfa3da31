"""Reads compiled once (issue 19): a fixed-shape queryset's SQL kept per database, its rows
turned into model instances the way the ORM does it, several reads sent in one round trip, and
on PostgreSQL each statement planned once per connection.

Django compiles a queryset's SQL on every evaluation: for the invoice page's small reads
(an invoice's lines, history, deliveries) that costs five to eight times the database's own
work. A :class:`PreparedRead` builds its queryset once per database with a placeholder key,
keeps the compiler's SQL, converters and related-object populators, and afterwards only
executes the SQL with the real key. :func:`run` sends several reads at once: one round trip on
PostgreSQL (statements separated by ``;``, psycopg's client-side binding), one each elsewhere.

On PostgreSQL the statements are also server-side prepared statements (SQL ``PREPARE`` and
``EXECUTE``, the ``PREPARE`` sent in the same round trip the first time a connection runs the
read): PostgreSQL then parses each once per connection and, after a few executions, keeps its
plan. Planning was most of the database's time for these reads (the invoice page's nine
statements: 1.6 ms planned each time, 0.5 ms prepared, with a persistent connection). A
connection's prepared statements are remembered beside it (``_Registry``); after any error in
a round trip that held any, they are read back from ``pg_prepared_statements`` and
deallocated before the next one (a ``PREPARE`` is not undone by a rollback, and a statement
whose table changed under it may refuse to run again).

For reads that are the same queryset every time but their key (an ``invoice_id``, a
``client_id``): no ``annotate()``, ``prefetch_related()`` or known related objects (refused
when compiled). The rows are the ORM's: ``tests/core/test_prepared.py`` compares them field by
field with the queryset's own, on SQLite and PostgreSQL, so a Django upgrade that changes the
internals used here fails there first.
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

# The keys' stand-ins while compiling, found again among the compiled parameters: integers
# (an id) and UUIDs (a public id; SQLite stores its hex).
INT_KEY = -7_654_321_987
UUID_KEY = uuid.UUID("5e1ec7ed-0000-4000-8000-7654321987aa")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    # PostgreSQL: the prepared statement's name and its ``PREPARE`` (``$n`` parameters).
    name: str
    prepare: str
    # (parameter's position, key's index, written as hex) for each parameter that is a key.
    key_at: tuple[tuple[int, int, bool], ...]
    compiler: Any
    converters: Any
    model: type[Model]
    start: int
    end: int
    init_list: list[str]
    populators: list[Any]
    fetch_mode: Any


class PreparedRead[M: Model]:
    """``build(*keys)`` returns the queryset of those keys; it is called once per database,
    with ``keys`` (stand-ins: ``INT_KEY`` for an id, ``UUID_KEY`` for a public id)."""

    def __init__(
        self, build: Callable[..., QuerySet[M]], keys: tuple[Any, ...] = (INT_KEY,)
    ) -> None:
        self._build = build
        self._keys = keys
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> _Compiled:
        queryset: Any = self._build(*self._keys)  # its private state is read below
        if (
            queryset.db != using
            or queryset._prefetch_related_lookups
            or queryset._known_related_objects
            or queryset._fetch_mode.track_peers
        ):
            raise ValueError("PreparedRead: a plain queryset on this database only.")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        key_at = tuple(
            (position, index, value != key)
            for position, value in enumerate(params)
            for index, key in enumerate(self._keys)
            if value == key or (isinstance(key, uuid.UUID) and value == key.hex)
        )
        if (
            {index for _, index, _ in key_at} != set(range(len(self._keys)))
            or compiler.annotation_col_map
            or compiler.klass_info is None
        ):
            raise ValueError("PreparedRead: the key is a parameter, with no annotations.")
        select, klass_info = compiler.select, compiler.klass_info
        fields = [column[0] for column in select[: compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise ValueError("PreparedRead: no composite primary keys.")
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        name = _PREFIX + hashlib.sha256(sql.encode()).hexdigest()[:24]
        return _Compiled(
            sql=sql,
            params=tuple(params),
            name=name,
            prepare=f"PREPARE {name} AS {_numbered(sql)}",
            key_at=key_at,
            compiler=compiler,
            converters=compiler.get_converters(fields),
            model=klass_info["model"],
            start=start,
            end=end,
            init_list=[column[0].target.attname for column in select[start:end]],
            populators=get_related_populators(klass_info, select, using, queryset._fetch_mode),
            fetch_mode=queryset._fetch_mode,
        )

    def compiled(self, using: str) -> _Compiled:
        key = f"{using}:{connections[using].vendor}"
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                found = self._compiled[key] = self._compile(using)
        return found

    def statement(self, key: Any, using: str) -> tuple[str, list[Any]]:
        """The SQL and parameters for ``key`` (a tuple when the read has several keys)."""
        compiled = self.compiled(using)
        keys = key if isinstance(key, tuple) else (key,)
        params = list(compiled.params)
        for position, index, as_hex in compiled.key_at:
            params[position] = keys[index].hex if as_hex else keys[index]
        return compiled.sql, params

    def objects(self, rows: Sequence[Sequence[Any]], using: str) -> list[M]:
        """The rows as ``list(queryset)`` would give them (``ModelIterable``)."""
        compiled = self.compiled(using)
        # ``SQLCompiler.apply_converters`` with this thread's connection (the converters are the
        # compiling connection's ``ops`` methods and fields' ``from_db_value``: they read
        # settings, not the connection's state).
        if compiled.converters:
            connection = connections[using]
            converted = []
            for row in rows:
                values = list(row)
                for position, (converters, expression) in compiled.converters.items():
                    value = values[position]
                    for converter in converters:
                        value = converter(value, expression, connection)
                    values[position] = value
                converted.append(tuple(values))
            rows = converted
        found = []
        for row in rows:
            obj = compiled.model.from_db(
                using,
                compiled.init_list,
                row[compiled.start : compiled.end],
                fetch_mode=compiled.fetch_mode,
            )
            for populator in compiled.populators:
                populator.populate(row, obj)
            found.append(obj)
        return found  # type: ignore[return-value]


def run(reads: Sequence[tuple[PreparedRead[Any], Any]], using: str = "default") -> list[list[Any]]:
    """Each read's objects for its key, in order; one round trip on PostgreSQL."""
    connection = connections[using]
    statements = [read.statement(key, using) for read, key in reads]
    if not _one_trip(connection):
        results: list[list[Any]] = []
        with connection.cursor() as cursor:
            for (read, _key), (sql, params) in zip(reads, statements, strict=True):
                cursor.execute(sql, params)
                results.append(read.objects(cursor.fetchall(), using))
        return results
    if not settings.DATABASE_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            return _one_round_trip(cursor, reads, [sql for sql, _ in statements], statements)
    try:
        return _prepared_round_trip(connection, reads, statements)
    except DatabaseError as error:
        # Outside a transaction, sent again once with the connection's statements prepared
        # anew (``_STALE``); inside one, the transaction is aborted: the next round trip does it.
        if getattr(error.__cause__, "sqlstate", None) not in _STALE or connection.in_atomic_block:
            raise
    return _prepared_round_trip(connection, reads, statements)


def _prepared_round_trip(
    connection: Any,
    reads: Sequence[tuple[PreparedRead[Any], Any]],
    statements: list[tuple[str, list[Any]]],
) -> list[list[Any]]:
    """The reads as ``EXECUTE``s of prepared statements, any not prepared on this connection
    yet ``PREPARE``d first in the same round trip."""
    compiled = [read.compiled(connection.alias) for read, _key in reads]
    with connection.cursor() as cursor:
        registry = _Registry.of(connection, cursor)
        new = {c.name: c.prepare for c in compiled if c.name not in registry.names}
        # Every read has a key among its parameters (``_compile`` refuses one without).
        executes = [f"EXECUTE {c.name}({', '.join(['%s'] * len(c.params))})" for c in compiled]
        try:
            results = _one_round_trip(cursor, reads, [*new.values(), *executes], statements)
        except BaseException:
            registry.lost = True  # which of the PREPAREs ran is unknown
            raise
        registry.names.update(new)
    return results


def _one_round_trip(
    cursor: Any,
    reads: Sequence[tuple[PreparedRead[Any], Any]],
    sql: list[str],
    statements: list[tuple[str, list[Any]]],
) -> list[list[Any]]:
    """``sql`` sent in one ``execute`` (``;``-separated): the statements before the last
    ``len(reads)`` return no rows (``PREPARE``), each of the last returns one read's rows."""
    cursor.execute(";\n".join(sql), [param for _, params in statements for param in params])
    for _ in range(len(sql) - len(reads)):  # the PREPAREs' results: no rows
        cursor.nextset()
    results: list[list[Any]] = []
    for index, (read, _key) in enumerate(reads):
        if index:
            cursor.nextset()
        results.append(read.objects(cursor.fetchall(), cursor.db.alias))
    return results


def run_one[M: Model](read: PreparedRead[M], key: Any, using: str = "default") -> list[M]:
    """One read's objects for ``key``."""
    return run([(read, key)], using)[0]


# After these errors a round trip outside a transaction is sent again once, the connection's
# statements of ours deallocated and prepared anew: a statement whose columns changed type
# under it (a migration while the connection lived: "cached plan must not change result type",
# 0A000), or one the registry and the server disagree about (26000 none such, 42P05 exists).
_STALE = {"0A000", "26000", "42P05"}
# Our prepared statements' names begin so (then a hash of their SQL).
_PREFIX = "secportal_"


class _Registry:
    """The statements prepared on one driver connection (psycopg's), kept by that connection
    itself: a new one after Django reconnects has none, and a pooled one keeps its own whichever
    thread it is lent to."""

    _all: weakref.WeakKeyDictionary[Any, _Registry] = weakref.WeakKeyDictionary()
    _lock = threading.Lock()

    def __init__(self) -> None:
        self.names: set[str] = set()
        # An error happened in a round trip: which of its PREPAREs ran is unknown.
        self.lost = False

    @classmethod
    def of(cls, connection: Any, cursor: Any) -> _Registry:
        with cls._lock:
            registry = cls._all.get(connection.connection)
            if registry is None:
                registry = cls._all[connection.connection] = cls()
        if registry.lost:
            registry.forget_all(cursor)
        return registry

    def forget_all(self, cursor: Any) -> None:
        """Deallocate this connection's statements of ours, whatever it holds."""
        cursor.execute(
            "SELECT name FROM pg_prepared_statements WHERE starts_with(name, %s)", [_PREFIX]
        )
        names = [name for (name,) in cursor.fetchall()]
        if names:
            cursor.execute(";".join(f"DEALLOCATE {name}" for name in names))
        self.names.clear()
        self.lost = False


def _numbered(sql: str) -> str:
    """The compiled SQL with psycopg's ``%s`` placeholders written as PostgreSQL's ``$1``,
    ``$2``… for ``PREPARE`` (a literal ``%%`` stays: the ``PREPARE`` is sent through psycopg's
    client-side binding too)."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%%"
        count += 1
        return f"${count}"

    return re.sub(r"%%|%s", number, sql)


def _one_trip(connection: Any) -> bool:
    """PostgreSQL with client-side binding (Django's default) runs ``;``-separated statements in
    one ``execute`` and returns each one's rows (``nextset``)."""
    return connection.vendor == "postgresql" and not connection.settings_dict.get(
        "OPTIONS", {}
    ).get("server_side_binding")
