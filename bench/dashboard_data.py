"""The dashboard's data set: invoices, payments and refunds over five years, seeded once.

``bench/data.py``'s workspaces do not fit the dashboard's target (3 years, 120,000 paid
invoices in bench-big, 20,000 beside it), so this module seeds its own, in one transaction
with ``INSERT … SELECT generate_series``, and keeps them while they are complete:

- ``bench-dash``: 200,000 invoices created over the 5 years up to ``ANCHOR`` (200 clients,
  600 engagements), 150,000 of them paid (one payment each, ~3 % refunded in full or in part,
  ~0.25 % with a second, duplicate payment refunded automatically);
- ``bench-dash-other``: the same beside it (ids interleaved), so that scoping matters;
- ``bench-dash-small``: 10 invoices over the last 6 months, for the number of queries.

Statuses by a fixed permutation of the invoice's index: draft/sent/overdue/paid/void
3/10/7/75/5 % (so exactly 75 % paid or refunded); currencies USD/GBP/EUR 60/25/15 %; workspace
timezone America/New_York (month boundaries 4-5 hours from UTC's). Everything is dated
relative to the fixed ``ANCHOR`` (the dashboard's "today"), never ``now()``, so the figures do
not drift. Bump ``DASH_SEED_VERSION`` to reseed; only ``bench-dash*`` workspaces are deleted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from bench.common import note

DASH_SEED_VERSION = 1
TIMEZONE = "America/New_York"
# The dashboard's fixed "today": noon in New York on this date.
TODAY = datetime.date(2026, 11, 15)
ANCHOR = "2026-11-15 17:00:00+00"


@dataclass(frozen=True)
class DashSpec:
    slug: str
    invoices: int
    clients: int
    engagements: int
    span: str  # the PostgreSQL interval the invoices are created over, up to ANCHOR

    @property
    def name(self) -> str:
        return f"{self.slug} (dash seed v{DASH_SEED_VERSION})"

    @property
    def owner_email(self) -> str:
        return f"owner@{self.slug}.bench.test"

    @property
    def paid(self) -> int:
        """Invoices paid (or refunded): exactly those whose status bucket is 20-94."""
        return sum(1 for i in range(1, self.invoices + 1) if 20 <= (i * 7919) % 100 < 95)


DASH = DashSpec("bench-dash", 200_000, 200, 600, "5 years")
DASH_OTHER = DashSpec("bench-dash-other", 200_000, 200, 600, "5 years")
DASH_SMALL = DashSpec("bench-dash-small", 10, 3, 5, "6 months")
DASH_SPECS = (DASH, DASH_OTHER, DASH_SMALL)


@dataclass
class DashTenant:
    spec: DashSpec
    workspace: Any
    owner: Any


def ensure_dashboard_data() -> dict[str, DashTenant]:
    """The dashboard workspaces by slug, seeding them first unless they are there and complete."""
    if not _complete():
        _delete()
        _seed()
        _analyze()
    return _tenants()


def _tenants() -> dict[str, DashTenant]:
    from secportal.workspaces.models import Membership, Role

    tenants = {}
    for spec in DASH_SPECS:
        membership = Membership.objects.select_related("workspace", "user").get(
            workspace__slug=spec.slug, role=Role.OWNER
        )
        tenants[spec.slug] = DashTenant(spec, membership.workspace, membership.user)
    return tenants


def _complete() -> bool:
    from secportal.invoicing.models import Invoice
    from secportal.payments.models import Payment
    from secportal.workspaces.models import Membership, Role, Workspace

    for spec in DASH_SPECS:
        workspace = Workspace.objects.filter(slug=spec.slug, name=spec.name).first()
        if workspace is None:
            return False
        if not Membership.objects.filter(workspace=workspace, role=Role.OWNER).exists():
            return False
        if Invoice.unscoped.filter(workspace=workspace).count() != spec.invoices:
            return False
        paid = Payment.unscoped.filter(workspace=workspace, duplicate=False).count()
        if paid != spec.paid:
            return False
    return True


def _delete() -> None:
    """Remove the bench-dash* workspaces (only those) and their owners."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from secportal.clients.models import Client, ClientContact
    from secportal.engagements.models import Engagement
    from secportal.invoicing.models import Invoice, InvoiceEvent
    from secportal.payments.models import CheckoutAttempt, Payment, Refund
    from secportal.workspaces.models import Workspace

    ids = list(Workspace.objects.filter(slug__startswith="bench-dash").values_list("pk", flat=True))
    with transaction.atomic():
        if ids:
            note(f"deleting the old dashboard workspaces {ids}")
            with connection.cursor() as cursor:
                for model in (
                    InvoiceEvent,
                    Refund,
                    Payment,
                    CheckoutAttempt,
                    Invoice,
                    Engagement,
                    ClientContact,
                    Client,
                ):
                    cursor.execute(
                        f"DELETE FROM {model._meta.db_table} WHERE workspace_id = ANY(%s)", [ids]
                    )
            Workspace.objects.filter(pk__in=ids).delete()
        get_user_model().objects.filter(
            email__in=[spec.owner_email for spec in DASH_SPECS]
        ).delete()


def _seed() -> None:
    """Workspaces, owners, clients, engagements; every workspace's invoices in one INSERT
    ordered by creation time (ids interleave); then payments by payment time; then refunds."""
    from django.db import connection, transaction

    from secportal.invoicing.models import Invoice
    from secportal.payments.models import Payment, Refund

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.17)")
        selects: list[str] = []
        params: dict[str, Any] = {}
        ids: list[int] = []
        for n, spec in enumerate(DASH_SPECS):
            note(f"seeding {spec.slug}: {spec.invoices} invoices over {spec.span}")
            ws, owner, client_ids, engagement_ids = _workspace(cursor, spec)
            ids.append(ws)
            selects.append(_INVOICES_SELECT.replace("%(", f"%({n}_"))
            params.update(
                {
                    f"{n}_ws": ws,
                    f"{n}_n": spec.invoices,
                    f"{n}_span": spec.span,
                    f"{n}_neng": spec.engagements,
                    f"{n}_nclients": spec.clients,
                    f"{n}_client_ids": client_ids,
                    f"{n}_engagement_ids": engagement_ids,
                    f"{n}_owner": owner,
                    f"{n}_anchor": ANCHOR,
                    f"{n}_tz": TIMEZONE,
                }
            )
        cursor.execute(
            _INVOICES_INSERT.format(
                table=Invoice._meta.db_table, selects=" UNION ALL ".join(selects)
            ),
            params,
        )
        note("seeding their payments (one per paid invoice, a few duplicates)")
        cursor.execute(
            _PAYMENTS_INSERT.format(table=Payment._meta.db_table, invoices=Invoice._meta.db_table),
            {"ids": ids, "anchor": ANCHOR},
        )
        note(f"{cursor.rowcount} payments; seeding the refunds")
        cursor.execute(
            _REFUNDS_INSERT.format(table=Refund._meta.db_table, payments=Payment._meta.db_table),
            {"ids": ids, "anchor": ANCHOR},
        )
        note(f"{cursor.rowcount} refunds")


# One workspace's invoices; engagement k (0-based) belongs to client k % nclients, as seeded.
# The status comes from a fixed permutation of i (7919 is prime to 100), so exactly 75 % are
# paid or refunded; 2 % of those are refunded in full, 1 % in part (half).
_INVOICES_SELECT = """
(WITH bounds AS (
    SELECT %(anchor)s::timestamptz AS anchor,
           %(anchor)s::timestamptz - %(span)s::interval AS start
), s AS (
    SELECT i, (i * 7919) %% 100 AS bucket,
           floor(random() * %(neng)s)::int AS k,
           random() AS r_cur, random() AS r_eng, random() AS r_amt, random() AS r_pay,
           random() AS r_ref,
           start + (i - 1) * ((anchor - start) / %(n)s) AS created, anchor
    FROM generate_series(1, %(n)s) AS i, bounds
), t AS (
    SELECT s.*,
           CASE WHEN bucket < 3 THEN 'draft' WHEN bucket < 13 THEN 'sent'
                WHEN bucket < 20 THEN 'overdue'
                WHEN bucket < 95 THEN CASE WHEN r_ref < 0.02 THEN 'refunded' ELSE 'paid' END
                ELSE 'void' END AS status,
           30000 + floor(r_amt * 2000000)::bigint AS amt
    FROM s
)
SELECT %(ws)s::bigint AS workspace_id, gen_random_uuid() AS public_id,
       (%(client_ids)s::bigint[])[1 + k %% %(nclients)s] AS client_id,
       CASE WHEN r_eng < 0.1 THEN NULL ELSE (%(engagement_ids)s::bigint[])[1 + k] END
           AS engagement_id,
       CASE WHEN status = 'draft' THEN NULL ELSE 'INV-' || lpad(i::text, 6, '0') END AS number,
       status, amt AS amount,
       CASE WHEN r_cur < 0.60 THEN 'USD' WHEN r_cur < 0.85 THEN 'GBP' ELSE 'EUR' END AS currency,
       'Penetration test fieldwork, phase ' || (i %% 7 + 1) || ' (dash #' || i || ')'
           AS description,
       CASE WHEN status = 'draft' THEN NULL ELSE (created AT TIME ZONE %(tz)s)::date END
           AS issue_date,
       CASE WHEN status = 'draft' THEN NULL ELSE (created AT TIME ZONE %(tz)s)::date + 30 END
           AS due_date,
       CASE WHEN status = 'draft' THEN NULL ELSE created + interval '1 hour' END AS sent_at,
       CASE WHEN status = 'overdue' THEN created + interval '31 days' END AS overdue_at,
       NULL::timestamptz AS reminder_sent_at,
       CASE WHEN status IN ('paid', 'refunded')
            THEN least(anchor, created + interval '1 hour'
                       + (1 + floor(r_pay * 60)) * interval '1 day' + r_pay * interval '9 hours')
       END AS paid_at,
       CASE WHEN status = 'void' THEN created + interval '2 days' END AS voided_at,
       CASE WHEN status = 'refunded' THEN amt
            WHEN status = 'paid' AND r_ref < 0.03 THEN amt / 2 ELSE 0 END AS refunded_amount,
       '' AS attention, %(owner)s::bigint AS created_by_id,
       created AS created_at, created AS updated_at
FROM t)
"""

_INVOICES_INSERT = """
INSERT INTO {table} (
    workspace_id, public_id, client_id, engagement_id, number, status, amount, currency,
    description, issue_date, due_date, sent_at, overdue_at, reminder_sent_at, paid_at,
    voided_at, refunded_amount, attention, created_by_id, created_at, updated_at
)
SELECT * FROM ({selects}) AS invoices ORDER BY created_at
"""

# One payment per paid (or refunded) invoice at its paid_at, the platform fee 1 %; a second,
# duplicate payment two hours later for one paid invoice in 397, refunded in full.
_PAYMENTS_INSERT = """
INSERT INTO {table} (
    workspace_id, invoice_id, attempt_id, stripe_account_id, checkout_session_id,
    payment_intent_id, charge_id, amount, currency, application_fee, net, paid_at,
    refunded_amount, refunded_fee, duplicate, payer_email, created_at
)
SELECT workspace_id, invoice_id, NULL, 'acct_bench_' || workspace_id, session, 'pi_' || session,
       'ch_' || session, amount, currency, amount / 100, amount - amount / 100, paid_at,
       refunded, (amount / 100) * refunded / amount, duplicate, '', paid_at
FROM (
    SELECT workspace_id, id AS invoice_id, 'cs_bench_' || id AS session, amount, currency,
           paid_at, refunded_amount AS refunded, false AS duplicate
    FROM {invoices}
    WHERE workspace_id = ANY(%(ids)s) AND status IN ('paid', 'refunded')
    UNION ALL
    SELECT workspace_id, id, 'cs_bench_dup_' || id, amount, currency,
           least(%(anchor)s::timestamptz, paid_at + interval '2 hours'), amount, true
    FROM {invoices}
    WHERE workspace_id = ANY(%(ids)s) AND status = 'paid' AND id %% 397 = 0
) AS p
ORDER BY paid_at, invoice_id
"""

# One refund per refunded payment, 1 to 40 days after it (never after ANCHOR).
_REFUNDS_INSERT = """
INSERT INTO {table} (
    workspace_id, payment_id, stripe_refund_id, amount, currency, fee_refunded, refunded_at
)
SELECT workspace_id, id, 're_bench_' || id, refunded_amount, currency, refunded_fee,
       least(%(anchor)s::timestamptz,
             paid_at + (1 + id %% 40) * interval '1 day' + interval '3 hours') AS refunded_at
FROM {payments}
WHERE workspace_id = ANY(%(ids)s) AND refunded_amount > 0
ORDER BY refunded_at, id
"""


def _workspace(cursor: Any, spec: DashSpec) -> tuple[int, int, list[int], list[int]]:
    from django.contrib.auth import get_user_model

    from secportal.clients.models import Client
    from secportal.engagements.models import Engagement
    from secportal.workspaces.models import Membership, Plan, Role, Workspace

    workspace = Workspace.objects.create(
        name=spec.name,
        slug=spec.slug,
        plan=Plan.PRO,
        timezone=TIMEZONE,
        default_currency="USD",
        overdue_reminders=False,
        next_invoice_number=spec.invoices + 1,
    )
    owner = get_user_model().objects.create_user(email=spec.owner_email, password=None)
    Membership.objects.create(user=owner, workspace=workspace, role=Role.OWNER)
    cursor.execute(
        f"INSERT INTO {Client._meta.db_table} "
        "(workspace_id, public_id, name, billing_email, address, created_at) "
        "SELECT %s, gen_random_uuid(), 'Client ' || lpad(i::text, 4, '0') || ' Ltd', "
        "'ap@client' || i || '.example', '', %s "
        "FROM generate_series(1, %s) AS i ORDER BY i RETURNING id",
        [workspace.pk, ANCHOR, spec.clients],
    )
    client_ids = sorted(row[0] for row in cursor.fetchall())
    cursor.execute(
        f"INSERT INTO {Engagement._meta.db_table} "
        "(workspace_id, public_id, client_id, name, reference, status, start_date, "
        "end_date, created_at) "
        "SELECT %s, gen_random_uuid(), (%s::bigint[])[1 + (j - 1) %% %s], "
        "'Penetration test ' || j, 'ENG-' || lpad(j::text, 4, '0'), 'active', "
        "%s::date - (j %% 1800), NULL, %s "
        "FROM generate_series(1, %s) AS j ORDER BY j RETURNING id",
        [workspace.pk, client_ids, spec.clients, TODAY, ANCHOR, spec.engagements],
    )
    engagement_ids = sorted(row[0] for row in cursor.fetchall())
    return workspace.pk, owner.pk, client_ids, engagement_ids


def _analyze() -> None:
    from django.db import connection

    from secportal.clients.models import Client
    from secportal.invoicing.models import Invoice
    from secportal.payments.models import Payment, Refund

    with connection.cursor() as cursor:
        for model in (Client, Invoice, Payment, Refund):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
