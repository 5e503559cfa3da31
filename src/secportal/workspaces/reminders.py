"""The reminder schedule's words and defaults (issue 17, 1), shared by Settings and invoicing.

The wording is the consultancy's text with a few placeholders, filled in by plain substitution
(never a template engine): ``{client}`` becomes the client's name, and so on. Anything else in
braces is refused when the wording is saved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError

#: The placeholders the wording may use, and what each becomes.
PLACEHOLDERS = {
    "client": "the client's name",
    "invoice_number": "the invoice's number",
    "amount_due": "the amount still owed",
    "due_date": "the due date",
    "status": "'is due on 3 March 2026', 'is due today' or "
    "'was due on … and is now 3 days overdue'",
    "company": "your company's name",
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

DEFAULT_WORDING = (
    "Hello {client},\n\n"
    "This is a friendly reminder that invoice {invoice_number} for {amount_due} {status}.\n\n"
    "If you have already paid, thank you, and please ignore this reminder."
)

#: The schedule of a workspace that has not chosen one: (days from the due date, on).
#: Negative: before the due date; 0: on it; positive: after it.
DEFAULT_SCHEDULE = ((-7, True), (0, True), (3, True), (14, True), (30, True))
#: How far before or after the due date a reminder may be (days).
MAX_OFFSET_DAYS = 365
#: How many reminders one schedule may have.
MAX_RULES = 10


def check_wording(text: str) -> None:
    """Refuse placeholders that do not exist (and stray braces), naming the ones that do."""
    unknown = [name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]
    known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    if unknown:
        shown = ", ".join(f"{{{name}}}" for name in dict.fromkeys(unknown))
        raise ValidationError(
            f"Unknown placeholder {shown}: use only {known}.", code="unknown_placeholder"
        )
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        raise ValidationError(
            f"A brace without its pair: placeholders are written like {{client}} ({known}).",
            code="stray_brace",
        )


def fill_wording(text: str, values: Mapping[str, str]) -> str:
    """The wording with each placeholder replaced by its value (once: values are not scanned
    for placeholders again)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def describe_offset(days: int) -> str:
    """How a person says an offset: "7 days before due", "on the due date", "3 days after due"."""
    if days == 0:
        return "on the due date"
    count = abs(days)
    unit = "day" if count == 1 else "days"
    return f"{count} {unit} {'before' if days < 0 else 'after'} due"
