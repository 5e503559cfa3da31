"""What invoicing tells the apps above it, and the one question it asks them.

Invoicing never imports the apps that build on it (payments, portal, analytics); they connect
to these signals in their ``AppConfig.ready()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal

#: Sent once a void has committed, with ``invoice_id``: payments expires the invoice's open
#: Checkout Sessions so that a voided invoice cannot be paid.
invoice_voided = Signal()

#: Sent inside the transaction that numbers a draft and marks it Sent, with ``invoice_id``:
#: receivers write rows that commit (or roll back) with the send (webhooks' outbox).
invoice_sent = Signal()

#: Sent inside the overdue sweep's transaction, with ``invoice_ids`` (the invoices it moved).
invoice_overdue = Signal()

#: Sent once an invoice's move to Paid has committed, with ``invoice_id``: payments closes any
#: other open Checkout Session of the invoice; the API's outgoing webhooks will listen too.
invoice_paid = Signal()

#: Sent once a payment that leaves a balance has committed (a part paid through Stripe, or a
#: payment recorded by hand), with ``invoice_id``.
invoice_partially_paid = Signal()

#: Sent inside the transaction of "Record payment", with ``payment`` (the RecordedPayment) and
#: ``invoice`` (locked, its balance updated): payments queues the client's receipt email with it,
#: so that the email commits (or rolls back) with the payment.
payment_recorded = Signal()

#: Sent to ask what stops a draft from being sent, with ``invoice``; each receiver returns a
#: list of ``SendProblem`` (payments: "Connect your Stripe account in Settings ...").
send_check = Signal()


@dataclass(frozen=True)
class SendProblem:
    """Something that stops a draft from being sent, in words, and where it is fixed."""

    message: str
    fixed_in_settings: bool = False
    #: Where the person fixes it: "settings", "edit" (the draft's Edit page) or "client".
    fix: str = ""

    @property
    def fixed_in(self) -> str:
        return self.fix or ("settings" if self.fixed_in_settings else "")

    def __str__(self) -> str:
        return self.message


#: Sent once a credit note has committed, with ``credit_note_id``: payments may offer to refund
#: the credited amount of a card-paid invoice; analytics counts credits.
credit_note_issued = Signal()
