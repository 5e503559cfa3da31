from typing import Any

from django import forms

from secportal.core.fees import PLAN_FEE_BPS, fee_percent
from secportal.core.locales import LOCALE_CHOICES, default_locale

from .models import Plan, Role, Workspace
from .services import SETTINGS_FIELDS


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


class MemberAddForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
