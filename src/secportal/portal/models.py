"""The portal's own record: each sign-in link asked for (the rate limit and single use)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PortalSignIn(models.Model):
    """One request for a sign-in link, whether or not the address belongs to a contact.

    The rate limit counts these rows (per address digest and per IP), so a limit is reached the
    same way for known and unknown addresses. The emailed token names ``nonce``; ``used_at``
    makes it single use. Unknown addresses are kept only as a digest.
    """

    email_digest = models.CharField(max_length=64)
    email = models.EmailField(blank=True)  # only when a link was emailed (a known contact)
    ip = models.GenericIPAddressField(null=True, blank=True)
    nonce = models.CharField(max_length=64, unique=True)
    emailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["email_digest", "created_at"], name="portal_signin_email"),
            models.Index(fields=["ip", "created_at"], name="portal_signin_ip"),
            models.Index(fields=["created_at"], name="portal_signin_created"),
        ]

    def __str__(self) -> str:
        return f"sign-in link {self.created_at:%Y-%m-%d %H:%M}"
