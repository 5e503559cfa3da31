from django import forms

from secportal.core.vatnumbers import COUNTRY_CHOICES, normalise_vat_number, vat_country

from .models import Client, ClientContact
from .services import CLIENT_FIELDS


class ClientForm(forms.ModelForm):
    country = forms.ChoiceField(label="Country", choices=COUNTRY_CHOICES, required=False)

    class Meta:
        model = Client
        fields = list(CLIENT_FIELDS)
        labels = {
            "name": "Name",
            "billing_email": "Billing email",
            "address": "Billing address",
            "legal_name": "Legal name",
            "vat_number": "VAT number",
            "po_required": "PO required",
            "default_po": "Default PO number",
        }
        help_texts = {
            "billing_email": "Invoices are emailed here.",
            "legal_name": "If it differs from the name above; printed on invoices.",
            "vat_number": "With its country code, e.g. GB 980 7806 84 or DE 136695976.",
            "po_required": "Invoices to this client cannot be sent without a PO number.",
            "default_po": "Filled in on new invoices to this client.",
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def clean_vat_number(self) -> str:
        return normalise_vat_number(self.cleaned_data.get("vat_number", ""))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        number, country = cleaned.get("vat_number"), cleaned.get("country")
        if number and not country:
            cleaned["country"] = vat_country(str(number))
        elif number and country and vat_country(str(number)) not in (country, "XI"):
            self.add_error("vat_number", f"This VAT number is not from {country}.")
        return cleaned


class ContactForm(forms.ModelForm):
    class Meta:
        model = ClientContact
        fields = ["name", "email", "receives_invoices"]
        labels = {"name": "Name", "email": "Email"}

    def __init__(self, *args, client: Client, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        others = ClientContact.objects.filter(client=self.client, email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("This client already has a contact with this email.")
        return email
