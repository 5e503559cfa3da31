from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from .signals import account_email


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class CodeForm(forms.Form):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the email queued in the outbox like every other email."""

    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def send_mail(  # type: ignore[override]
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from django.conf import settings
        from django.urls import reverse

        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        minutes = settings.PASSWORD_RESET_TIMEOUT // 60
        account_email.send(
            sender=self.__class__,
            workspace=None,
            kind="password_reset",
            to=to_email,
            template="emails/password_reset",
            context={
                "reset_url": settings.SITE_URL + path,
                "hours": minutes // 60,
                "workspace": {"name": "SecPortal"},
            },
        )
