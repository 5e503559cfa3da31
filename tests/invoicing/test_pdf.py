"""The invoice PDF (pure: no database). Text is read back with a small reader for fpdf2's output
(Type0 fonts with ToUnicode maps), so the tests need nothing beyond what the app installs."""

from __future__ import annotations

import dataclasses
import re
import zlib
from dataclasses import dataclass, field
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secportal.invoicing.pdf import FONT_DIR, InvoicePdf, long_date, render_invoice_pdf

# --- a minimal PDF reader, enough for fpdf2's own output ------------------------------------------

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_STREAM = re.compile(rb"^(.*?)stream\r?\n(.*)\r?\nendstream$", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


@dataclass
class Pdf:
    raw: bytes
    objects: dict[int, bytes] = field(default_factory=dict)
    streams: dict[int, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for number, body in _OBJECT.findall(self.raw):
            self.objects[int(number)] = body
            stream = _STREAM.match(body)
            if stream:
                head, data = stream.groups()
                self.objects[int(number)] = head
                self.streams[int(number)] = (
                    zlib.decompress(data) if b"/FlateDecode" in head else data
                )

    def pages(self) -> list[int]:
        return [n for n, body in sorted(self.objects.items()) if re.search(rb"/Type /Page\b", body)]

    def info(self) -> dict[str, str]:
        trailer = self.raw[self.raw.rindex(b"trailer") :]
        ref = re.search(rb"/Info (\d+) 0 R", trailer)
        assert ref, "no /Info in the trailer"
        body = self.objects[int(ref.group(1))]
        found: dict[str, str] = {}
        for key, value in re.findall(rb"/(\w+) (\(.*?(?<!\\)\)|<[0-9a-fA-F]*>)", body):
            found[key.decode()] = pdf_string(value)
        return found

    def text(self) -> str:
        """The text of every page, one line per text object (BT ... ET), pages separated by \\f."""
        fonts: dict[bytes, dict[int, str]] = {}
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", b"".join(self.objects.values())):
            font = self.objects[int(ref)]
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
            fonts[name] = cmap(self.streams[int(to_unicode.group(1))]) if to_unicode else {}
        pages = []
        for page in self.pages():
            lines = []
            for ref in re.findall(rb"/Contents (\d+) 0 R", self.objects[page]):
                lines.extend(content_lines(self.streams[int(ref)], fonts))
            pages.append("\n".join(lines))
        return "\f".join(pages)

    def body(self) -> str:
        """The text without each page's footer (its last two lines), so text that runs over a
        page break reads on without the footer in between."""
        return "\n".join(page.rsplit("\n", 2)[0] for page in self.text().split("\f"))


def cmap(stream: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for code, target in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, start in re.findall(
            rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            first = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def literal(data: bytes, start: int) -> tuple[bytes, int]:
    """The PDF literal string whose '(' is just before ``start``: (its bytes, index after ')')."""
    out, depth, i = bytearray(), 1, start
    while True:
        char = data[i : i + 1]
        if char == b"\\":
            nxt = data[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out += _ESCAPES[nxt]
                i += 2
            elif nxt.isdigit():
                octal = re.match(rb"[0-7]{1,3}", data[i + 1 : i + 4])
                assert octal
                out.append(int(octal.group(0), 8) & 0xFF)
                i += 1 + len(octal.group(0))
            elif nxt in (b"\n", b"\r"):
                i += 2
            else:
                out += nxt
                i += 2
            continue
        if char == b"(":
            depth += 1
        elif char == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out += char
        i += 1


def content_lines(stream: bytes, fonts: dict[bytes, dict[int, str]]) -> list[str]:
    lines: list[str] = []
    current: list[str] = []
    font: dict[int, str] = {}
    operands: list[bytes] = []
    i = 0
    while i < len(stream):
        char = stream[i : i + 1]
        if char == b"(":
            value, i = literal(stream, i + 1)
            operands.append(b"S" + value)
            continue
        if char == b"<" and stream[i : i + 2] != b"<<":
            end = stream.index(b">", i)
            operands.append(b"S" + bytes.fromhex(stream[i + 1 : end].decode()))
            i = end + 1
            continue
        token = re.match(rb"/?[^\s()<>\[\]/]+|[\[\]]|<<|>>", stream[i:])
        if not token:
            i += 1
            continue
        word = token.group(0)
        i += len(word)
        if word == b"Tf":
            font = fonts.get(operands[-2].lstrip(b"/"), {})
        elif word in (b"Tj", b"TJ", b"'", b'"'):
            for operand in operands:
                if operand.startswith(b"S"):
                    raw = operand[1:]
                    codes = [int.from_bytes(raw[k : k + 2], "big") for k in range(0, len(raw), 2)]
                    current.append("".join(font.get(code, "\ufffd") for code in codes))
        elif word == b"ET":
            if current:
                lines.append("".join(current))
            current = []
        if re.fullmatch(rb"[A-Za-z'\"]+\*?", word) and word not in (b"true", b"false", b"null"):
            operands = []
        else:
            operands.append(word)
    return lines


def pdf_string(token: bytes) -> str:
    if token.startswith(b"<"):
        data = bytes.fromhex(token[1:-1].decode())
    else:
        data, _ = literal(token, 1)
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be")
    return data.decode("latin-1")


def flat(text: str) -> str:
    """Text with every run of whitespace (spaces, no-break spaces, line ends) as one space."""
    return " ".join(text.split())


# --- fixtures -------------------------------------------------------------------------------------


def make_invoice(**changes: object) -> InvoicePdf:
    invoice = InvoicePdf(
        workspace_name="Northwind Security Ltd",
        workspace_email="billing@northwind.example",
        client_name="Acme Widgets plc",
        client_address="1 High Street\nLondon\nEC1A 1AA",
        client_email="accounts@acme.example",
        number="INV-0001",
        status="Sent",
        issue_date=date(2026, 10, 20),
        due_date=date(2026, 11, 19),
        description="External penetration test of the customer portal, five days.",
        amount_minor=125_050,
        currency="GBP",
        engagement="ENG-1 External pentest",
        pay_url="https://portal.example/pay/3f9c",
    )
    return dataclasses.replace(invoice, **changes)  # type: ignore[arg-type]


def read(invoice: InvoicePdf) -> Pdf:
    data = render_invoice_pdf(invoice)
    assert isinstance(data, bytes)
    return Pdf(data)


PAID = {
    "status": "Paid",
    "paid_on": date(2026, 11, 3),
    "pay_url": "",
}


# --- tests ----------------------------------------------------------------------------------------


def test_it_is_a_pdf() -> None:
    data = render_invoice_pdf(make_invoice())
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert len(Pdf(data).pages()) == 1


def test_the_facts_are_printed() -> None:
    text = read(make_invoice()).text()
    lines = text.splitlines()
    assert "Northwind Security Ltd" in lines
    assert "INVOICE" in lines
    assert "INV-0001" in lines
    assert "Sent" in lines
    assert "Acme Widgets plc" in lines
    assert {"1 High Street", "London", "EC1A 1AA"} <= set(lines)
    assert "accounts@acme.example" in lines
    assert "billing@northwind.example" in lines
    assert "20 October 2026" in lines  # issue date
    assert "19 November 2026" in lines  # due date
    assert "ENG-1 External pentest" in lines
    assert "External penetration test of the customer portal, five days." in flat(text)
    assert lines.count("£1,250.50") == 2  # the line and the total
    assert "Total" in lines
    assert "Pay online by 19 November 2026:" in lines
    assert "https://portal.example/pay/3f9c" in lines
    assert "Page 1 of 1" in flat(text)
    assert "Paid on" not in text and "Refunded" not in text


def test_the_pay_link_is_a_real_link() -> None:
    data = render_invoice_pdf(make_invoice())
    assert b"/URI (https://portal.example/pay/3f9c)" in data


def test_a_paid_invoice_shows_when_and_no_pay_link() -> None:
    pdf = read(make_invoice(**PAID))
    text = pdf.text()
    assert "Paid" in text.splitlines()
    assert "Paid on 3 November 2026. Thank you." in text
    assert "3 November 2026" in text.splitlines()  # in the details too
    assert "Pay online" not in text
    assert b"/URI" not in pdf.raw


def test_a_refund_is_shown() -> None:
    refunded = make_invoice(**{**PAID, "status": "Refunded"}, refunded_minor=5_000)
    lines = read(refunded).text().splitlines()
    assert "Refunded" in lines
    assert "£50.00" in lines


@pytest.mark.parametrize(
    ("currency", "shown"),
    [("GBP", "£1,250.50"), ("USD", "$1,250.50"), ("EUR", "1.250,50 €")],
)
def test_currencies_render_with_their_signs(currency: str, shown: str) -> None:
    text = read(make_invoice(currency=currency)).text()
    assert [flat(line) for line in text.splitlines()].count(shown) == 2
    assert "\ufffd" not in text  # every glyph was in the font


def test_markup_in_the_description_is_printed_as_text() -> None:
    description = '<script>alert(1)</script> <b>bold?</b> **not markdown** &amp; "quotes"'
    text = read(make_invoice(description=description)).text()
    assert description in flat(text)


def test_a_draft_without_dates_or_number() -> None:
    draft = make_invoice(number="Draft", status="Draft", issue_date=None, due_date=None, pay_url="")
    pdf = read(draft)
    lines = pdf.text().splitlines()
    assert lines.count("Draft") >= 2  # number and status
    assert "Issue date" not in lines and "Due date" not in lines
    assert pdf.info()["Title"] == "Invoice Draft"


def test_metadata() -> None:
    info = read(make_invoice(workspace_name="Zoë & Søn Security €")).info()
    assert info["Title"] == "Invoice INV-0001"
    assert info["Author"] == "Zoë & Søn Security €"
    assert info["CreationDate"].startswith("D:20261020000000")


def test_same_invoice_same_bytes() -> None:
    first = render_invoice_pdf(make_invoice())
    assert render_invoice_pdf(make_invoice()) == first
    assert render_invoice_pdf(make_invoice(number="INV-0002")) != first
    draft = make_invoice(number="Draft", status="Draft", issue_date=None)
    assert render_invoice_pdf(draft) == render_invoice_pdf(draft)


def test_a_long_description_wraps_onto_more_pages() -> None:
    words = [f"finding-{n:04d} remediated;" for n in range(250)]
    description = " ".join(words)[:5_000]
    assert len(description) == 5_000
    pdf = read(make_invoice(description=description))
    text = pdf.body()
    assert "".join(description.split()) in "".join(text.split())  # nothing lost in wrapping
    assert max(len(line) for line in text.splitlines()) < 120  # it did wrap
    assert text.count("£1,250.50") == 2


def test_a_very_long_description_runs_to_several_pages() -> None:
    description = "\n\n".join(
        f"Paragraph {n}: " + "lorem ipsum dolor sit amet " * 20 for n in range(40)
    )
    pdf = read(make_invoice(description=description))
    assert len(pdf.pages()) >= 3
    text = pdf.text()
    assert "Paragraph 39:" in text
    assert f"Page {len(pdf.pages())} of {len(pdf.pages())}" in text


def test_a_long_unbroken_word_and_long_fields_render() -> None:
    pdf = read(
        make_invoice(
            description="x" * 5_000,
            client_name="A" * 300,
            client_address="\n".join(["Line"] * 80),
            engagement="ENG-12 " + "scope " * 80,
            workspace_name="N" * 200,
            pay_url="https://portal.example/pay/" + "a" * 400,
        )
    )
    assert len(pdf.pages()) >= 2
    assert "x" * 5_000 in "".join(pdf.body().split())
    assert "Page 1 of " in pdf.text()


def test_control_characters_and_missing_glyphs_do_not_break_it() -> None:
    description = (
        "tab\there\r\nnull\x00bell\x07 zero\u200bwidth rtl\u202eoverride lone\ud800surrogate 漢字"
    )
    text = read(make_invoice(description=description)).text()
    assert "tab    here" in text
    assert "nullbell" in text
    assert "zerowidth" in text and "rtloverride" in text
    assert "lonesurrogate" in text
    assert "\ufffd\ufffd" in text  # the two CJK characters DejaVu Sans lacks, shown, not dropped


def test_dates_read_as_the_seed_writes_them() -> None:
    assert long_date(date(2026, 11, 3)) == "3 November 2026"


def test_the_font_and_its_licence_ship_with_the_app() -> None:
    files = {path.name: path.stat().st_size for path in FONT_DIR.iterdir()}
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"} <= set(files)
    assert sum(files.values()) < 1_600_000
    assert "Bitstream Vera" in (FONT_DIR / "LICENSE").read_text()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(max_size=400),
    st.text(max_size=60),
    st.text(max_size=120),
    st.sampled_from(["GBP", "USD", "EUR"]),
    st.integers(0, 99_999_999),
)
def test_any_text_renders(
    description: str, name: str, address: str, currency: str, amount: int
) -> None:
    data = render_invoice_pdf(
        make_invoice(
            description=description,
            client_name=name,
            client_address=address,
            workspace_name=name,
            currency=currency,
            amount_minor=amount,
        )
    )
    assert data.startswith(b"%PDF-")


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=600))
def test_printable_descriptions_come_back_verbatim(description: str) -> None:
    text = read(make_invoice(description=description)).text()
    assert "".join(description.split()) in "".join(text.split())


def test_pypdf_reads_it_too() -> None:
    pypdf = pytest.importorskip(
        "pypdf", reason="pypdf is not installed; the tests above use their own reader"
    )
    reader = pypdf.PdfReader(
        __import__("io").BytesIO(render_invoice_pdf(make_invoice(currency="EUR")))
    )
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "INV-0001" in text and "1.250,50" in text and "€" in text
    assert reader.metadata.title == "Invoice INV-0001"
