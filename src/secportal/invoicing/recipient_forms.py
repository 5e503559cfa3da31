"""The send page's "Send to" and "CC" (issue 17, 2)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from . import recipients
from .models import Invoice


class SendRecipientsForm(forms.Form):
    """Who the invoice goes to: the billing email always, the contacts ticked, the CC typed."""

    #: Present when the page showed the choice (a POST without it sends to the defaults).
    MARKER = "choose_recipients"

    to = forms.MultipleChoiceField(
        label="Send to", required=False, widget=forms.CheckboxSelectMultiple
    )
    cc = forms.CharField(
        label="CC",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Extra addresses, such as accounts payable: separated by commas or one a "
        f"line. At most {recipients.MAX_RECIPIENTS} recipients in all.",
    )

    def __init__(self, *args: Any, invoice: Invoice, **kwargs: Any) -> None:
        self.invoice = invoice
        if not args or args[0] is None:
            to, cc = recipients.default_choice(invoice)
            kwargs.setdefault("initial", {"to": to, "cc": "\n".join(cc)})
        super().__init__(*args, **kwargs)
        billing = invoice.client.billing_email
        field = self.fields["to"]
        field.choices = [  # type: ignore[attr-defined]
            (c.email, f"{c.name} <{c.email}>")
            for c in recipients.receiving_contacts(invoice)
            if c.email.lower() != (billing or "").lower()
        ]
        field.help_text = (
            f"The billing email ({billing}) always receives the invoice; tick the contacts who "
            "should too."
            if billing
            else "The client has no billing email."
        )
        self.recipients: recipients.Recipients | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.recipients = recipients.check(
                self.invoice.client.billing_email,
                list(data.get("to") or []),
                recipients.split_addresses(data.get("cc", "")),
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return data
