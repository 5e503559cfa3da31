from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "secportal.invoicing"
    label = "invoicing"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (answers workspaces' questions)
