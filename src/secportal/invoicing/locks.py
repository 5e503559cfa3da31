"""The invoice's row lock and the error every invoicing service raises (shared by its modules)."""

from __future__ import annotations

from .models import Invoice


class InvoiceError(Exception):
    """A change that cannot be made now; the message is for the person who asked."""

    def __init__(self, message: str, *, settings_link: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.settings_link = settings_link


def lock_invoice(invoice_id: int) -> Invoice:
    """The invoice, its row locked until the transaction ends (workspace, client, engagement)."""
    return (
        Invoice.unscoped.select_for_update(of=("self",))
        .select_related("workspace", "client", "engagement")
        .get(pk=invoice_id)
    )
