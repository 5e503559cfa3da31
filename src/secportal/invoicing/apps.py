from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "secportal.invoicing"
    label = "invoicing"
