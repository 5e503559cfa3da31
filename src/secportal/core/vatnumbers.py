"""VAT numbers: checked in format (and check digits) with python-stdnum, stored compact.

A UK number (``GB`` + 9 or 12 digits, or ``XI`` for Northern Ireland) or an EU member state's
number with its country prefix (``DE136695976``). The format is all that is checked: whether
the number is registered is for HMRC's or VIES's own services.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import vat as gb_vat

EXAMPLE = "GB 980 7806 84 or DE 136695976"
EU_COUNTRIES = frozenset(code.upper() for code in eu_vat.MEMBER_STATES) - {"XI"}


def normalise_vat_number(value: str) -> str:
    """The number as stored and printed (``GB980780684``), or ``ValidationError``.

    The message says which rule failed: the country prefix, or the digits for that country.
    """
    text = "".join(ch for ch in (value or "") if ch.isalnum()).upper()
    if not text:
        return ""
    prefix = text[:2]
    if not prefix.isalpha():
        raise ValidationError(
            f"Start the VAT number with its country code, like {EXAMPLE}.", code="vat_prefix"
        )
    if prefix == "EL":  # Greece writes EL in VAT numbers
        prefix = "GR"
    try:
        if prefix in ("GB", "XI"):
            return prefix + gb_vat.validate(text[2:])
        if prefix in EU_COUNTRIES:
            compact = eu_vat.validate(text)
            return compact
    except StdnumError as exc:
        raise ValidationError(
            f"This is not a valid {prefix} VAT number: check its digits ({exc}).",
            code="vat_format",
        ) from exc
    raise ValidationError(
        f"{prefix} is not a UK or EU VAT country code; write it like {EXAMPLE}.",
        code="vat_prefix",
    )


def validate_vat_number(value: str) -> None:
    normalise_vat_number(value)


def vat_country(number: str) -> str:
    """The two-letter country of a stored VAT number (``GB``, ``DE``; ``GR`` for ``EL``)."""
    prefix = number[:2].upper()
    return "GR" if prefix == "EL" else prefix


def _countries() -> list[tuple[str, str]]:
    from babel import Locale

    names = {str(code): str(name) for code, name in Locale.parse("en_GB").territories.items()}
    codes = sorted(
        (code for code in names if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU")),
        key=lambda code: names[code],
    )
    return [(code, names[code]) for code in codes]


COUNTRY_CHOICES = [("", "Choose a country"), *_countries()]
