"""What happens in payments that other parts of payments act on in the background."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent once a second payment of an already paid (or voided) invoice has committed, with
#: ``payment``: it is refunded in full in the background.
duplicate_payment_recorded = Signal()

#: Sent once an open attempt was replaced by a new one, with ``attempt``: its session is
#: expired at Stripe in the background, so that an old browser tab cannot pay.
checkout_abandoned = Signal()

#: Sent inside the transaction that records more of a payment refunded, with ``payment_id`` and
#: ``amount`` (what this change refunded): receivers' rows commit with it (webhooks' outbox).
payment_refunded = Signal()

#: Sent inside the transaction that records a newly opened dispute, with ``dispute_id``.
invoice_disputed = Signal()
