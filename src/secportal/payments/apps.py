from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "secportal.payments"
    label = "payments"

    def ready(self) -> None:
        from secportal.invoicing.page_reads import PAGE_EXTRA_READS

        from . import receivers  # noqa: F401  (connects to invoicing's signals)
        from .selectors import PAGE_READS

        PAGE_EXTRA_READS.update(PAGE_READS)  # read with the invoice page's own rows
