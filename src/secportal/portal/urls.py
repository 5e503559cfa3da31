from django.urls import path

from . import receipt_views, statement_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/<str:token>/", views.magic_link, name="magic_link"),
    path("sign-out/", views.sign_out, name="logout"),
    path("choose/", views.choose_client, name="choose"),
    path("statement/", statement_views.statement_page, name="statement"),
    path("statement/pdf/", statement_views.statement_pdf, name="statement_pdf"),
    path("invoices/<uuid:invoice_id>/", views.invoice_page, name="invoice"),
    path("invoices/<uuid:invoice_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<uuid:invoice_id>/receipt/", receipt_views.receipt_pdf, name="receipt_pdf"),
    path("invoices/<uuid:invoice_id>/pay/", views.pay_invoice, name="pay"),
    path("pay/<str:token>/", views.pay_link, name="pay_link"),
    path("pay/<str:token>/pdf/", views.pay_link_pdf, name="pay_link_pdf"),
    path("pay/<str:token>/pay/", views.pay_link_pay, name="pay_link_pay"),
    path("pay/<str:token>/fresh/", views.fresh_link, name="fresh_link"),
]
