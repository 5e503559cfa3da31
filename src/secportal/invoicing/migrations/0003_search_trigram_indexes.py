"""Trigram indexes for the Invoices list's search (``?q=``), on PostgreSQL only.

The search is ``UPPER(number) LIKE UPPER('%q%') OR UPPER(description) LIKE UPPER('%q%')``
(Django's ``icontains``), which no B-tree can answer: without these it reads every invoice of
the workspace. A GIN index with ``gin_trgm_ops`` on the same ``UPPER(…)`` expressions answers
it. SQLite (tests, the demo) has no such index type: there the migration does nothing, and the
indexes are not in the models' state (``makemigrations`` stays quiet on both databases).
"""

from typing import Any

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "invoice_number_trgm": "UPPER(number) gin_trgm_ops",
    "invoice_description_trgm": "UPPER(description) gin_trgm_ops",
}


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that runs only on PostgreSQL (and leaves the project state alone)."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0002_dashboard_index")]

    operations = [
        TrigramExtension(),  # itself a no-op on other databases
        *(
            PostgreSQLOnly(
                sql=f"CREATE INDEX {name} ON invoicing_invoice USING gin ({expression})",
                reverse_sql=f"DROP INDEX IF EXISTS {name}",
            )
            for name, expression in INDEXES.items()
        ),
        # Expression indexes have no statistics until the table is analysed: meanwhile the
        # planner guesses that any search matches a few rows and reads the whole bitmap of a
        # common word instead of the newest invoices.
        PostgreSQLOnly(sql="ANALYZE invoicing_invoice", reverse_sql=migrations.RunSQL.noop),
    ]
