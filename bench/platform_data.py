"""The platform seed: 10,000 workspaces and 5,000,000 invoices in one database, and the same
focus workspace "alone" beside it, built with INSERT … SELECT generate_series and kept.

- ``platform-focus``: 20,000 invoices (100 clients, 300 engagements, Europe/London), the one
  the targets measure; the 9,999 others (``platform-w00001`` …) share the other 4,980,000
  (about 498 each, 5 clients and 10 engagements each) over twelve timezones from UTC-11 to
  UTC+14. Invoice ids ascend with ``created_at`` over 3 years and the workspaces' invoices
  interleave (every 250th invoice is the focus workspace's), as in production.
- Invoices older than 40 days (at the seed's time) are paid 86 %, overdue 7 %, void 5 %,
  draft 2 %; the last 40 days' are sent 90 %, draft 10 %, due 30 days after issue: about
  40,000 sent invoices are past due on the seed's date, all over the platform, some of them
  past due in one timezone and not yet in another (what the overdue sweep moves).
- A payment for every paid invoice of the focus workspace and for those of the other
  workspaces paid in the last 13 months (what the dashboard's 12 months read); 1,500 stale
  open Checkout attempts spread over the workspaces, and 100,000 expired ones.
- Schema ``platform_alone``: every table of ``public`` (``LIKE … INCLUDING ALL``: columns,
  defaults, indexes; no foreign keys) holding only the focus workspace's rows, with the same
  ids, so that the same URLs and the same session answer in both; a connection reads it after
  ``SET search_path TO platform_alone``.

The marker table ``bench_platform_seed`` holds ``SEED_VERSION``, the seed's time and the
migrations applied when the alone schema was copied; the seed is rebuilt when the version
changes, the alone schema when the migrations do. First build: a few minutes.
"""

from __future__ import annotations

import datetime
import os
import time
from dataclasses import dataclass
from typing import Any

from bench.common import note

SEED_VERSION = 1
FOCUS_SLUG = "platform-focus"
ALONE_SCHEMA = "platform_alone"
# Smaller only to try the seed out (BENCH_PLATFORM_WORKSPACES/INVOICES); the targets need these.
WORKSPACES = int(os.environ.get("BENCH_PLATFORM_WORKSPACES", "10000"))
INVOICES = int(os.environ.get("BENCH_PLATFORM_INVOICES", "5000000"))
FOCUS_EVERY = 250  # every 250th invoice is the focus workspace's: 20,000
FOCUS_CLIENTS, FOCUS_ENGAGEMENTS = 100, 300
CLIENTS, ENGAGEMENTS = 5, 10
STALE_OPEN_ATTEMPTS = 1_500
EXPIRED_ATTEMPTS = INVOICES // 50
TIMEZONES = (
    "Pacific/Kiritimati",
    "Pacific/Auckland",
    "Australia/Sydney",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Europe/Berlin",
    "Europe/London",
    "UTC",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Pago_Pago",
)
MARKER = "bench_platform_seed"


@dataclass
class Platform:
    workspace: Any  # the focus workspace
    owner: Any
    seeded_at: datetime.datetime


def ensure_platform_data() -> Platform:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER} (version text NOT NULL, "
            "seeded_at timestamptz NOT NULL, migrations text NOT NULL DEFAULT '')"
        )
        cursor.execute(f"SELECT version, seeded_at, migrations FROM {MARKER}")
        row = cursor.fetchone()
    if row is None or row[0] != _version() or not _focus_exists():
        _delete_platform_data()
        started = time.monotonic()
        _seed()
        note(f"platform seed built in {time.monotonic() - started:.0f} s")
        row = None
    migrations = _migrations_applied()
    if row is None or row[2] != migrations:
        started = time.monotonic()
        _build_alone(migrations)
        note(f"alone schema copied in {time.monotonic() - started:.0f} s")
    return _platform()


def _version() -> str:
    return f"v{SEED_VERSION}: {WORKSPACES} workspaces, {INVOICES} invoices"


def _focus_exists() -> bool:
    from secportal.workspaces.models import Workspace

    return Workspace.objects.filter(slug=FOCUS_SLUG).exists()


def _platform() -> Platform:
    from django.db import connection

    from secportal.workspaces.models import Membership, Role

    membership = Membership.objects.select_related("workspace", "user").get(
        workspace__slug=FOCUS_SLUG, role=Role.OWNER
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seeded_at FROM {MARKER}")
        (seeded_at,) = cursor.fetchone()
    return Platform(membership.workspace, membership.user, seeded_at)


def _migrations_applied() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), max(id) FROM django_migrations")
        count, last = cursor.fetchone()
    return f"{count}:{last}"


def _tenant_tables() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'workspace_id' ORDER BY 1"
        )
        return [name for (name,) in cursor.fetchall()]


def _delete_platform_data() -> None:
    """Remove the platform's workspaces (only those: the database may be shared)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {ALONE_SCHEMA} CASCADE")
        cursor.execute(
            "SELECT id FROM workspaces_workspace WHERE slug LIKE 'platform-%%' ORDER BY id"
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        if ids:
            note(f"deleting the old platform seed ({len(ids)} workspaces)")
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table in _tenant_tables():
                cursor.execute(f"DELETE FROM {table} WHERE workspace_id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM workspaces_workspace WHERE id = ANY(%s)", [ids])
            cursor.execute(
                "DELETE FROM otp_totp_totpdevice WHERE user_id IN "
                "(SELECT id FROM accounts_user WHERE email LIKE '%%@platform.bench.test')"
            )
            cursor.execute("DELETE FROM accounts_user WHERE email LIKE '%%@platform.bench.test'")
        cursor.execute(f"DELETE FROM {MARKER}")


def _columns(cursor: Any, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [name for (name,) in cursor.fetchall()]


def _copy_rows(
    cursor: Any,
    table: str,
    template_id: int,
    overrides: dict[str, str],
    source: str,
    params: dict[str, Any],
) -> None:
    """INSERT a row into ``table`` per workspace but the focus one: the template row's columns
    but ``overrides`` (SQL expressions over ``source``), so that the columns with no database
    default stay right however the model grows."""
    columns = _columns(cursor, table)
    select = ", ".join(overrides.get(c, f"t.{c}") for c in columns)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} "
        f"FROM {table} AS t, {source} WHERE t.id = %(template)s AND pw.n > 0",
        {**params, "template": template_id},
    )


def _set_sequence(cursor: Any, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
    )


def _seed() -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from secportal.workspaces.models import Membership, Plan, Role, Workspace

    with transaction.atomic(), connection.cursor() as cursor:
        # The rows are consistent by construction: no per-row foreign-key triggers.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SELECT setseed(0.19)")
        focus = Workspace.objects.create(
            name="Platform focus",
            slug=FOCUS_SLUG,
            plan=Plan.PRO,
            timezone="Europe/London",
            default_currency="GBP",
            overdue_reminders=False,
            next_invoice_number=INVOICES + 1,
        )
        owner = get_user_model().objects.create_user(
            email="owner@platform.bench.test", password=None
        )
        Membership.objects.create(user=owner, workspace=focus, role=Role.OWNER)
        cursor.execute("SELECT now()")
        (seeded_at,) = cursor.fetchone()

        note(f"platform seed: {WORKSPACES} workspaces and their owners")
        cursor.execute("SELECT coalesce(max(id), 0) FROM workspaces_workspace")
        (wbase,) = cursor.fetchone()
        cursor.execute("SELECT coalesce(max(id), 0) FROM accounts_user")
        (ubase,) = cursor.fetchone()
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM clients_client")
        (cbase,) = cursor.fetchone()
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM engagements_engagement")
        (ebase,) = cursor.fetchone()
        # pw: one row per workspace n (0 = the focus one) with its ids and sizes.
        cursor.execute(
            "CREATE TEMP TABLE pw ON COMMIT DROP AS "
            "SELECT n, CASE WHEN n = 0 THEN %(focus)s ELSE %(wbase)s + n END AS ws_id, "
            "CASE WHEN n = 0 THEN %(owner)s ELSE %(ubase)s + n END AS owner_id, "
            "CASE WHEN n = 0 THEN %(focus_tz)s ELSE (%(tzs)s::text[])[1 + n %% %(ntz)s] END AS tz, "
            "CASE WHEN n = 0 THEN %(cbase)s ELSE %(cbase)s + %(fc)s + (n - 1) * %(c)s END "
            "  AS client_base, "
            "CASE WHEN n = 0 THEN %(fc)s ELSE %(c)s END AS nclients, "
            "CASE WHEN n = 0 THEN %(ebase)s ELSE %(ebase)s + %(fe)s + (n - 1) * %(e)s END "
            "  AS eng_base, "
            "CASE WHEN n = 0 THEN %(fe)s ELSE %(e)s END AS neng "
            "FROM generate_series(0, %(last)s) AS n",
            {
                "focus": focus.pk,
                "owner": owner.pk,
                "wbase": wbase,
                "ubase": ubase,
                "cbase": cbase,
                "ebase": ebase,
                "focus_tz": "Europe/London",
                "tzs": list(TIMEZONES),
                "ntz": len(TIMEZONES),
                "fc": FOCUS_CLIENTS,
                "fe": FOCUS_ENGAGEMENTS,
                "c": CLIENTS,
                "e": ENGAGEMENTS,
                "last": WORKSPACES - 1,
            },
        )
        cursor.execute("CREATE UNIQUE INDEX ON pw (n)")
        _copy_rows(
            cursor,
            "workspaces_workspace",
            focus.pk,
            {
                "id": "pw.ws_id",
                "name": "'Platform workspace ' || pw.n",
                "slug": "'platform-w' || lpad(pw.n::text, 5, '0')",
                "timezone": "pw.tz",
            },
            "pw",
            {},
        )
        _copy_rows(
            cursor,
            "accounts_user",
            owner.pk,
            {"id": "pw.owner_id", "email": "'owner-' || pw.n || '@platform.bench.test'"},
            "pw",
            {},
        )
        cursor.execute(
            "INSERT INTO workspaces_membership (role, created_at, user_id, workspace_id) "
            "SELECT %s, now(), owner_id, ws_id FROM pw WHERE n > 0",
            [Role.OWNER],
        )
        for table in ("workspaces_workspace", "accounts_user"):
            _set_sequence(cursor, table)

        note("platform seed: clients and engagements")
        cursor.execute(
            "INSERT INTO clients_client (id, workspace_id, public_id, name, billing_email, "
            "address, created_at) "
            "SELECT pw.client_base + k, pw.ws_id, gen_random_uuid(), "
            "'Client ' || lpad(k::text, 3, '0') || ' of ' || pw.n || ' Ltd', "
            "'ap@client' || pw.n || '-' || k || '.example', '', now() "
            "FROM pw, generate_series(0, pw.nclients - 1) AS k"
        )
        cursor.execute(
            "INSERT INTO engagements_engagement (id, workspace_id, public_id, client_id, name, "
            "reference, status, start_date, end_date, created_at) "
            "SELECT pw.eng_base + k, pw.ws_id, gen_random_uuid(), "
            "pw.client_base + k % pw.nclients, "
            "'Penetration test ' || k, 'ENG-' || lpad(k::text, 4, '0'), 'active', "
            "current_date - (k * 7), NULL, now() "
            "FROM pw, generate_series(0, pw.neng - 1) AS k"
        )
        for table in ("clients_client", "engagements_engagement"):
            _set_sequence(cursor, table)

        note(f"platform seed: {INVOICES} invoices (the longest step)")
        started = time.monotonic()
        # Indexes built once over the rows are much faster than kept up row by row (the
        # trigram ones above all): dropped for the INSERT, created again after it.
        indexes = _drop_indexes(cursor, "invoicing_invoice") + _drop_indexes(
            cursor, "payments_payment"
        )
        cursor.execute(
            _INVOICES_INSERT,
            {"n": INVOICES, "every": FOCUS_EVERY, "others": WORKSPACES - 1, "seeded": seeded_at},
        )
        note(f"platform seed: invoices in {time.monotonic() - started:.0f} s; payments")
        cursor.execute(_PAYMENTS_INSERT, {"focus": focus.pk, "seeded": seeded_at})
        note(f"platform seed: building {len(indexes)} indexes again")
        for definition in indexes:
            cursor.execute(definition)
        note("platform seed: checkout attempts")
        cursor.execute(
            _ATTEMPTS_INSERT,
            {"n": STALE_OPEN_ATTEMPTS, "status": "open", "seeded": seeded_at},
        )
        cursor.execute(
            _ATTEMPTS_INSERT,
            {"n": EXPIRED_ATTEMPTS, "status": "expired", "seeded": seeded_at},
        )
        cursor.execute(
            f"INSERT INTO {MARKER} (version, seeded_at) VALUES (%s, %s)", [_version(), seeded_at]
        )
    note("platform seed: VACUUM ANALYZE")
    with connection.cursor() as cursor:
        for table in (
            "workspaces_workspace",
            "accounts_user",
            "workspaces_membership",
            "clients_client",
            "engagements_engagement",
            "invoicing_invoice",
            "payments_payment",
            "payments_checkoutattempt",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def _drop_indexes(cursor: Any, table: str) -> list[str]:
    """Drop the table's indexes that back no constraint; returns their definitions."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
        "AND tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    rows = cursor.fetchall()
    for name, _ in rows:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in rows]


# Invoice i (1-based, in creation order) belongs to workspace n: the focus one (0) every
# FOCUS_EVERY-th, else one of the others spread evenly (7919 is prime to 9,999).
_INVOICES_INSERT = """
INSERT INTO invoicing_invoice (
    workspace_id, public_id, client_id, engagement_id, number, status, amount, currency,
    description, issue_date, due_date, sent_at, overdue_at, reminder_sent_at, paid_at,
    voided_at, refunded_amount, paid_amount, attention, created_by_id, created_at, updated_at
)
WITH s AS (
    SELECT i,
           CASE WHEN i %% %(every)s = 0 THEN 0 ELSE 1 + (i::bigint * 7919) %% %(others)s END AS n,
           random() AS r_status, random() AS r_cur, random() AS r_eng, random() AS r_amt,
           random() AS r_k,
           %(seeded)s::timestamptz - interval '3 years'
               + (i - 1) * (interval '3 years' / %(n)s) AS created
    FROM generate_series(1, %(n)s) AS i
), t AS (
    SELECT s.*, pw.ws_id, pw.owner_id, pw.client_base, pw.nclients, pw.eng_base,
           floor(r_k * pw.neng)::int AS k,
           CASE WHEN created > %(seeded)s::timestamptz - interval '40 days' THEN
                    CASE WHEN r_status < 0.10 THEN 'draft' ELSE 'sent' END
                WHEN r_status < 0.02 THEN 'draft' WHEN r_status < 0.09 THEN 'overdue'
                WHEN r_status < 0.14 THEN 'void' ELSE 'paid' END AS status
    FROM s JOIN pw USING (n)
)
SELECT ws_id, gen_random_uuid(), client_base + k %% nclients,
       CASE WHEN r_eng < 0.1 THEN NULL ELSE eng_base + k END,
       CASE WHEN status = 'draft' THEN NULL ELSE 'INV-' || lpad(i::text, 7, '0') END,
       status,
       30000 + floor(r_amt * 2000000)::bigint AS amount,
       CASE WHEN r_cur < 0.60 THEN 'GBP' WHEN r_cur < 0.85 THEN 'USD' ELSE 'EUR' END,
       'Penetration test fieldwork, phase ' || (i %% 7 + 1) || ' (platform #' || i || ')',
       CASE WHEN status = 'draft' THEN NULL ELSE created::date END,
       CASE WHEN status = 'draft' THEN NULL ELSE created::date + 30 END,
       CASE WHEN status = 'draft' THEN NULL ELSE created + interval '1 hour' END,
       CASE WHEN status = 'overdue' THEN created + interval '31 days' END,
       NULL::timestamptz,
       CASE WHEN status = 'paid'
            THEN least(%(seeded)s::timestamptz,
                       created + (5 + floor(r_amt * 40)) * interval '1 day')
       END,
       CASE WHEN status = 'void' THEN created + interval '2 days' END,
       0,
       CASE WHEN status = 'paid' THEN 30000 + floor(r_amt * 2000000)::bigint ELSE 0 END,
       '', owner_id, created, created
FROM t
ORDER BY i
"""

_PAYMENTS_INSERT = """
INSERT INTO payments_payment (
    workspace_id, invoice_id, attempt_id, stripe_account_id, checkout_session_id,
    payment_intent_id, charge_id, amount, currency, application_fee, net, paid_at,
    refunded_amount, refunded_fee, duplicate, payer_email, created_at
)
SELECT workspace_id, id, NULL, 'acct_platform_' || workspace_id, 'cs_platform_' || id,
       'pi_platform_' || id, 'ch_platform_' || id, amount, currency, amount / 100,
       amount - amount / 100, paid_at, 0, 0, false, '', paid_at
FROM invoicing_invoice
WHERE status = 'paid' AND workspace_id IN (SELECT ws_id FROM pw)
  AND (workspace_id = %(focus)s OR paid_at > %(seeded)s::timestamptz - interval '13 months')
ORDER BY paid_at, id
"""

# Attempts for sent (open) or paid (expired) invoices, spread over the workspaces.
_ATTEMPTS_INSERT = """
INSERT INTO payments_checkoutattempt (
    workspace_id, invoice_id, number, status, stripe_account_id, session_id, url, amount,
    currency, application_fee, fee_bps, idempotency_key, request, expires_at, created_at
)
SELECT workspace_id, id, 1, %(status)s, 'acct_platform_' || workspace_id,
       'cs_platform_' || %(status)s || '_' || id, 'https://checkout.stripe.test/' || id, amount,
       currency, amount / 100, 100, 'platform-attempt-' || id, '{}'::jsonb,
       %(seeded)s::timestamptz - interval '1 hour',
       %(seeded)s::timestamptz - interval '1 day'
FROM (
    SELECT id, workspace_id, amount, currency,
           row_number() OVER (ORDER BY (id * 2654435761) %% 4294967296) AS r
    FROM invoicing_invoice
    WHERE workspace_id IN (SELECT ws_id FROM pw)
      AND status = CASE WHEN %(status)s = 'open' THEN 'sent' ELSE 'paid' END
) AS chosen
WHERE r <= %(n)s
"""


def _build_alone(migrations: str) -> None:
    """The schema holding only the focus workspace's rows (same ids), every table alike."""
    from django.db import connection, transaction

    from secportal.workspaces.models import Workspace

    focus = Workspace.objects.get(slug=FOCUS_SLUG).pk
    note(f"copying the focus workspace alone into schema {ALONE_SCHEMA}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {ALONE_SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {ALONE_SCHEMA}")
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' AND table_name <> %s ORDER BY 1",
            [MARKER],
        )
        tables = [name for (name,) in cursor.fetchall()]
        tenant = set(_tenant_tables())
        for table in tables:
            cursor.execute(
                f"CREATE TABLE {ALONE_SCHEMA}.{table} (LIKE public.{table} INCLUDING ALL)"
            )
            columns = set(_columns(cursor, table))
            members = (
                f"SELECT user_id FROM public.workspaces_membership WHERE workspace_id = {focus}"
            )
            invoices = f"SELECT id FROM public.invoicing_invoice WHERE workspace_id = {focus}"
            if table in tenant:
                where = f"workspace_id = {focus}"
            elif table == "workspaces_workspace":
                where = f"id = {focus}"
            elif table == "accounts_user":
                where = f"id IN ({members})"
            elif "invoice_id" in columns:
                where = f"invoice_id IN ({invoices})"
            elif "user_id" in columns:
                where = f"user_id IN ({members})"
            else:
                where = "true"
            cursor.execute(
                f"INSERT INTO {ALONE_SCHEMA}.{table} SELECT * FROM public.{table} WHERE {where}"
            )
        cursor.execute(f"UPDATE {MARKER} SET migrations = %s", [migrations])
    with connection.cursor() as cursor:
        for table in tables:
            # As the platform's tables after the seed: statistics and the visibility map.
            cursor.execute(f"VACUUM ANALYZE {ALONE_SCHEMA}.{table}")


def refresh_alone_sessions(user_id: int) -> None:
    """The sessions and two-factor devices made by this run, copied into the alone schema."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table, where in (
            ("django_session", "true"),
            ("otp_totp_totpdevice", f"user_id = {int(user_id)}"),
            ("accounts_user", f"id = {int(user_id)}"),
        ):
            cursor.execute(f"DELETE FROM {ALONE_SCHEMA}.{table} WHERE {where}")
            cursor.execute(
                f"INSERT INTO {ALONE_SCHEMA}.{table} SELECT * FROM public.{table} WHERE {where}"
            )


def use_schema(alone: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET search_path TO {ALONE_SCHEMA if alone else 'public'}")
