"""CSV files that a spreadsheet opens without running anything (CSV/formula injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(text: str) -> str:
    """Prefix a would-be formula with an apostrophe, so it shows as text.

    Numbers keep their sign: a negative amount such as ``-12.50`` is data, not a formula.
    """
    if text[:1] in FORMULA_STARTS and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def formula_safe(lines: Iterable[str]) -> Iterator[str]:
    """Rewrite CSV records (one per item, as ``csv.writer`` makes them) with every cell safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in lines:
        for row in csv.reader(io.StringIO(line, newline="")):
            writer.writerow([safe_cell(cell) for cell in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
