"""What the payments app does when other apps change an invoice."""


def invoice_voided(invoice_id: int) -> None:
    """Expire the voided invoice's open Checkout Session (filled in with Stripe Checkout)."""
