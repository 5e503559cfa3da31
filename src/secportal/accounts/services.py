"""Writes about people: invitations and two-factor devices (one transaction each)."""

from __future__ import annotations

import base64
import logging
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .signals import account_email
from .tokens import invitation_token

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def invitation_url(user: Any) -> str:
    path = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token.make_token(user),
        },
    )
    return settings.SITE_URL + path


def queue_invitation(user: Any, *, workspace: Any, inviter: Any, role: str) -> None:
    """Email the invitee a link to set their password (call inside the inviting transaction)."""
    account_email.send(
        sender=queue_invitation,
        kind="invitation",
        to=user.email,
        template="emails/invitation",
        context={
            "workspace": workspace,
            "inviter": getattr(inviter, "display_name", "") or "A colleague",
            "role": role,
            "invitation_url": invitation_url(user),
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
        workspace=workspace,
    )


def b32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def start_totp(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator of the person's setup page (the same one until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def new_recovery_codes(user: Any) -> list[str]:
    """Replace the person's recovery codes with fresh ones (each works once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME)
    device.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def confirm_totp(user: Any, device_id: int, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the authenticator with a code it made; returns it and new recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user).first()
    if device is None or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    logger.info("Two-factor authentication set up for user %s", user.pk)
    return device, new_recovery_codes(user)


@transaction.atomic
def disable_two_factor(user: Any) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    logger.info("Two-factor authentication turned off for user %s", user.pk)


@transaction.atomic
def set_totp_secret(user: Any, secret_b32: str) -> TOTPDevice:
    """Give the person a confirmed authenticator with a known secret (the demo's fixed ones)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8)).hex()
    device = TOTPDevice.objects.filter(user=user, name=TOTP_NAME).first()
    if device is None:
        return TOTPDevice.objects.create(user=user, name=TOTP_NAME, key=key, confirmed=True)
    if device.key != key or not device.confirmed:
        device.key, device.confirmed = key, True
        device.save(update_fields=["key", "confirmed"])
    return device
