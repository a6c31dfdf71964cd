"""What every document's PDF shares: an A4 or Letter page in millimetres whose text is set in the
Unicode fonts shipped in `fonts/` (DejaVu Sans, falling back glyph by glyph to Noto Sans CJK), so
a ship-to in Łódź, a € amount or a customer written in kanji prints as typed; and the atomic
write and file name of the finished PDF.

fpdf2 embeds only the glyphs a document uses, so a PDF stays small whatever the font files weigh.
Loading and subsetting the 6 MB CJK face costs about half a second, so it is registered only
when a text needs a glyph DejaVu Sans lacks.
"""

import os
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Literal

from fpdf import FPDF
from fpdf.enums import CellBordersLayout, TableBordersLayout
from fpdf.fonts import FontFace, TTFFont

from orderdesk_tui.domain.money import format_money

PageFormat = Literal["A4", "Letter"]

#: The text face (Latin, Greek, Cyrillic, currency signs, typographic punctuation).
FONT = "DejaVuSans"
#: Where a glyph `FONT` lacks comes from: Chinese, Japanese, Korean (regular weight only).
CJK_FONT = "NotoSansCJK"
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
#: (family, style, file in `FONTS_DIR`) of every face a document may use.
FONT_FILES: tuple[tuple[str, str, str], ...] = (
    (FONT, "", "DejaVuSans.ttf"),
    (FONT, "B", "DejaVuSans-Bold.ttf"),
    (CJK_FONT, "", "NotoSansCJKjp-Regular-subset.otf"),
)


class DocumentPDF(FPDF):
    """A portrait page in mm with the documents' fonts registered and `FONT` set."""

    def __init__(self, page_format: PageFormat, *, title: str, author: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format=page_format)
        for family, style, file in FONT_FILES:
            if family == FONT:
                self.add_font(family, style, FONTS_DIR / file)
        self._with_fallback = False
        self.set_font(FONT, "", 9)
        self.set_title(title)
        self.set_author(author)
        self.set_creator("orderdesk")

    def normalize_text(self, text: str) -> str:
        """Every text fpdf2 sets or measures passes here: tabs become spaces, control characters
        other than newline (which no font has a glyph for) go, and the CJK fallback is
        registered the first time a character needs it."""
        text = text.replace("\t", "    ")
        text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
        if not self._with_fallback:
            regular = self.fonts[FONT.lower()]
            assert isinstance(regular, TTFFont)
            if any(ord(ch) not in regular.cmap for ch in text if ch != "\n"):
                self._add_fallback()
        return text

    def _add_fallback(self) -> None:
        for family, style, file in FONT_FILES:
            if family != FONT:
                self.add_font(family, style, FONTS_DIR / file)
        # Bold text falls back to the regular CJK face rather than to nothing.
        self.set_fallback_fonts([CJK_FONT], exact_match=False)
        self._with_fallback = True

    def totals_table(
        self,
        rows: Sequence[tuple[str, Decimal]],
        currency: str,
        *,
        label_width: float,
        rule_above_last: bool = False,
    ) -> None:
        """Labelled amounts right-aligned under a table's amount column; the last row (the total
        or the credit) in bold, with a rule above it if asked."""
        self.set_font(FONT, "", 9)
        with self.table(
            width=label_width + 35,
            col_widths=(label_width, 35),
            align="RIGHT",
            borders_layout=TableBordersLayout.NONE,
            first_row_as_headings=False,
            line_height=5,
        ) as table:
            for index, (label, amount) in enumerate(rows):
                last = index == len(rows) - 1
                row = table.row(style=FontFace(emphasis="BOLD", size_pt=10) if last else None)
                rule = CellBordersLayout.TOP if last and rule_above_last else CellBordersLayout.NONE
                for text in (label, format_money(amount, currency)):
                    row.cell(text, align="R", border=rule)

    def write_to(self, path: Path, *, compress: bool = True) -> Path:
        """Write the document at `path` (atomically); returns `path`. `compress=False` leaves
        the content streams readable in the raw bytes."""
        self.set_compression(compress)
        return write_atomic(path, bytes(self.output()))


def write_atomic(path: Path, data: bytes) -> Path:
    """Write `data` at `path` so that a reader never sees half a file; returns `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def pdf_filename(number: str) -> str:
    """`<document number>.pdf`, with anything a file system might not take replaced by `_`."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", number).lstrip(".") or "order"
    return f"{stem}.pdf"
