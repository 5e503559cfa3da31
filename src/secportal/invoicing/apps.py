from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "secportal.invoicing"
    label = "invoicing"

    def ready(self) -> None:
        from . import (  # noqa: F401
            notices,  # emails the client when an invoice is voided
            receivers,  # answers workspaces' questions
        )
