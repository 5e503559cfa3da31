from typing import Any

from django import forms

from secportal.core.fees import PLAN_FEE_BPS, fee_percent
from secportal.core.locales import LOCALE_CHOICES, default_locale
from secportal.core.vatnumbers import normalise_vat_number

from .models import Plan, Role, Workspace
from .services import COMPANY_FIELDS, SETTINGS_FIELDS


def plan_choices() -> list[tuple[str, str]]:
    return [
        (plan.value, f"{plan.label} — {fee_percent(PLAN_FEE_BPS[plan.value])} transaction fee")
        for plan in Plan
    ]


REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


def timezone_choices(current: str = "") -> list[tuple[str, Any]]:
    """Real places' time zones grouped by region (Europe: London, Paris, ...), plus UTC; no
    'Factory', 'localtime', 'Etc/GMT+5' or old aliases ('US/Eastern'). The current value stays
    choosable even if it is one of those."""
    import zoneinfo

    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in REGIONS}
    for name in sorted(zoneinfo.available_timezones()):
        region, _, place = name.partition("/")
        if region in groups and place:
            groups[region].append((name, place.replace("_", " ").replace("/", " / ")))
    choices: list[tuple[str, Any]] = [("UTC", "UTC")]
    choices += [(region, places) for region, places in groups.items() if places]
    known = {"UTC"} | {name for places in groups.values() for name, _ in places}
    if current and current not in known:
        choices.insert(0, (current, current))
    return choices


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
            "formatting_locale": "Number and date format",
        }
        help_texts = {
            "mode": "Internal mode hides invoicing and payments; nothing is deleted.",
            "payment_terms_days": "Invoices are due this many days after they are sent.",
            "formatting_locale": "How amounts, dates and times are written in the app, the client "
            "portal, emails and PDFs. Automatic: from your time zone and currency.",
        }

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        automatic = dict(LOCALE_CHOICES)[
            default_locale(self.instance.default_currency, self.instance.timezone)
        ]
        self.fields["timezone"].choices = timezone_choices(  # type: ignore[attr-defined]
            self.instance.timezone
        )
        self.fields["formatting_locale"].choices = [  # type: ignore[attr-defined]
            ("", f"Automatic ({automatic})"),
            *LOCALE_CHOICES,
        ]


class CompanyDetailsForm(forms.ModelForm):
    """Settings → Company details: what invoices and credit notes print about the consultancy."""

    class Meta:
        model = Workspace
        fields = list(COMPANY_FIELDS)
        labels = {
            "legal_name": "Legal name",
            "trading_name": "Trading name",
            "registered_address": "Registered address",
            "company_number": "Company number",
            "registered_in": "Place of registration",
            "vat_number": "VAT number",
            "bank_details": "Bank details",
            "payment_terms_text": "Payment terms",
            "invoice_notes": "Notes on every invoice",
            "amounts_entered": "Amounts are entered",
            "attach_einvoice": "Attach e-invoice",
        }
        help_texts = {
            "legal_name": "As registered, e.g. Redline Security Ltd.",
            "trading_name": "Optional: the name you trade under, if not the legal name; printed "
            "as 'trading as' on invoices, credit notes, the portal and emails.",
            "registered_in": "e.g. England and Wales",
            "vat_number": "Optional; with its country code, e.g. GB 980 7806 84. "
            "With a VAT number, invoices are VAT invoices.",
            "bank_details": "For payment by transfer; printed on the PDF and shown in the "
            "signed-in portal, never in emails.",
            "amounts_entered": "Whether the amounts you type on invoices include VAT.",
            "payment_terms_text": "Printed on invoices, e.g. late payment interest terms.",
            "invoice_notes": "Printed at the end of every invoice and credit note.",
            "attach_einvoice": "Send this e-invoice file with the PDF in invoice emails.",
        }
        widgets = {
            "payment_terms_text": forms.Textarea(attrs={"rows": 2}),
            "invoice_notes": forms.Textarea(attrs={"rows": 2}),
            "registered_address": forms.Textarea(attrs={"rows": 3}),
            "bank_details": forms.Textarea(attrs={"rows": 3}),
        }

    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG or JPEG, at most 512 KB; printed at the top of your invoices.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    def clean_vat_number(self) -> str:
        return normalise_vat_number(self.cleaned_data.get("vat_number", ""))

    def clean_logo(self) -> bytes | None:
        upload = self.cleaned_data.get("logo")
        return clean_logo(upload) if upload else None


LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 2000


def clean_logo(upload: Any) -> bytes:
    """A PNG or JPEG within the limits, re-encoded as a plain PNG (metadata and anything else
    in the file dropped). SVG and every other format are refused."""
    import io

    from PIL import Image, UnidentifiedImageError

    if upload.size > LOGO_MAX_BYTES:
        raise forms.ValidationError("The logo is too big: at most 512 KB.")
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in ("PNG", "JPEG"):
            raise forms.ValidationError("Upload the logo as a PNG or JPEG image (not SVG).")
        with Image.open(io.BytesIO(data)) as image:
            if max(image.size) > LOGO_MAX_PIXELS:
                raise forms.ValidationError(
                    f"The logo is too large: at most {LOGO_MAX_PIXELS} pixels a side."
                )
            image.load()
            clean = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise forms.ValidationError(
            "This file is not an image we can use: upload a PNG or JPEG (not SVG)."
        ) from exc
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


class MemberAddForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class ReminderRuleForm(forms.Form):
    """One row of Settings → Reminders: "7 days before due", on or off; a blank row is ignored."""

    DAYS_ERROR = "Enter a number of days from 0 to 365."

    days = forms.IntegerField(
        label="Days",
        required=False,
        min_value=0,
        max_value=365,
        error_messages={"min_value": DAYS_ERROR, "max_value": DAYS_ERROR, "invalid": DAYS_ERROR},
        widget=forms.NumberInput(attrs={"min": 0, "max": 365, "class": "days"}),
    )
    when = forms.ChoiceField(
        label="When",
        choices=[("before", "days before due"), ("after", "days after due")],
        initial="after",
    )
    enabled = forms.BooleanField(label="On", required=False)
    remove = forms.BooleanField(label="Remove", required=False)

    def offset(self) -> int | None:
        """Days from the due date (negative before it), or None for a blank or removed row."""
        data = getattr(self, "cleaned_data", {})
        if data.get("remove") or data.get("days") is None:
            return None
        days = int(data["days"])
        return -days if data.get("when") == "before" else days


class BaseReminderRuleFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        from .reminders import MAX_RULES, describe_offset

        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            offset = form.offset()
            if offset is None:
                continue
            if offset in seen:
                form.add_error("days", f"Already in the schedule: {describe_offset(offset)}.")
            seen.add(offset)
        if not seen:
            raise forms.ValidationError(
                "Keep at least one reminder (untick On to stop it, or turn reminders off above)."
            )
        if len(seen) > MAX_RULES:
            raise forms.ValidationError(f"At most {MAX_RULES} reminders.")

    def schedule(self) -> list[tuple[int, bool]]:
        return [
            (offset, bool(form.cleaned_data.get("enabled")))
            for form in self.forms
            if (offset := form.offset()) is not None
        ]


ReminderRuleFormSet = forms.formset_factory(
    ReminderRuleForm, formset=BaseReminderRuleFormSet, extra=2, max_num=10, absolute_max=20
)


def reminder_rule_formset(
    data: Any = None, schedule: list[tuple[int, bool]] | None = None
) -> BaseReminderRuleFormSet:
    initial = [
        {"days": abs(offset), "when": "before" if offset < 0 else "after", "enabled": enabled}
        for offset, enabled in (schedule or [])
    ]
    return ReminderRuleFormSet(data, initial=initial, prefix="rule")  # type: ignore[return-value]


class ReminderWordingForm(forms.Form):
    late_payment_interest = forms.BooleanField(
        label="Late payment interest",
        required=False,
        help_text="State in reminders of overdue sterling invoices the statutory interest "
        "accrued (Bank of England base rate + 8% a year, simple, daily) and the fixed "
        "compensation (£40, £70 or £100 by the debt's size) under the Late Payment of Commercial "
        "Debts (Interest) Act 1998. Nothing is added to the invoice; you can invoice them "
        "separately from the invoice's page.",
    )
    wording = forms.CharField(
        label="Reminder wording",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .reminders import PLACEHOLDERS

        super().__init__(*args, **kwargs)
        self.fields["wording"].help_text = (
            "Placeholders: "
            + "; ".join(f"{{{name}}}: {meaning}" for name, meaning in PLACEHOLDERS.items())
            + ". The Pay Invoice button follows the wording."
        )

    def clean_wording(self) -> str:
        from secportal.core.validators import multi_line

        from .reminders import check_wording

        text = self.cleaned_data["wording"].replace("\r\n", "\n")
        multi_line(text)
        check_wording(text)
        return text
