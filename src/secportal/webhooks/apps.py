from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "secportal.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to invoicing's and payments' signals)
