from django.db import migrations, models

from secportal.core.migration_ops import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    """The dashboard's period payments need each payment's client and the invoice's sent date.
    At 10,000 workspaces and 5M invoices, one primary-key lookup per payment (5,500 a year for
    bench/platform.py's focus workspace) read ~17,000 index pages; with the query restricted to
    the workspace's invoices, PostgreSQL reads this index's range for the workspace (~130
    pages, index-only) and hashes it. CONCURRENTLY on PostgreSQL: the table may hold millions
    of rows."""

    atomic = False

    dependencies = [
        ("invoicing", "0016_dashboard_figures_index"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="invoice",
            index=models.Index(
                fields=["workspace", "id"],
                include=["client", "sent_at"],
                name="invoice_ws_id_client_sent",
            ),
        ),
    ]
