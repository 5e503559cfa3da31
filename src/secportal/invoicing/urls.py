from django.urls import path

from . import interest_views, payment_views, reminder_views, views

app_name = "invoicing"

urlpatterns = [
    path("", views.invoice_list, name="list"),
    path("export.csv", views.invoice_export, name="export"),
    path("totals/", views.invoice_totals, name="totals"),
    path("new/", views.invoice_create, name="create"),
    path("new/engagements/", views.engagement_options, name="engagement_options"),
    path("new/line/", views.line_row, name="line_row"),
    path("new/totals/", views.totals_preview, name="totals_preview"),
    path("<uuid:invoice_id>/", views.invoice_detail, name="detail"),
    path("<uuid:invoice_id>/edit/", views.invoice_edit, name="edit"),
    path("<uuid:invoice_id>/delete/", views.invoice_delete, name="delete"),
    path("<uuid:invoice_id>/send/", views.invoice_send, name="send"),
    path("<uuid:invoice_id>/void/", views.invoice_void, name="void"),
    path("<uuid:invoice_id>/resend/", views.invoice_resend, name="resend"),
    path("<uuid:invoice_id>/pdf/", views.invoice_pdf, name="pdf"),
    path("<uuid:invoice_id>/remind/", reminder_views.send_reminder, name="send_reminder"),
    path("<uuid:invoice_id>/interest/", interest_views.invoice_interest, name="invoice_interest"),
    path(
        "<uuid:invoice_id>/reminders/pause/",
        reminder_views.pause_reminders,
        name="pause_reminders",
    ),
    path("<uuid:invoice_id>/ubl/", views.invoice_ubl, name="ubl"),
    path("<uuid:invoice_id>/facturx/", views.invoice_facturx, name="facturx"),
    path("<uuid:invoice_id>/credit/", views.invoice_credit, name="credit"),
    path("<uuid:invoice_id>/record-payment/", payment_views.record_payment, name="record_payment"),
    path(
        "recorded-payments/<uuid:payment_id>/delete/",
        payment_views.delete_recorded_payment,
        name="delete_recorded_payment",
    ),
    path("credit-notes/<uuid:credit_note_id>/pdf/", views.credit_note_pdf, name="credit_note_pdf"),
]
