"""Stripe is never called while a webhook event's row is locked (``payments.prefetch``)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from secportal.payments import prefetch


def test_a_read_outside_fetched_first_calls_stripe_at_once():
    assert prefetch.read(("account", "acct_1"), lambda: {"id": "acct_1"}) == {"id": "acct_1"}


def test_inside_fetched_first_a_read_not_fetched_before_is_refused_not_made():
    made = []
    with prefetch.fetched_first({}), pytest.raises(prefetch.StripeCallNeeded) as need:
        prefetch.read(("refunds", "ch_1"), lambda: made.append("call") or [])
    assert made == [] and need.value.key == ("refunds", "ch_1")
    with prefetch.fetched_first({("refunds", "ch_1"): [{"id": "re_1"}]}):
        assert prefetch.read(("refunds", "ch_1"), lambda: made.append("call")) == [{"id": "re_1"}]
    assert made == []


@pytest.mark.django_db(transaction=True)
def test_each_read_is_made_with_no_transaction_open_and_the_change_applied_again():
    """Two reads: three tries, the first two rolled back; Stripe asked between them only."""
    from secportal.workspaces.models import Workspace

    asked_in_transaction = []
    tries = []

    def fetch(name):
        def call():
            asked_in_transaction.append(connection.in_atomic_block)
            return name.upper()

        return call

    def apply():
        with transaction.atomic():
            tries.append(1)
            Workspace.objects.create(name=f"try {len(tries)}", slug=f"try-{len(tries)}")
            first = prefetch.read(("a", "1"), fetch("a"))
            second = prefetch.read(("b", "2"), fetch("b"))
            return first + second

    assert prefetch.applied_with_reads(apply) == "AB"
    assert len(tries) == 3 and asked_in_transaction == [False, False]
    # The tries that needed a read rolled back whatever they had written.
    assert list(
        Workspace.objects.filter(slug__startswith="try-").values_list("slug", flat=True)
    ) == ["try-3"]
