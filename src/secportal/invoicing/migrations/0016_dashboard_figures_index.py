from django.db import migrations, models

from secportal.core.migration_ops import (
    AddIndexConcurrentlyOnPostgres,
    RemoveIndexConcurrentlyOnPostgres,
)


class Migration(migrations.Migration):
    """The dashboard's open-invoice figures read balances (amount, credited, paid) and credits
    owed back (refunded): the index now holds them all, so that PostgreSQL answers from the
    index alone. At 10,000 workspaces and 5M invoices one workspace's 20,000 invoices lie on
    20,000 heap pages: reading them took ~0.4 s (bench/platform.py's EXPLAIN). The index it
    replaces covered ``amount`` only. CONCURRENTLY on PostgreSQL: the table may hold millions
    of rows."""

    atomic = False

    dependencies = [
        ("invoicing", "0015_event_kinds_of_issues_16_and_17"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="invoice",
            index=models.Index(
                fields=[
                    "workspace",
                    "currency",
                    "status",
                    "due_date",
                    "amount",
                    "credited_amount",
                    "paid_amount",
                    "refunded_amount",
                ],
                name="invoice_ws_figures",
            ),
        ),
        RemoveIndexConcurrentlyOnPostgres(
            model_name="invoice",
            name="invoice_ws_cur_status_due",
        ),
    ]
