from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("connect/", views.connect, name="connect"),
    path("connect/return/", views.connect_return, name="connect_return"),
    path("connect/refresh/", views.connect_refresh, name="connect_refresh"),
    path("methods/", views.payment_methods, name="methods"),
    path("invoices/<uuid:invoice_id>/refund/", views.refund, name="refund"),
    path("checkout/success/", views.checkout_success, name="checkout_success"),
]
