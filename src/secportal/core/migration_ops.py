"""Migration operations shared by the apps."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    """``CREATE INDEX CONCURRENTLY`` on PostgreSQL, so that adding an index to a big table
    (millions of invoices) never blocks writes; a plain ``CREATE INDEX`` elsewhere (SQLite).
    The migration must say ``atomic = False``."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, *args)


class RemoveIndexConcurrentlyOnPostgres(RemoveIndexConcurrently):
    """``DROP INDEX CONCURRENTLY`` on PostgreSQL (never waits behind, nor blocks, the writes
    of a big table); a plain ``DROP INDEX`` elsewhere. The migration must say ``atomic = False``."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)
        else:
            RemoveIndex.database_forwards(self, app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)
        else:
            RemoveIndex.database_backwards(self, app_label, schema_editor, *args)
