"""Text that people type: no control characters (they break emails, PDFs and CSV files)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# C0 and C1 controls, DEL, Unicode line/paragraph separators and bidirectional overrides.
_CONTROL = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
SINGLE_LINE = re.compile(f"[{_CONTROL}]")
MULTI_LINE = re.compile(f"[{_CONTROL.replace(r'\x00-\x1f', r'\x00-\x08\x0b\x0c\x0e-\x1f')}]")


def single_line(value: str) -> None:
    """For names, references and other one-line fields: no control characters at all."""
    if value and SINGLE_LINE.search(value):
        raise ValidationError(
            "Remove the control characters (such as tabs or line breaks): one line of text only.",
            code="control_characters",
        )


def multi_line(value: str) -> None:
    """For addresses and descriptions: line breaks and tabs are fine, other controls are not."""
    if value and MULTI_LINE.search(value):
        raise ValidationError("Remove the control characters.", code="control_characters")
