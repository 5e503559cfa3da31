"""A receipt as a one-page A4 PDF (a pure module, like ``pdf``).

Drawn with the PDF's built-in Helvetica (Windows-1252: £, € and $ included) rather than the
invoice's embedded DejaVu Sans: a receipt goes with every payment's email, and parsing and
subsetting the TrueType font would cost most of a second each time. Characters outside
Windows-1252 are written without their accents where they have any, else as "?".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

MARGIN = 18.0
INK = (33, 37, 41)
MUTED = (108, 117, 125)
PAID = (25, 135, 84)
RULE = (206, 212, 218)


@dataclass(frozen=True)
class ReceiptPdf:
    workspace_name: str
    supplier_lines: tuple[str, ...]
    client_name: str
    client_address: str
    number: str  # "INV-0007-R1"
    paid_on: date
    amount: str  # "£1,250.50", formatted in the workspace's locale
    facts: tuple[tuple[str, str], ...]  # ("For invoice", "INV-0007"), ("Paid by", "Card"), ...
    note: str  # one sentence: what the payment was for


def clean(text: str) -> str:
    """Printable Windows-1252 text: no control characters; others without accents or "?"."""
    out = []
    for char in (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "):
        if char == "\n":
            out.append(char)
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            plain = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            try:
                out.append(plain.encode("cp1252").decode("cp1252") if plain else "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def render_receipt_pdf(receipt: ReceiptPdf) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title(f"Receipt {clean(receipt.number)}")
    pdf.set_author(clean(receipt.workspace_name))
    pdf.set_creator("SecPortal")
    pdf.set_creation_date(datetime.combine(receipt.paid_on, datetime.min.time(), tzinfo=UTC))
    pdf.set_draw_color(*RULE)
    pdf.add_page()
    width = pdf.w - 2 * MARGIN

    def text_block(w: float, h: float, text: str, align: Align = Align.L) -> None:
        # A line that fits is one cell: fpdf2's line breaking (multi_cell) costs most of the
        # drawing time, and a receipt's lines almost always fit.
        if "\n" not in text and pdf.get_string_width(text) <= w - 2 * pdf.c_margin:
            pdf.cell(w, h, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            pdf.multi_cell(w, h, text, align=align, new_x=XPos.LMARGIN)

    def write(size: float, text: str, *, bold: bool = False, colour=INK, align=Align.L) -> None:
        pdf.set_font("Helvetica", "B" if bold else "", size)
        pdf.set_text_color(*colour)
        text_block(width, size * 0.5, clean(text), align)

    write(16, receipt.workspace_name, bold=True)
    for line in receipt.supplier_lines:
        write(9, line, colour=MUTED)
    pdf.ln(6)
    write(22, "RECEIPT", bold=True)
    write(11, f"Receipt number {receipt.number}", colour=MUTED)
    pdf.ln(4)
    write(8, "RECEIVED FROM", bold=True, colour=MUTED)
    write(11, receipt.client_name, bold=True)
    if receipt.client_address.strip():
        write(9, receipt.client_address.strip())
    pdf.ln(6)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + width, pdf.get_y())
    pdf.ln(4)
    write(9, "AMOUNT PAID", bold=True, colour=MUTED)
    write(24, receipt.amount, bold=True, colour=PAID)
    pdf.ln(4)
    label_width = 45.0
    for label, value in receipt.facts:
        pdf.set_font("Helvetica", "", 10)
        pdf.set_text_color(*MUTED)
        pdf.cell(label_width, 6.5, clean(label))
        pdf.set_text_color(*INK)
        text_block(width - label_width, 6.5, clean(value))
    pdf.ln(4)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + width, pdf.get_y())
    pdf.ln(4)
    write(10, receipt.note)
    return bytes(pdf.output())
