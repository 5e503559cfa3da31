from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_link_emails_to_invoices")]

    operations = [migrations.RemoveField(model_name="emailmessage", name="subject_ref")]
