"""A statement of account as an A4 PDF (fpdf2, the invoice's fonts and hygiene; a pure module)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from secportal.core.money import format_money

from .pdf import FONT, FONT_FILES, INK, MARGIN, MUTED, RULE, long_date

# (day, what, currency, charge, credit)
EntryRow = tuple[date, str, str, int, int]
# (invoice number, due date, currency, total, balance due)
OpenRow = tuple[str, date | None, str, int, int]


@dataclass(frozen=True)
class StatementPdf:
    workspace_name: str
    supplier_lines: tuple[str, ...]
    client_name: str
    client_address: str
    start: date
    end: date
    entries: tuple[EntryRow, ...]
    open_invoices: tuple[OpenRow, ...]
    balances: tuple[tuple[str, int], ...]  # (currency, owed)


def render_statement_pdf(statement: StatementPdf) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    for style, path in FONT_FILES.items():
        pdf.add_font(FONT, style, str(path))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN)
    pdf.set_title(f"Statement of account: {_clean(statement.client_name)}")
    pdf.set_creator("SecPortal")
    pdf.set_creation_date(datetime.combine(statement.end, datetime.min.time(), tzinfo=UTC))
    pdf.set_draw_color(*RULE)
    pdf.add_page()
    width = pdf.w - 2 * MARGIN

    def text(
        size: float,
        value: str,
        bold: bool = False,
        colour: tuple[int, int, int] = INK,
        align: Align = Align.L,
        w: float = 0,
        h: float = 5.5,
        ln: bool = True,
    ) -> None:
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.set_text_color(*colour)
        if ln:
            pdf.multi_cell(w or width, h, _clean(value), align=align, new_x=XPos.LMARGIN)
        else:
            pdf.cell(w, h, _clean(value), align=align)

    text(16, statement.workspace_name, bold=True, h=8)
    for line in statement.supplier_lines:
        text(9, line)
    pdf.ln(4)
    text(18, "STATEMENT OF ACCOUNT", bold=True, h=9)
    text(10, f"{long_date(statement.start)} to {long_date(statement.end)}", colour=MUTED)
    pdf.ln(3)
    text(8, "FOR", bold=True, colour=MUTED)
    text(11, statement.client_name, bold=True)
    if statement.client_address.strip():
        text(9, statement.client_address.strip())
    pdf.ln(4)

    def heading(title: str) -> None:
        text(11, title, bold=True, h=7)
        pdf.line(MARGIN, pdf.get_y(), MARGIN + width, pdf.get_y())
        pdf.ln(1)

    heading("Activity in the period")
    columns = (28.0, width - 28.0 - 2 * 36.0, 36.0, 36.0)
    for label, w, align in zip(
        ("Date", "", "Charged", "Paid or credited"),
        columns,
        (Align.L, Align.L, Align.R, Align.R),
        strict=True,
    ):
        text(8, label, bold=True, colour=MUTED, w=w, align=align, ln=False)
    pdf.ln(5.5)
    if not statement.entries:
        text(9, "Nothing in this period.", colour=MUTED)
    for day, what, currency, charge, credit in statement.entries:
        text(9, long_date(day), w=columns[0], ln=False)
        text(9, what, w=columns[1], ln=False)
        text(
            9,
            format_money(charge, currency) if charge else "",
            w=columns[2],
            align=Align.R,
            ln=False,
        )
        text(
            9,
            format_money(credit, currency) if credit else "",
            w=columns[3],
            align=Align.R,
            ln=False,
        )
        pdf.ln(5.5)
    pdf.ln(4)
    heading(f"Open invoices on {long_date(statement.end)}")
    columns = (40.0, width - 40.0 - 2 * 36.0, 36.0, 36.0)
    for label, w, align in zip(
        ("Invoice", "Due", "Total", "Still owed"),
        columns,
        (Align.L, Align.L, Align.R, Align.R),
        strict=True,
    ):
        text(8, label, bold=True, colour=MUTED, w=w, align=align, ln=False)
    pdf.ln(5.5)
    if not statement.open_invoices:
        text(9, "No open invoices.", colour=MUTED)
    for number, due, currency, total, owed in statement.open_invoices:
        text(9, number, w=columns[0], ln=False)
        text(9, long_date(due) if due else "", w=columns[1], ln=False)
        text(9, format_money(total, currency), w=columns[2], align=Align.R, ln=False)
        text(9, format_money(owed, currency), w=columns[3], align=Align.R, ln=False)
        pdf.ln(5.5)
    pdf.ln(4)
    balances = statement.balances or (("", 0),)
    for currency, owed in balances:
        shown = format_money(owed, currency) if currency else "nothing"
        pdf.set_y(pdf.get_y())
        text(12, f"Balance owed: {shown}", bold=True, align=Align.R, h=7)
    pdf.set_y(pdf.get_y())
    pdf.cell(0, 0, "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _clean(value: str) -> str:
    """Printable text only (the invoice's rule): no control or direction characters."""
    import unicodedata

    value = (value or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(
        c for c in value if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co")
    )
