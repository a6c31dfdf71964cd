"""What an uncompressed fpdf2 PDF shows, read back without a PDF library: each text object's
glyph codes mapped to characters through its font's ToUnicode CMap, so a test sees the text as
a reader copying it from the page would (and a glyph a font lacked shows as "\\x00", never as the
character that was typed)."""

import re

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_TEXT_OP = re.compile(rb"(BT)|(ET)|/(F\d+) [\d.]+ Tf|\(((?:[^()\\]|\\.)*)\) Tj", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(raw: bytes) -> dict[int, bytes]:
    return {int(m[1]): m[2] for m in _OBJECT.finditer(raw)}


def _stream(body: bytes) -> bytes:
    match = _STREAM.search(body)
    assert match is not None, "no stream"
    return match[1]


def _unescape(literal: bytes) -> bytes:
    return re.sub(rb"\\(.)", lambda m: _ESCAPES.get(m[1], m[1]), literal, flags=re.S)


def _to_unicode(objects: dict[int, bytes]) -> dict[str, dict[int, str]]:
    """Each font resource name (`F1`) and its glyph code -> text map."""
    out: dict[str, dict[int, str]] = {}
    for body in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            cmap_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(ref)])
            assert cmap_ref is not None, f"font {name!r} has no ToUnicode map"
            cmap = _stream(objects[int(cmap_ref[1])])
            out[name.decode()] = {
                int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
                for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S)
                for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block)
            }
    return out


def pdf_pages(raw: bytes) -> list[list[str]]:
    """Each page's text objects (fpdf2 writes one per line of a cell), decoded."""
    objects = _objects(raw)
    fonts = _to_unicode(objects)
    pages = []
    for body in objects.values():
        if not re.search(rb"/Type /Page\b(?!s)", body):
            continue
        contents = re.search(rb"/Contents (\d+) 0 R", body)
        assert contents is not None
        lines: list[str] = []
        font: dict[int, str] = {}
        current: list[str] = []
        for m in _TEXT_OP.finditer(_stream(objects[int(contents[1])])):
            if m[1]:
                current = []
            elif m[2]:
                if current:
                    lines.append("".join(current))
            elif m[3]:
                font = fonts[m[3].decode()]
            else:
                data = _unescape(m[4])
                codes = (int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
                current.extend(font.get(code, "\x00") for code in codes)
        pages.append(lines)
    return pages


def pdf_lines(raw: bytes) -> list[str]:
    """Every page's text objects, decoded, in page order."""
    return [line for page in pdf_pages(raw) for line in page]


def embedded_fonts(raw: bytes) -> set[str]:
    """The base names of the fonts the PDF embeds, without the subset tag (`DejaVuSans`)."""
    return {name.decode() for name in re.findall(rb"/BaseFont /(?:[A-Z]{6}\+)?([^\s/>]+)", raw)}
