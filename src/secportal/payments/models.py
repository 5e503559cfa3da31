from __future__ import annotations

from django.db import models


class ConnectedAccount(models.Model):
    """The workspace's own Stripe account (Stripe Connect, Standard-like)."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="connected_account"
    )
    stripe_account_id = models.CharField(max_length=64, unique=True)
    details_submitted = models.BooleanField(default=False)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    livemode = models.BooleanField(default=False)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.stripe_account_id

    @property
    def ready(self) -> bool:
        """Ready to take payments: onboarding done and charges enabled (DESIGN.md 7)."""
        return self.disconnected_at is None and self.details_submitted and self.charges_enabled
