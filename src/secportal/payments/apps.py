from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "secportal.payments"
    label = "payments"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to invoicing's signals)
