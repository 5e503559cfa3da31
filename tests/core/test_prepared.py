"""``core.prepared`` on PostgreSQL: each read a server-side prepared statement, prepared in the
same round trip the first time a connection runs it, planned once, and still right after a
reconnection, a rollback or an error (the objects themselves are held to the ORM's in
``tests/invoicing/test_page_reads.py``, on both databases)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from secportal.core import prepared
from secportal.invoicing.models import Invoice, InvoiceLine

from ..conftest import Tenant

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="server-side prepared statements are PostgreSQL's; elsewhere reads run as SQL",
    ),
]

LINES = prepared.PreparedRead(
    lambda invoice_id: InvoiceLine.unscoped.filter(invoice_id=invoice_id).order_by("pk")
)
BY_PUBLIC_ID = prepared.PreparedRead(
    lambda workspace_id, public_id: Invoice.unscoped.filter(
        workspace_id=workspace_id, public_id=public_id
    ).order_by()[:1],
    keys=(prepared.INT_KEY, prepared.UUID_KEY),
)


def _on_server() -> dict[str, Any]:
    """Our prepared statements on this connection: name -> (generic plans, custom plans)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE name LIKE 'secportal\\_%%'"
        )
        return {name: (generic, custom) for name, generic, custom in cursor.fetchall()}


def _fresh_connection() -> None:
    """A new database connection, as after Django reconnects (the test's transaction kept
    aside by pytest-django is the old connection's: only its prepared statements go)."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    prepared._Registry._all.pop(connection.connection, None)  # as a new driver connection


def test_prepared_in_the_same_round_trip_then_only_executed(tenant: Tenant) -> None:
    _fresh_connection()
    name = LINES.compiled("default").name
    assert name not in _on_server()
    with CaptureQueriesContext(connection) as first:
        prepared.run([(LINES, tenant.invoice.pk), (BY_PUBLIC_ID, _key(tenant))])
    assert len(first) == 1
    assert first[0]["sql"].startswith(f"PREPARE {name} AS SELECT")
    assert name in _on_server()
    with CaptureQueriesContext(connection) as again:
        found = prepared.run([(LINES, tenant.invoice.pk), (BY_PUBLIC_ID, _key(tenant))])
    assert len(again) == 1 and "PREPARE" not in again[0]["sql"]
    assert again[0]["sql"].startswith(f"EXECUTE {name}(")
    assert [invoice.pk for invoice in found[1]] == [tenant.invoice.pk]


def test_planned_once_after_a_few_runs(tenant: Tenant) -> None:
    """PostgreSQL keeps a generic plan after five custom ones: what the preparing is for."""
    _fresh_connection()
    for _ in range(8):
        prepared.run_one(LINES, tenant.invoice.pk)
    generic, custom = _on_server()[LINES.compiled("default").name]
    assert custom + generic == 8 and generic >= 1


def test_a_rollback_keeps_what_was_prepared(tenant: Tenant) -> None:
    """A PREPARE is not undone by a rollback (PostgreSQL's rule this relies on)."""
    _fresh_connection()
    with pytest.raises(RuntimeError), transaction.atomic():
        prepared.run_one(LINES, tenant.invoice.pk)
        raise RuntimeError("rolled back")
    assert LINES.compiled("default").name in _on_server()
    with CaptureQueriesContext(connection) as captured:
        prepared.run_one(LINES, tenant.invoice.pk)
    assert "PREPARE" not in captured[0]["sql"]


def test_after_an_error_what_the_connection_holds_is_read_again(tenant: Tenant) -> None:
    """A round trip that failed may have prepared some of its statements or none: the next
    one deallocates ours and prepares them again rather than trust the registry."""
    _fresh_connection()
    name = BY_PUBLIC_ID.compiled("default").name
    with pytest.raises(DatabaseError), transaction.atomic():
        # The second statement fails after the first one's PREPARE has run.
        prepared.run([(BY_PUBLIC_ID, _key(tenant)), (LINES, "not a number")])
    assert name in _on_server()  # prepared although the round trip failed
    found = prepared.run([(BY_PUBLIC_ID, _key(tenant)), (LINES, tenant.invoice.pk)])
    assert [invoice.pk for invoice in found[0]] == [tenant.invoice.pk]
    assert {name, LINES.compiled("default").name} <= set(_on_server())
    assert prepared.run_one(BY_PUBLIC_ID, (tenant.workspace.pk, uuid.uuid4())) == []


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(tenant: Tenant) -> None:
    prepared.run_one(LINES, tenant.invoice.pk)
    assert LINES.compiled("default").name in _on_server()
    connection.close()  # Django opens a new one for the next query
    assert LINES.compiled("default").name not in _on_server()
    assert prepared.run_one(LINES, tenant.invoice.pk) == []
    assert LINES.compiled("default").name in _on_server()


@pytest.mark.django_db(transaction=True)
def test_a_column_changed_under_a_prepared_statement_is_prepared_again(tenant: Tenant) -> None:
    """A migration while a connection lives may change a column's type under its prepared
    statement ("cached plan must not change result type"): outside a transaction the read is
    sent again, prepared anew; inside one it fails, and the next round trip prepares anew."""
    table = InvoiceLine._meta.db_table
    assert prepared.run_one(LINES, tenant.invoice.pk) == []
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN vat_category TYPE varchar(3)")
        assert prepared.run_one(LINES, tenant.invoice.pk) == []  # outside a transaction
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN vat_category TYPE varchar(2)")
        with (
            pytest.raises(DatabaseError, match="must not change result type"),
            transaction.atomic(),
        ):
            prepared.run_one(LINES, tenant.invoice.pk)
        assert prepared.run_one(LINES, tenant.invoice.pk) == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN vat_category TYPE varchar(2)")


def test_without_prepared_statements_the_reads_are_their_sql(tenant: Tenant, settings: Any) -> None:
    """``DATABASE_PREPARED_STATEMENTS=false`` (a pooler in transaction mode): the SQL itself,
    still one round trip."""
    settings.DATABASE_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as captured:
        found = prepared.run([(LINES, tenant.invoice.pk), (BY_PUBLIC_ID, _key(tenant))])
    assert len(captured) == 1 and captured[0]["sql"].startswith("SELECT")
    assert "EXECUTE" not in captured[0]["sql"] and "PREPARE" not in captured[0]["sql"]
    assert [invoice.pk for invoice in found[1]] == [tenant.invoice.pk]


def _key(tenant: Tenant) -> tuple[int, uuid.UUID]:
    return tenant.workspace.pk, tenant.invoice.public_id
