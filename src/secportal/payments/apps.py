from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "secportal.payments"
    label = "payments"
