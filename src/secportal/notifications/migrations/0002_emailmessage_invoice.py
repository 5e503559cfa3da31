"""The outbox names the invoice an email is about by a foreign key, not by its public id as text."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0004_event_kinds"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="emailmessage",
            name="invoice",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="emails",
                to="invoicing.invoice",
            ),
        ),
        # Separate migrations for the data and for removing the old column: on PostgreSQL a
        # table with pending foreign-key checks cannot be altered in the same transaction.
    ]
