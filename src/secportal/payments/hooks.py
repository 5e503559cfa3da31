"""What the payments app does when other apps change an invoice."""


def invoice_voided(invoice_id: int) -> None:
    """A voided invoice expires its open Checkout Sessions (in the background)."""
    from .tasks import expire_invoice_checkouts

    expire_invoice_checkouts.enqueue(invoice_id)
