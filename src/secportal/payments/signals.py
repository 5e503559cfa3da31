"""What happens in payments that other parts of payments act on in the background."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent once a second payment of an already paid (or voided) invoice has committed, with
#: ``payment``: it is refunded in full in the background.
duplicate_payment_recorded = Signal()
