"""Signed, single-use, expiring links for invitations (Django's password-reset token).

The token hashes the user's password and last sign-in, so it stops working once used; a
different salt keeps an invitation token from serving as a reset token and the other way round.
"""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "secportal.accounts.invitation"


invitation_token = InvitationTokenGenerator()
