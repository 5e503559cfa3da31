"""Named locks held until the transaction ends, for limits that must be exact under concurrency.

PostgreSQL: transaction-level advisory locks (taken in a fixed order, so never a deadlock).
SQLite: every write transaction already begins IMMEDIATE (settings), one at a time.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def _lock_id(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def lock_names(*names: str) -> None:
    """Wait for, then hold until commit or rollback, the lock of every name (inside atomic)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for lock_id in sorted({_lock_id(name) for name in names}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
