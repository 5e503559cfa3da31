from __future__ import annotations

from typing import Any

from django.conf import settings
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def has_two_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(user: Any) -> bool:
    """Owners and admins of any workspace must use two-factor; so must the platform's staff."""
    if user.is_staff or user.is_superuser:
        return True
    return user.memberships.filter(role__in=settings.TWO_FACTOR_ROLES).exists()


def recovery_codes_left(user: Any) -> int:
    device = StaticDevice.objects.filter(user=user).first()
    return device.token_set.count() if device else 0


def verifying_devices(user: Any) -> list[Any]:
    return list(devices_for_user(user, confirmed=True))
