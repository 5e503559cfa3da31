"""One invoice as an A4 PDF, drawn with fpdf2 (pure Python, no system packages).

A pure module: it knows nothing of Django models; ``documents.py`` fills an ``InvoicePdf`` from an
invoice. Text is drawn with DejaVu Sans (shipped in ``fonts/``, Bitstream Vera licence) because
fpdf2's core fonts are Latin-1 only and have no euro sign. Everything the consultancy or client
typed is printed as plain text: no markup is interpreted. The output is deterministic: the same
invoice gives the same bytes (the creation date is the issue date, or a fixed date for drafts).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from babel.dates import format_date
from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace, TTFFont

from secportal.core.money import format_money

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_FILES = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
# Drafts have no issue date; they get this fixed creation date so their bytes are stable too.
UNDATED = datetime(2000, 1, 1, tzinfo=UTC)

MARGIN = 18.0
AMOUNT_WIDTH = 42.0
LINE = 5.5

INK = (33, 37, 41)
MUTED = (108, 117, 125)
RULE = (206, 212, 218)
HEADER_FILL = (241, 243, 245)
LINK = (13, 110, 253)
STATUS_COLOURS = {
    "Draft": MUTED,
    "Sent": (13, 110, 253),
    "Overdue": (200, 35, 51),
    "Paid": (25, 135, 84),
    "Void": MUTED,
    "Refunded": MUTED,
}


@dataclass(frozen=True)
class PdfLine:
    description: str
    quantity: str  # "4.5"
    unit_price_minor: int
    rate_label: str  # "Standard 20%"
    net_minor: int


@dataclass(frozen=True)
class PdfRate:
    label: str
    net_minor: int
    vat_minor: int


@dataclass(frozen=True)
class InvoicePdf:
    workspace_name: str
    workspace_email: str  # billing reply-to, may be ""
    client_name: str
    client_address: str  # multi-line, may be ""
    client_email: str
    number: str  # "INV-0001", or "Draft"
    status: str  # "Draft", "Sent", "Overdue", "Paid", "Void", "Refunded"
    issue_date: date | None
    due_date: date | None
    description: str  # free text, printed as plain text
    amount_minor: int
    currency: str  # GBP, USD, EUR
    engagement: str = ""  # "ENG-1 External pentest" or ""
    paid_on: date | None = None  # shown for paid invoices
    refunded_minor: int = 0  # shown if > 0
    pay_url: str = ""  # shown as a "Pay online" link when the invoice can be paid
    # The invoice of record (issue 15); all optional, so an invoice from before prints as it did.
    title: str = "INVOICE"  # "VAT INVOICE", "CREDIT NOTE"
    supplier_lines: tuple[str, ...] = ()  # legal name, address, company number, VAT number
    client_lines: tuple[str, ...] = ()  # country, VAT number
    extra_facts: tuple[tuple[str, str], ...] = ()  # ("PO number", "PO-42"), ("Tax point", ...)
    lines: tuple[PdfLine, ...] = ()
    rates: tuple[PdfRate, ...] = ()  # VAT per rate (rates with VAT only)
    net_minor: int | None = None
    vat_minor: int = 0
    vat_gbp: str = ""  # "VAT in sterling: £200.00 (1 EUR = 0.850000 GBP)"
    notes: tuple[str, ...] = ()  # reverse-charge wording, terms
    bank_details: str = ""
    credited_minor: int = 0
    footer_notes: tuple[str, ...] = ()  # the workspace's payment terms and notes
    logo_png: bytes | None = None  # a clean PNG (the Settings form re-encodes uploads)


def long_date(day: date) -> str:
    """``3 November 2026``."""
    return format_date(day, "d MMMM y", locale="en_GB")


def render_invoice_pdf(invoice: InvoicePdf) -> bytes:
    """The invoice as PDF bytes (A4, one page unless the description is long)."""
    return _InvoiceDocument(invoice).render()


class _InvoiceDocument(FPDF):
    def __init__(self, invoice: InvoicePdf) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.invoice = invoice
        for style, path in FONT_FILES.items():
            self.add_font(FONT, style, str(path))
        regular = self.fonts[FONT.lower()]
        assert isinstance(regular, TTFFont)
        self.glyphs = frozenset(regular.cmap)  # Regular and Bold cover the same characters
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 8)
        self.set_title(f"Invoice {self.clean(invoice.number)}")
        self.set_author(self.clean(invoice.workspace_name))
        self.set_subject(f"Invoice for {self.clean(invoice.client_name)}")
        self.set_creator("SecPortal")
        self.set_producer("SecPortal")
        self.set_lang("en-GB")
        self.set_creation_date(
            datetime.combine(invoice.issue_date, datetime.min.time(), tzinfo=UTC)
            if invoice.issue_date
            else UNDATED
        )
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)

    # --- text hygiene -----------------------------------------------------------------------------

    def clean(self, text: str) -> str:
        """Plain, printable text: normalised line ends, no control characters, no glyph the font
        lacks (those become U+FFFD rather than silently disappearing)."""
        text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
        out = []
        for char in text:
            if char == "\n":
                out.append(char)
            elif unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
                continue
            elif unicodedata.category(char) == "Cf":
                continue  # zero-width and direction controls: invisible, and a spoofing risk
            elif ord(char) not in self.glyphs and not char.isspace():
                out.append("\ufffd")
            else:
                out.append(" " if char.isspace() else char)
        return "".join(out)

    def font(self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*colour)

    def rule(self, gap: float = 4.0) -> None:
        self.ln(gap / 2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(gap / 2)

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def money(self, minor: int) -> str:
        return format_money(minor, self.invoice.currency)

    # --- page furniture ---------------------------------------------------------------------------

    def header(self) -> None:
        if self.invoice.status == "Draft":
            with self.local_context(text_color=(225, 228, 232)):
                self.set_font(FONT, "B", 90)
                with self.rotation(35, self.w / 2, self.h / 2):
                    self.text(self.w / 2 - 60, self.h / 2 + 12, "DRAFT")
            self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.font(8, colour=MUTED)
        invoice = self.invoice
        left = self.clean(invoice.workspace_name)
        if invoice.workspace_email:
            left += f" · {self.clean(invoice.workspace_email)}"
        self.cell(self.content_width * 0.75, 4, left, align=Align.L)
        self.cell(self.content_width * 0.25, 4, f"Page {self.page_no()} of {{nb}}", align=Align.R)

    # --- the invoice ------------------------------------------------------------------------------

    def render(self) -> bytes:
        self.add_page()
        self.header_block()
        self.parties_block()
        if self.invoice.lines:
            self.lines_block()
            self.totals_block()
        else:
            self.items_block()
        self.notes_block()
        self.payment_block()
        return bytes(self.output())

    def header_block(self) -> None:
        invoice = self.invoice
        top = self.get_y()
        left_width = self.content_width * 0.6
        right_width = self.content_width - left_width
        right_x = self.l_margin + left_width

        if invoice.logo_png:
            import io

            self.image(
                io.BytesIO(invoice.logo_png),
                x=self.l_margin,
                y=top,
                h=14,
                keep_aspect_ratio=True,
                w=left_width * 0.6,
            )
            self.set_y(top + 16)
        self.font(16, bold=True)
        self.multi_cell(
            left_width, 8, self.clean(invoice.workspace_name), align=Align.L, new_x=XPos.LMARGIN
        )
        for text in invoice.supplier_lines:
            self.font(9)
            self.multi_cell(left_width, LINE, self.clean(text), new_x=XPos.LMARGIN)
        if invoice.workspace_email:
            self.font(9, colour=MUTED)
            self.multi_cell(
                left_width, LINE, self.clean(invoice.workspace_email), new_x=XPos.LMARGIN
            )
        left_bottom = self.get_y()

        self.set_xy(right_x, top)
        self.font(20, bold=True)
        self.cell(right_width, 9, invoice.title, align=Align.R, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.font(11, bold=True)
        self.cell(
            right_width,
            LINE + 1,
            self.clean(invoice.number),
            align=Align.R,
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
        self.font(10, bold=True, colour=STATUS_COLOURS.get(invoice.status, INK))
        self.cell(
            right_width,
            LINE + 1,
            self.clean(invoice.status),
            align=Align.R,
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
        self.set_xy(self.l_margin, max(left_bottom, self.get_y()))
        self.rule(8)

    def parties_block(self) -> None:
        invoice = self.invoice
        top, page = self.get_y(), self.page
        half = self.content_width / 2

        # Right: the invoice's facts, label and value.
        facts = [("Invoice number", invoice.number), ("Status", invoice.status)]
        if invoice.issue_date:
            facts.append(("Issue date", long_date(invoice.issue_date)))
        if invoice.due_date:
            facts.append(("Due date", long_date(invoice.due_date)))
        if invoice.paid_on:
            facts.append(("Paid on", long_date(invoice.paid_on)))
        if invoice.engagement:
            facts.append(("Engagement", invoice.engagement))
        facts.extend(invoice.extra_facts)
        label_width = 30.0
        self.set_xy(self.l_margin + half, top)
        self.font(8, bold=True, colour=MUTED)
        self.cell(half, LINE, "DETAILS", new_x=XPos.LEFT, new_y=YPos.NEXT)
        for label, value in facts:
            y = self.get_y()
            self.set_x(self.l_margin + half)
            self.font(9, colour=MUTED)
            self.cell(label_width, LINE, label)
            self.font(9)
            self.multi_cell(
                half - label_width, LINE, self.clean(value), align=Align.L, new_x=XPos.LMARGIN
            )
            self.set_y(max(self.get_y(), y + LINE))
        right_bottom, right_page = self.get_y(), self.page

        # Left: who is billed.
        # (pathologically long facts ran onto another page: carry on below them)
        left_top = self.get_y() + 4 if self.page != page else top
        self.set_xy(self.l_margin, left_top)
        self.font(8, bold=True, colour=MUTED)
        self.cell(half - 4, LINE, "BILL TO", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.font(11, bold=True)
        self.multi_cell(
            half - 4, LINE + 0.5, self.clean(invoice.client_name), align=Align.L, new_x=XPos.LMARGIN
        )
        self.font(9)
        if invoice.client_address.strip():
            self.multi_cell(
                half - 4,
                LINE,
                self.clean(invoice.client_address.strip()),
                align=Align.L,
                new_x=XPos.LMARGIN,
            )
        for text in invoice.client_lines:
            self.font(9)
            self.multi_cell(half - 4, LINE, self.clean(text), align=Align.L, new_x=XPos.LMARGIN)
        if invoice.client_email:
            self.font(9, colour=MUTED)
            self.multi_cell(
                half - 4,
                LINE,
                self.clean(invoice.client_email),
                align=Align.L,
                wrapmode=WrapMode.CHAR,
                new_x=XPos.LMARGIN,
            )
        left_bottom = self.get_y()
        if self.page == right_page:
            self.set_y(max(left_bottom, right_bottom))
        self.set_x(self.l_margin)
        self.ln(8)

    def items_block(self) -> None:
        invoice = self.invoice
        description_width = self.content_width - AMOUNT_WIDTH
        self.font(9, bold=True, colour=MUTED)
        self.set_fill_color(*HEADER_FILL)
        self.cell(description_width, 8, "Description", fill=True)
        self.cell(
            AMOUNT_WIDTH,
            8,
            "Amount",
            align=Align.R,
            fill=True,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.ln(2)

        top = self.get_y()
        self.font(10)
        self.set_xy(self.l_margin + description_width, top)
        self.cell(AMOUNT_WIDTH, LINE + 0.5, self.money(invoice.amount_minor), align=Align.R)
        self.set_xy(self.l_margin, top)
        self.multi_cell(
            description_width,
            LINE + 0.5,
            self.clean(invoice.description).strip() or "—",
            align=Align.L,
            padding=(0, 4, 0, 1),
            new_x=XPos.LMARGIN,
        )
        self.ln(2)
        self.rule(2)

        rows = [("Total", self.money(invoice.amount_minor), True)]
        if invoice.refunded_minor > 0:
            rows.append(("Refunded", self.money(invoice.refunded_minor), False))
        for label, amount, bold in rows:
            self.font(11 if bold else 10, bold=bold)
            self.cell(description_width, 8, label, align=Align.R)
            self.cell(AMOUNT_WIDTH, 8, amount, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def lines_block(self) -> None:
        """The lines as a table; a long invoice breaks pages with the headings repeated."""
        self.font(9)
        with self.table(
            col_widths=(80, 16, 28, 30, 28),
            text_align=("LEFT", "RIGHT", "RIGHT", "LEFT", "RIGHT"),
            line_height=LINE,
            repeat_headings=1,
            headings_style=FontFace(emphasis="BOLD", color=MUTED, fill_color=HEADER_FILL),
            borders_layout="HORIZONTAL_LINES",
            padding=1,
        ) as table:
            table.row(("Description", "Quantity", "Unit price", "VAT rate", "Net"))
            for line in self.invoice.lines:
                table.row(
                    (
                        self.clean(line.description).strip() or "—",
                        line.quantity,
                        self.money(line.unit_price_minor),
                        line.rate_label,
                        self.money(line.net_minor),
                    )
                )
        self.ln(2)

    def totals_block(self) -> None:
        invoice = self.invoice
        label_width = self.content_width - AMOUNT_WIDTH
        net = invoice.amount_minor - invoice.vat_minor
        rows = [("Net", self.money(net if invoice.net_minor is None else invoice.net_minor), False)]
        for rate in invoice.rates:
            rows.append(
                (
                    f"VAT {rate.label} on {self.money(rate.net_minor)}",
                    self.money(rate.vat_minor),
                    False,
                )
            )
        rows.append(("VAT", self.money(invoice.vat_minor), False))
        rows.append(("Total", self.money(invoice.amount_minor), True))
        if invoice.credited_minor > 0:
            rows.append(("Credited", self.money(invoice.credited_minor), False))
        if invoice.refunded_minor > 0:
            rows.append(("Refunded", self.money(invoice.refunded_minor), False))
        for label, amount, bold in rows:
            self.font(11 if bold else 10, bold=bold)
            self.cell(label_width, 7, label, align=Align.R)
            self.cell(AMOUNT_WIDTH, 7, amount, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if invoice.vat_gbp:
            self.font(9, colour=MUTED)
            self.cell(
                0,
                6,
                self.clean(invoice.vat_gbp),
                align=Align.R,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )

    def notes_block(self) -> None:
        invoice = self.invoice
        footer = [note.strip() for note in invoice.footer_notes if note.strip()]
        if not (invoice.notes or footer):
            return
        self.ln(4)
        for note in invoice.notes:
            self.font(9, bold=True)
            self.multi_cell(0, LINE, self.clean(note), new_x=XPos.LMARGIN)
        for note in footer:
            self.font(9, colour=MUTED)
            self.multi_cell(0, LINE, self.clean(note), new_x=XPos.LMARGIN)

    def payment_block(self) -> None:
        invoice = self.invoice
        self.ln(6)
        if invoice.bank_details.strip():
            self.font(9, bold=True)
            self.multi_cell(0, LINE, "Pay by bank transfer:", new_x=XPos.LMARGIN)
            self.font(9)
            self.multi_cell(0, LINE, self.clean(invoice.bank_details.strip()), new_x=XPos.LMARGIN)
            self.ln(2)
        if invoice.paid_on:
            self.font(10, bold=True, colour=STATUS_COLOURS["Paid"])
            self.multi_cell(
                0, LINE + 1, f"Paid on {long_date(invoice.paid_on)}. Thank you.", new_x=XPos.LMARGIN
            )
        if invoice.pay_url:
            self.font(10, bold=True)
            due = f" by {long_date(invoice.due_date)}" if invoice.due_date else ""
            self.multi_cell(0, LINE + 1, f"Pay online{due}:", new_x=XPos.LMARGIN)
            self.font(9, colour=LINK)
            self.multi_cell(
                0,
                LINE,
                self.clean(invoice.pay_url),
                link=invoice.pay_url,
                align=Align.L,
                wrapmode=WrapMode.CHAR,
                new_x=XPos.LMARGIN,
            )
            if invoice.lines and len(invoice.pay_url) <= 500:
                self.qr_code(invoice.pay_url)

    def qr_code(self, url: str, size: float = 28.0) -> None:
        """The pay link as a QR code (the ``qrcode`` package), under the link."""
        import qrcode

        code = qrcode.QRCode(border=1, box_size=4)
        code.add_data(url)
        code.make(fit=True)
        image = code.make_image().get_image()
        if self.get_y() + size > self.page_break_trigger:
            self.add_page()
        self.ln(2)
        self.image(image, x=self.l_margin, y=self.get_y(), w=size, h=size, alt_text="Pay online")
        self.set_y(self.get_y() + size)
