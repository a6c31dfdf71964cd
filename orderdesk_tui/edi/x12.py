"""A tolerant X12 reader: a file → interchanges (ISA…IEA) → functional groups (GS…GE) →
transaction sets (ST…SE) → segments and their elements.

Delimiters are read from each ISA (element separator at its 4th character, the component
separator and the segment terminator right after its 16th element), so every interchange of a
file may use its own. Real files bend the rules (X12_NOTES.md §1.2): a UTF-8 BOM, CR/LF between
segments, newline as the terminator, trailing blanks, DOS Ctrl-Z at the end, an ISA that is not
106 characters wide (read by counting its separators, reported as a warning), a whole
interchange hard-wrapped at a fixed width (line breaks removed), EBCDIC. All of that is read.

What breaks the envelope rules (control numbers that do not match, wrong SE/GE/IEA counts, a
missing trailer) is kept as a `Problem` on the interchange, group or set it concerns, with the
code a 997/TA1 answers it with, the segment number and the element position; `read(strict=True)`
raises the first one instead. What cannot be read at all (no ISA, an ISA cut short) raises
`X12Error` always. Segment numbers count from 1 at the start of the file; a set's own positions
(ST = 1, as a 997's AK302 wants) come from `TransactionSet.position`.
"""

import re
from collections.abc import Iterator

from orderdesk_tui.edi.x12_envelope import Envelope
from orderdesk_tui.edi.x12_model import (
    FUNCTIONAL_IDS,
    ISA_ELEMENTS,
    ISA_WIDTH,
    Delimiters,
    Group,
    Interchange,
    Level,
    Problem,
    Segment,
    TransactionSet,
    X12Error,
    X12File,
    where,
)

__all__ = [
    "FUNCTIONAL_IDS",
    "ISA_ELEMENTS",
    "ISA_WIDTH",
    "Delimiters",
    "Group",
    "Interchange",
    "Level",
    "Problem",
    "Segment",
    "TransactionSet",
    "X12Error",
    "X12File",
    "decode",
    "read",
    "where",
]

_BETWEEN = " \t\r\n\x1a\x00"
_NEWLINE = re.compile(r"\r\n|\r|\n")


def decode(data: str | bytes) -> str:
    """Bytes as text: a UTF-8 BOM dropped, EBCDIC recognised by its `ISA` (its NL read as a
    newline), UTF-8 else Latin-1 (X12's basic and extended character sets fit either)."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    data = data.removeprefix(b"\xef\xbb\xbf")
    if data.lstrip(b" \r\n\x15\x25\x40")[:3] == b"\xc9\xe2\xc1":
        return data.decode("cp037").replace("\x85", "\n")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read(data: str | bytes, *, strict: bool = False) -> X12File:
    """Every interchange in `data`. `strict`: the first envelope error raises (warnings do not)."""
    text = decode(data)
    reader = _Reader(text)
    interchanges = reader.interchanges()
    found = X12File(interchanges)
    if strict and found.errors():
        raise found.errors()[0].error()
    return found


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.number = 0  # segments read so far in the file

    def interchanges(self) -> list[Interchange]:
        found: list[Interchange] = []
        pos = self._skip(0)
        if pos >= len(self.text):
            raise X12Error("no X12 interchange: the text is empty")
        while pos < len(self.text):
            if not self.text.startswith("ISA", pos):
                head = self.text[pos : pos + 3]
                raise X12Error(
                    f"an interchange starts with ISA, found {head!r}", segment_no=self.number + 1
                )
            interchange, pos = self._interchange(pos)
            found.append(interchange)
            pos = self._skip(pos)
        return found

    def _skip(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] in _BETWEEN:
            pos += 1
        return pos

    def _sniff(self, start: int) -> tuple[Delimiters, int]:
        """The interchange's delimiters and where its ISA ends (its terminator's index). A line
        break inside the ISA means the interchange is hard-wrapped: its breaks are removed."""
        text, number = self.text, self.number + 1
        if len(text) < start + 4:
            raise X12Error("ISA cut short", segment_no=number, tag="ISA")
        sep = text[start + 3]
        if sep.isalnum() or sep in _BETWEEN:
            raise X12Error(
                f"ISA element separator {sep!r} is a letter, digit or blank",
                segment_no=number,
                tag="ISA",
            )
        seen, i = 0, start + 3
        while seen < ISA_ELEMENTS:
            if i >= len(text):
                raise X12Error(
                    f"ISA cut short: {seen} of its {ISA_ELEMENTS} elements",
                    segment_no=number,
                    tag="ISA",
                    element=seen,
                )
            char = text[i]
            if char in "\r\n":
                self.text = text[:start] + _NEWLINE.sub("", text[start:])
                return self._sniff(start)
            if char == sep:
                seen += 1
            i += 1
        # i is just after the 16th separator: ISA16 (component separator), then the terminator
        if i + 1 >= len(text):
            raise X12Error("ISA cut short: no segment terminator", segment_no=number, tag="ISA")
        component, terminator = text[i], text[i + 1]
        if terminator.isalnum():
            raise X12Error(
                f"no segment terminator after ISA16 (found {terminator!r}): "
                "the ISA is broken across lines",
                segment_no=number,
                tag="ISA",
                element=ISA_ELEMENTS,
            )
        version = text[start:i].split(sep)[12].strip()
        repetition = text[start:i].split(sep)[11]
        rep = repetition if version >= "00402" and not repetition.isalnum() else None
        return Delimiters(sep, component, terminator, rep), i + 1

    def _split(self, start: int, delims: Delimiters) -> Iterator[tuple[int, str, int]]:
        """(offset, segment text, where the next one starts) from `start` on. CR/LF between
        segments is ignored; with a newline terminator any line break ends a segment."""
        text, term = self.text, delims.segment
        newline = term in "\r\n"
        pos = start
        while pos < len(text):
            if newline:
                found = _NEWLINE.search(text, pos)
                end, after = (found.start(), found.end()) if found else (len(text), len(text))
            else:
                end = text.find(term, pos)
                end, after = (end, end + 1) if end >= 0 else (len(text), len(text))
            raw = text[pos:end]
            stripped = raw.lstrip(_BETWEEN)
            offset = pos + len(raw) - len(stripped)
            stripped = stripped.rstrip(_BETWEEN)
            if stripped:
                yield offset, stripped, after
            pos = after

    def _segment(self, offset: int, raw: str, delims: Delimiters) -> Segment:
        self.number += 1
        tag, *elements = raw.split(delims.element)
        return Segment(tag.strip(), tuple(elements), self.number, offset, delims)

    def _interchange(self, start: int) -> tuple[Interchange, int]:
        delims, isa_end = self._sniff(start)
        segments = self._split(start, delims)
        offset, raw, after = next(segments)
        isa = self._segment(offset, raw, delims)
        ic = Interchange(isa, delims)
        width = isa_end - start + 1
        if width != ISA_WIDTH:
            ic.problems.append(
                Problem(
                    Level.INTERCHANGE,
                    "024",
                    f"ISA is {width} characters, not {ISA_WIDTH} (read by its separators)",
                    isa.number,
                    "ISA",
                    warning=True,
                )
            )
        control = isa.element(13).strip()
        if not (len(control) == 9 and control.isdigit()):
            ic.problems.append(
                Problem(
                    Level.INTERCHANGE,
                    "018",
                    f"interchange control number {control!r} is not 9 digits",
                    isa.number,
                    "ISA",
                    13,
                )
            )
        state = Envelope(ic)
        pos = after
        for offset, raw, after in segments:
            if raw.startswith("ISA") and raw[3:4] == delims.element:
                pos = offset  # the next interchange: this one has no IEA
                break
            segment = self._segment(offset, raw, delims)
            pos = after
            if state.take(segment):
                return ic, pos
        state.end(self.number)
        return ic, pos
