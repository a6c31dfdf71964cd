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
from pathlib import Path
from typing import Literal

from fpdf import FPDF
from fpdf.fonts import TTFFont

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
