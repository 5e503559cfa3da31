"""Each email whose subject_ref names an invoice now points at it."""

from django.db import migrations


def link_invoices(apps, schema_editor):
    EmailMessage = apps.get_model("notifications", "EmailMessage")
    Invoice = apps.get_model("invoicing", "Invoice")
    refs = (
        EmailMessage.objects.exclude(subject_ref="")
        .values_list("subject_ref", flat=True)
        .distinct()
    )
    for ref in refs.iterator():
        invoice = Invoice.objects.filter(public_id=ref).values_list("pk", flat=True).first()
        if invoice is not None:
            EmailMessage.objects.filter(subject_ref=ref).update(invoice_id=invoice)


def unlink_invoices(apps, schema_editor):
    EmailMessage = apps.get_model("notifications", "EmailMessage")
    for message in EmailMessage.objects.exclude(invoice=None).select_related("invoice"):
        message.subject_ref = str(message.invoice.public_id)
        message.save(update_fields=["subject_ref"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_emailmessage_invoice")]

    operations = [migrations.RunPython(link_invoices, unlink_invoices)]
