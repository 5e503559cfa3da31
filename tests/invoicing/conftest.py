from __future__ import annotations

import pytest

from secportal.payments.models import ConnectedAccount

from ..conftest import Tenant


def connect_stripe(tenant: Tenant, ready: bool = True) -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        workspace=tenant.workspace,
        stripe_account_id=f"acct_test{tenant.workspace.pk}",
        details_submitted=ready,
        charges_enabled=ready,
        payouts_enabled=ready,
    )


@pytest.fixture
def ready(tenant: Tenant) -> Tenant:
    """The tenant with a Stripe account that can take payments."""
    connect_stripe(tenant)
    return tenant
