from django.db import migrations, models

from secportal.core.migration_ops import (
    AddIndexConcurrentlyOnPostgres,
    RemoveIndexConcurrentlyOnPostgres,
)


class Migration(migrations.Migration):
    """The dashboard's period payments (by client) and monthly revenue read a workspace's
    payments by ``paid_at``: with this index holding the columns they read (currency, amount,
    fee, duplicate, invoice, id), PostgreSQL answers from the index alone. At 10,000 workspaces
    and 1.5M payments one workspace's 5,500 payments of a year lay on ~5,200 heap pages (against
    ~160 alone; bench/platform.py's EXPLAIN): ~63 index pages now. It replaces the plain
    (workspace, paid_at) index, same keys. CONCURRENTLY on PostgreSQL: the table may hold
    millions of rows."""

    atomic = False

    dependencies = [
        ("payments", "0013_bank_transfer_parts_counted"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="payment",
            index=models.Index(
                fields=["workspace", "paid_at"],
                include=["currency", "amount", "application_fee", "duplicate", "invoice", "id"],
                name="payment_ws_paid_figures",
            ),
        ),
        RemoveIndexConcurrentlyOnPostgres(
            model_name="payment",
            name="payments_pa_workspa_e173f5_idx",
        ),
    ]
