from django import forms

from secportal.core.fees import PLAN_FEE_BPS, fee_percent
from secportal.core.vatnumbers import normalise_vat_number

from .models import Plan, Role, Workspace
from .services import COMPANY_FIELDS, SETTINGS_FIELDS


def plan_choices() -> list[tuple[str, str]]:
    return [
        (plan.value, f"{plan.label} — {fee_percent(PLAN_FEE_BPS[plan.value])} transaction fee")
        for plan in Plan
    ]


class WorkspaceSettingsForm(forms.ModelForm):
    class Meta:
        model = Workspace
        # The plan (and so the platform's fee) is the platform's decision: Django admin only.
        fields = [field for field in SETTINGS_FIELDS if field != "plan"]
        labels = {
            "name": "Workspace name",
            "mode": "Mode",
            "timezone": "Timezone",
            "default_currency": "Default currency",
            "payment_terms_days": "Payment terms (days)",
            "number_prefix": "Invoice number prefix",
            "billing_reply_to": "Billing reply-to email",
            "number_yearly_reset": "Restart invoice numbers each year (INV-2026-0001)",
        }
        help_texts = {
            "mode": "Internal mode hides invoicing and payments; nothing is deleted.",
            "payment_terms_days": "Invoices are due this many days after they are sent.",
        }


class CompanyDetailsForm(forms.ModelForm):
    """Settings → Company details: what invoices and credit notes print about the consultancy."""

    class Meta:
        model = Workspace
        fields = list(COMPANY_FIELDS)
        labels = {
            "legal_name": "Legal name",
            "registered_address": "Registered address",
            "company_number": "Company number",
            "registered_in": "Place of registration",
            "vat_number": "VAT number",
            "bank_details": "Bank details",
            "amounts_entered": "Amounts are entered",
        }
        help_texts = {
            "legal_name": "As registered, e.g. Redline Security Ltd.",
            "registered_in": "e.g. England and Wales",
            "vat_number": "Optional; with its country code, e.g. GB 980 7806 84. "
            "With a VAT number, invoices are VAT invoices.",
            "bank_details": "For payment by transfer; printed on the PDF and shown in the "
            "signed-in portal, never in emails.",
            "amounts_entered": "Whether the amounts you type on invoices include VAT.",
        }
        widgets = {
            "registered_address": forms.Textarea(attrs={"rows": 3}),
            "bank_details": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_vat_number(self) -> str:
        return normalise_vat_number(self.cleaned_data.get("vat_number", ""))


class MemberAddForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
