"""Rows of a statement written by hand, made what the ORM would have made of the same columns.

For the few hot reads whose statement is written once in the code (issue 19: compiling the
queryset cost more than running it). Values are always parameters; the ORM's own converters
apply per column (none on PostgreSQL; dates, datetimes and UUIDs from text on SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

Converters = list[tuple[int, list[Any], Any]]


def converters_for(
    connection: BaseDatabaseWrapper, fields: Sequence[Field[Any, Any] | None]
) -> Converters:
    """The ORM's converters of each column, by position (``None``: a column left as read)."""
    found: Converters = []
    for position, field in enumerate(fields):
        if field is None:
            continue
        column = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            found.append((position, functions, column))
    return found


def fetch(
    connection: BaseDatabaseWrapper,
    sql: str,
    params: Sequence[Any],
    fields: Sequence[Field[Any, Any] | None],
) -> list[list[Any]]:
    """Every row of one statement, each column converted as its ``fields`` entry's would be."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = converters_for(connection, fields)
    result = []
    for row in rows:
        values = list(row)
        for position, functions, column in converters:
            for function in functions:
                values[position] = function(values[position], column, connection)
        result.append(values)
    return result


def instances(
    connection: BaseDatabaseWrapper,
    model: type[Model],
    fields: Sequence[Field[Any, Any]],
    sql: str,
    params: Sequence[Any],
) -> list[Any]:
    """Model instances of ``fields`` (the statement's columns, in that order), as a
    queryset's rows are made (``Model.from_db``; the other fields deferred)."""
    names = [field.attname for field in fields]
    return [
        model.from_db(connection.alias, names, values)
        for values in fetch(connection, sql, params, fields)
    ]
