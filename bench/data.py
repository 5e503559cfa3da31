"""The benchmark data set, seeded with INSERT … SELECT generate_series and kept between runs.

Three workspaces, each with its owner (overdue reminders off):

- ``bench-big``: 200,000 invoices, 200 clients, 600 engagements (the one the targets measure);
- ``bench-other``: 20,000 invoices beside it, so that workspace scoping matters;
- ``bench-small``: 10 invoices, to compare the number of queries with.

Statuses draft/sent/overdue/paid/void (5/20/10/60/5 %), currencies GBP/USD/EUR (60/25/15 %),
created over the last 3 years (ids ascend with ``created_at``, the workspaces' ids
interleaved), due 30 days after issue, about
one invoice in ten without an engagement. The data is left in place; it is seeded again only
when a workspace is missing, of the wrong size, or ``SEED_VERSION`` changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.common import note

SEED_VERSION = 2


@dataclass(frozen=True)
class Spec:
    slug: str
    invoices: int
    clients: int
    engagements: int

    @property
    def name(self) -> str:
        return f"{self.slug} (seed v{SEED_VERSION})"

    @property
    def owner_email(self) -> str:
        return f"owner@{self.slug}.bench.test"


BIG = Spec("bench-big", 200_000, 200, 600)
OTHER = Spec("bench-other", 20_000, 40, 120)
SMALL = Spec("bench-small", 10, 3, 5)
SPECS = (BIG, OTHER, SMALL)


@dataclass
class Tenant:
    spec: Spec
    workspace: Any
    owner: Any


def ensure_invoice_data() -> dict[str, Tenant]:
    """The bench workspaces by slug, seeding them first unless they are there and complete."""
    if not _complete():
        _delete_bench_data()
        _seed_all()
        _analyze()
    return _tenants()


def _tenants() -> dict[str, Tenant]:
    from secportal.workspaces.models import Membership, Role

    tenants = {}
    for spec in SPECS:
        membership = Membership.objects.select_related("workspace", "user").get(
            workspace__slug=spec.slug, role=Role.OWNER
        )
        tenants[spec.slug] = Tenant(spec, membership.workspace, membership.user)
    return tenants


#: Invoices made through the services beside the seed (``bench.pages.paid_invoice_url``) end
#: their description with this mark; the seed's counts leave them out.
MADE_MARK = "(bench: paid through Stripe, with its history)"


def _complete() -> bool:
    from secportal.invoicing.models import Invoice
    from secportal.workspaces.models import Workspace

    for spec in SPECS:
        workspace = Workspace.objects.filter(slug=spec.slug, name=spec.name).first()
        if workspace is None:
            return False
        seeded = Invoice.unscoped.filter(workspace=workspace).exclude(
            description__endswith=MADE_MARK
        )
        if seeded.count() != spec.invoices:
            return False
    return True


def _delete_bench_data() -> None:
    """Remove every bench workspace (only those: the database may be shared)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from secportal.clients.models import Client, ClientContact
    from secportal.engagements.models import Engagement
    from secportal.invoicing.models import Invoice, InvoiceEvent, InvoiceLine
    from secportal.notifications.models import EmailMessage
    from secportal.payments.models import CheckoutAttempt, Payment, Refund
    from secportal.workspaces.models import Workspace

    ids = list(Workspace.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
    with transaction.atomic():
        if ids:
            note(f"deleting the old bench workspaces {ids}")
            # bench.pages' paid invoice was made through the services: its emails (and their
            # attachments) go through the ORM, its lines with the rest.
            EmailMessage.objects.filter(workspace_id__in=ids).delete()
            with connection.cursor() as cursor:
                for model in (
                    InvoiceLine,
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
        get_user_model().objects.filter(email__endswith=".bench.test").delete()


def _seed_all() -> None:
    """Workspaces, owners, clients, engagements; then every workspace's invoices in one INSERT,
    ordered by creation time, so that their ids interleave as they would in production."""
    from django.db import connection, transaction

    from secportal.invoicing.models import Invoice

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        selects, params = [], {}
        for n, spec in enumerate(SPECS):
            note(f"seeding {spec.slug}: {spec.invoices} invoices")
            ws, owner, client_ids, engagement_ids = _seed_workspace(cursor, spec)
            selects.append(_INVOICES_SELECT.replace("%(", f"%({n}_"))
            params.update(
                {
                    f"{n}_ws": ws,
                    f"{n}_n": spec.invoices,
                    f"{n}_neng": spec.engagements,
                    f"{n}_nclients": spec.clients,
                    f"{n}_client_ids": client_ids,
                    f"{n}_engagement_ids": engagement_ids,
                    f"{n}_owner": owner,
                }
            )
        cursor.execute(
            _INVOICES_INSERT.format(
                table=Invoice._meta.db_table, selects=" UNION ALL ".join(selects)
            ),
            params,
        )


def _seed_workspace(cursor: Any, spec: Spec) -> tuple[int, int, list[int], list[int]]:
    from django.contrib.auth import get_user_model

    from secportal.clients.models import Client
    from secportal.engagements.models import Engagement
    from secportal.workspaces.models import Membership, Plan, Role, Workspace

    workspace = Workspace.objects.create(
        name=spec.name,
        slug=spec.slug,
        plan=Plan.PRO,
        timezone="Europe/London",
        default_currency="GBP",
        overdue_reminders=False,
        next_invoice_number=spec.invoices + 1,
    )
    owner = get_user_model().objects.create_user(email=spec.owner_email, password=None)
    Membership.objects.create(user=owner, workspace=workspace, role=Role.OWNER)
    cursor.execute(
        f"INSERT INTO {Client._meta.db_table} "
        "(workspace_id, public_id, name, billing_email, address, created_at) "
        "SELECT %s, gen_random_uuid(), 'Client ' || lpad(i::text, 4, '0') || ' Ltd', "
        "'ap@client' || i || '.example', '', now() "
        "FROM generate_series(1, %s) AS i ORDER BY i RETURNING id",
        [workspace.pk, spec.clients],
    )
    client_ids = sorted(row[0] for row in cursor.fetchall())
    cursor.execute(
        f"INSERT INTO {Engagement._meta.db_table} "
        "(workspace_id, public_id, client_id, name, reference, status, start_date, "
        "end_date, created_at) "
        "SELECT %s, gen_random_uuid(), (%s::bigint[])[1 + (j - 1) %% %s], "
        "'Penetration test ' || j, 'ENG-' || lpad(j::text, 4, '0'), 'active', "
        "current_date - (j %% 1000), NULL, now() "
        "FROM generate_series(1, %s) AS j ORDER BY j RETURNING id",
        [workspace.pk, client_ids, spec.clients, spec.engagements],
    )
    engagement_ids = sorted(row[0] for row in cursor.fetchall())
    return workspace.pk, owner.pk, client_ids, engagement_ids


# One workspace's invoices; engagement k (0-based) belongs to client k % nclients, as seeded.
_INVOICES_SELECT = """
(WITH s AS (
    SELECT i,
           floor(random() * %(neng)s)::int AS k,
           random() AS r_status, random() AS r_cur, random() AS r_eng, random() AS r_amt,
           now() - interval '3 years' + (i - 1) * (interval '3 years' / %(n)s) AS created
    FROM generate_series(1, %(n)s) AS i
), t AS (
    SELECT s.*,
           CASE WHEN r_status < 0.05 THEN 'draft' WHEN r_status < 0.25 THEN 'sent'
                WHEN r_status < 0.35 THEN 'overdue' WHEN r_status < 0.95 THEN 'paid'
                ELSE 'void' END AS status
    FROM s
)
SELECT %(ws)s::bigint AS workspace_id, gen_random_uuid() AS public_id,
       (%(client_ids)s::bigint[])[1 + k %% %(nclients)s] AS client_id,
       CASE WHEN r_eng < 0.1 THEN NULL ELSE (%(engagement_ids)s::bigint[])[1 + k] END
           AS engagement_id,
       CASE WHEN status = 'draft' THEN NULL ELSE 'INV-' || lpad(i::text, 6, '0') END AS number,
       status,
       30000 + floor(r_amt * 2000000)::bigint AS amount,
       CASE WHEN r_cur < 0.60 THEN 'GBP' WHEN r_cur < 0.85 THEN 'USD' ELSE 'EUR' END AS currency,
       'Penetration test fieldwork, phase ' || (i %% 7 + 1) || ' (bench #' || i || ')'
           AS description,
       CASE WHEN status = 'draft' THEN NULL ELSE created::date END AS issue_date,
       CASE WHEN status = 'draft' THEN NULL ELSE created::date + 30 END AS due_date,
       CASE WHEN status = 'draft' THEN NULL ELSE created + interval '1 hour' END AS sent_at,
       CASE WHEN status = 'overdue' THEN created + interval '31 days' END AS overdue_at,
       NULL::timestamptz AS reminder_sent_at,
       CASE WHEN status = 'paid'
            THEN least(now(), created + (5 + floor(r_amt * 40)) * interval '1 day') END
           AS paid_at,
       CASE WHEN status = 'void' THEN created + interval '2 days' END AS voided_at,
       0 AS refunded_amount, '' AS attention, %(owner)s::bigint AS created_by_id,
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


def _analyze() -> None:
    from django.db import connection

    from secportal.clients.models import Client
    from secportal.engagements.models import Engagement
    from secportal.invoicing.models import Invoice, InvoiceEvent

    with connection.cursor() as cursor:
        for model in (Client, Engagement, Invoice, InvoiceEvent):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
