from __future__ import annotations

from django import forms


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        help_text="The address your consultancy has for you. We'll email you a sign-in link.",
    )


class ChooseClientForm(forms.Form):
    contact = forms.UUIDField(widget=forms.HiddenInput)
