"""Stripe is never called while a webhook event's row is locked.

``events.process_event`` applies an event inside a transaction that holds the event's row lock
(so that concurrent deliveries of one event wait, and apply it once). A handler that needs to
read something from Stripe (the payment intent, the charge's refunds, the account) reads it
through ``read``: inside ``fetched_first`` that raises ``StripeCallNeeded`` unless the value was
fetched before the transaction; the caller rolls back (the handlers read before they write),
fetches it with no transaction open, and applies the event again with it. Outside
``fetched_first`` (the success page, reconciliation, a refund made from the invoice page),
``read`` simply calls Stripe.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

#: What the caller fetched before its transaction, by key (None: not inside ``fetched_first``).
_fetched: contextvars.ContextVar[dict[tuple[str, ...], Any] | None] = contextvars.ContextVar(
    "stripe_reads_fetched_first", default=None
)


class StripeCallNeeded(Exception):
    """Raised inside ``fetched_first`` instead of calling Stripe there: the caller rolls back,
    calls ``fetch()`` with no transaction open, keeps its answer under ``key`` and tries again."""

    def __init__(self, key: tuple[str, ...], fetch: Callable[[], Any]) -> None:
        super().__init__(":".join(key))
        self.key, self.fetch = key, fetch


@contextmanager
def fetched_first(fetched: dict[tuple[str, ...], Any]) -> Iterator[None]:
    """Inside the block Stripe is not called: ``read`` answers from ``fetched`` or raises
    ``StripeCallNeeded``."""
    token = _fetched.set(fetched)
    try:
        yield
    finally:
        _fetched.reset(token)


def read[T](key: tuple[str, ...], fetch: Callable[[], T]) -> T:
    """A read from Stripe named by ``key`` (e.g. ``("payment_intent", id)``)."""
    fetched = _fetched.get()
    if fetched is None:
        return fetch()
    if key not in fetched:
        raise StripeCallNeeded(key, fetch)
    return cast(T, fetched[key])


def applied_with_reads[T](apply: Callable[[], T]) -> T:
    """Call ``apply`` (which opens the locking transaction) until it needs nothing more from
    Stripe, fetching what it asks for between tries with no transaction open."""
    fetched: dict[tuple[str, ...], Any] = {}
    while True:
        try:
            with fetched_first(fetched):
                return apply()
        except StripeCallNeeded as need:
            if need.key in fetched:  # cannot happen; never loop
                raise
            fetched[need.key] = need.fetch()
