"""Signing in (password, then the two-factor code), the account page, passwords, invitations."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from . import selectors, services
from .forms import CodeForm, EmailAuthenticationForm, OutboxPasswordResetForm
from .tokens import invitation_token

logger = logging.getLogger("secportal.accounts.signin")

PENDING_KEY = "_two_factor_pending"
PENDING_SECONDS = 300
MAX_CODE_FAILURES = 5
WRONG_CODE = "That code is not right (or was already used). Try the newest code from your app."


class SignInView(auth_views.LoginView):
    """Step one: email and password (throttled by django-axes); step two asks for the Code."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: EmailAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if not selectors.has_two_factor(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
            "at": int(time.time()),
            "next": self.get_redirect_url(),
            "failures": 0,
        }
        return redirect("accounts:login_code")


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


WAIT_FOR_CODE = "Too many wrong codes in a row: wait a few seconds, then enter the newest code."


def _throttled(user: Any) -> bool:
    """django-otp's back-off after wrong codes (1 s, 2 s, 4 s…) refuses any code for now."""
    return any(not device.verify_is_allowed()[0] for device in selectors.verifying_devices(user))


def _refuse_code(request: HttpRequest, user: Any) -> None:
    """Count a wrong code like a wrong password (django-axes then locks out code guessing)."""
    logger.warning("Two-factor code refused for %s", user.email)
    user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)


def login_code(request: HttpRequest) -> HttpResponse:
    """Step two of signing in: the Code from the authenticator app (or a recovery code)."""
    pending: dict[str, Any] = request.session.get(PENDING_KEY) or {}
    user = None
    if pending and time.time() - pending["at"] <= PENDING_SECONDS:
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, "Sign in again: the sign-in took too long.")
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = _throttled(user)
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING_KEY]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(_safe_next(request, pending["next"]))
        _refuse_code(request, user)
        pending["failures"] += 1
        if pending["failures"] >= MAX_CODE_FAILURES:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, "Too many wrong codes: sign in again.")
            return redirect("accounts:login")
        request.session[PENDING_KEY] = pending
        form.add_error("code", WAIT_FOR_CODE if throttled else WRONG_CODE)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login_code.html", {"form": form}, status=status)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "has_two_factor": selectors.has_two_factor(user),
            "two_factor_required": selectors.two_factor_required(user),
            "recovery_codes_left": selectors.recovery_codes_left(user),
        },
    )


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app, or (when it is set up) confirm this session with a code."""
    user = request.user
    next_url = request.POST.get("next") or request.GET.get("next", "")
    form = CodeForm(request.POST or None)
    if selectors.has_two_factor(user):
        if user.is_verified():  # type: ignore[union-attr]
            return redirect("accounts:account")
        if request.method == "POST" and form.is_valid():
            throttled = _throttled(user)
            device = match_token(user, form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                request.session.cycle_key()
                return redirect(_safe_next(request, next_url))
            _refuse_code(request, user)
            form.add_error("code", WAIT_FOR_CODE if throttled else WRONG_CODE)
        return render(
            request,
            "accounts/two_factor_verify.html",
            {"form": form, "next": next_url},
            status=400 if request.method == "POST" else 200,
        )
    device = services.start_totp(user)
    if request.method == "POST" and form.is_valid():
        result = services.confirm_totp(user, device.pk, form.cleaned_data["code"])
        if result is not None:
            confirmed, codes = result
            otp_login(request, confirmed)
            request.session.cycle_key()
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url}
            )
        form.add_error("code", WRONG_CODE)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret": services.b32_secret(device),
            "config_url": device.config_url,
            "required": selectors.two_factor_required(user),
            "next": next_url,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():  # type: ignore[union-attr]
        return redirect("accounts:two_factor")
    codes = services.new_recovery_codes(request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": ""})


@login_required
@require_POST
def two_factor_off(request: HttpRequest) -> HttpResponse:
    if selectors.two_factor_required(request.user):
        messages.error(request, "Owners and admins must keep two-factor authentication on.")
    elif request.user.is_verified():  # type: ignore[union-attr]
        services.disable_two_factor(request.user)
        messages.success(request, "Two-factor authentication is off.")
    return redirect("accounts:account")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # signs the other sessions out, rotates this one
        logger.info("Password changed for %s", self.request.user.email)  # type: ignore[union-attr]
        messages.success(self.request, "Your password was changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"title": "Choose a new password", "button": "Set password"}


class InvitationView(auth_views.PasswordResetConfirmView):
    """The invitee sets their password from the signed, single-use, expiring link."""

    template_name = "accounts/password_set.html"
    token_generator = invitation_token
    success_url = reverse_lazy("accounts:login")
    extra_context = {"title": "Welcome to SecPortal: choose a password", "button": "Set password"}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set: sign in with it.")
        return response
