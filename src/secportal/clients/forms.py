from django import forms

from .models import Client, ClientContact


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = ["name", "billing_email", "address"]
        labels = {"name": "Name", "billing_email": "Billing email", "address": "Address"}
        help_texts = {"billing_email": "Invoices are emailed here."}
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


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
