from django.urls import path

from . import receipt_views, statement_views, views

app_name = "payments"

urlpatterns = [
    path("connect/", views.connect, name="connect"),
    path("connect/return/", views.connect_return, name="connect_return"),
    path("connect/refresh/", views.connect_refresh, name="connect_refresh"),
    path("methods/", views.payment_methods, name="methods"),
    path("invoices/<uuid:invoice_id>/refund/", views.refund, name="refund"),
    path("invoices/<uuid:invoice_id>/receipt/", receipt_views.receipt_pdf, name="receipt"),
    path("clients/<uuid:client_id>/statement/", statement_views.statement_pdf, name="statement"),
    path(
        "clients/<uuid:client_id>/statement/email/",
        statement_views.statement_email,
        name="statement_email",
    ),
    path("checkout/success/", views.checkout_success, name="checkout_success"),
]
