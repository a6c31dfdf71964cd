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
from dataclasses import dataclass, field
from enum import StrEnum

#: The ISA is fixed width: 105 characters and the segment terminator.
ISA_WIDTH = 106
ISA_ELEMENTS = 16
#: GS01 functional identifier of each transaction set (X12_NOTES.md §1.3).
FUNCTIONAL_IDS = {
    "810": "IN",
    "820": "RA",
    "850": "PO",
    "855": "PR",
    "856": "SH",
    "860": "PC",
    "864": "TX",
    "865": "CA",
    "997": "FA",
    "999": "FA",
}
#: Characters that are never data between segments: blanks, line breaks, DOS end of file.
_BETWEEN = " \t\r\n\x1a\x00"
_NEWLINE = re.compile(r"\r\n|\r|\n")
_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}")


def where(segment_no: int | None, tag: str = "", element: int | None = None) -> str:
    """`segment 12 (POC) element 3`: where a problem is, as a person reads it."""
    if segment_no is None:
        return ""
    text = f"segment {segment_no}"
    if tag:
        text += f" ({tag})"
    if element is not None:
        text += f" element {element}"
    return text


class X12Error(ValueError):
    """Text that cannot be read as X12, or (strict) breaks an envelope rule; names where."""

    def __init__(
        self,
        message: str,
        *,
        segment_no: int | None = None,
        tag: str = "",
        element: int | None = None,
    ) -> None:
        self.message = message
        self.segment_no, self.tag, self.element = segment_no, tag, element
        place = where(segment_no, tag, element)
        super().__init__(f"{place}: {message}" if place else message)


class Level(StrEnum):
    """What a problem concerns, and so which acknowledgement code list `Problem.code` is from:
    interchange → TA105 (I18), group → AK905 (716), set → AK502 (718), segment → AK304 (720)."""

    INTERCHANGE = "interchange"
    GROUP = "group"
    SET = "set"
    SEGMENT = "segment"


@dataclass(frozen=True)
class Problem:
    level: Level
    code: str
    message: str
    segment_no: int | None = None
    tag: str = ""
    element: int | None = None
    #: Read anyway and worth telling (ISA width, GS01 not the set's family), not a reason to
    #: reject.
    warning: bool = False

    def __str__(self) -> str:
        place = where(self.segment_no, self.tag, self.element)
        return f"{place}: {self.message}" if place else self.message

    def error(self) -> X12Error:
        return X12Error(
            self.message, segment_no=self.segment_no, tag=self.tag, element=self.element
        )


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    segment: str
    #: ISA11 from version 00402 on, when it is a separator (not `U`).
    repetition: str | None = None


@dataclass(frozen=True)
class Segment:
    tag: str
    #: The elements after the tag: `elements[0]` is element 1 (BCH01).
    elements: tuple[str, ...]
    #: Position in the file, counting from 1.
    number: int
    #: Where the segment starts in the (decoded) text.
    offset: int
    delimiters: Delimiters

    def element(self, n: int) -> str:
        """Element `n` (1-based), "" when absent."""
        return self.elements[n - 1] if 0 < n <= len(self.elements) else ""

    def components(self, n: int) -> list[str]:
        return self.element(n).split(self.delimiters.component)

    def require(self, n: int, what: str) -> str:
        """Element `n`, stripped; an `X12Error` naming it when empty."""
        value = self.element(n).strip()
        if not value:
            raise X12Error(f"{what} missing", segment_no=self.number, tag=self.tag, element=n)
        return value

    def error(self, message: str, element: int | None = None) -> X12Error:
        return X12Error(message, segment_no=self.number, tag=self.tag, element=element)


@dataclass
class TransactionSet:
    st: Segment
    #: ST through SE inclusive (without SE when it is missing).
    segments: list[Segment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.st.element(1).strip()

    @property
    def control(self) -> str:
        return self.st.element(2).strip()

    @property
    def body(self) -> list[Segment]:
        """The segments between ST and SE."""
        end = -1 if len(self.segments) > 1 and self.segments[-1].tag == "SE" else None
        return self.segments[1:end]

    def position(self, segment: Segment) -> int:
        """Position of `segment` in the set, ST = 1."""
        return segment.number - self.st.number + 1


@dataclass
class Group:
    gs: Segment | None
    sets: list[TransactionSet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def _gs(self, n: int) -> str:
        return self.gs.element(n).strip() if self.gs is not None else ""

    @property
    def functional_id(self) -> str:
        return self._gs(1)

    @property
    def sender(self) -> str:
        return self._gs(2)

    @property
    def receiver(self) -> str:
        return self._gs(3)

    @property
    def control(self) -> str:
        return self._gs(6)

    @property
    def version(self) -> str:
        return self._gs(8)


@dataclass
class Interchange:
    isa: Segment
    delimiters: Delimiters
    groups: list[Group] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: TA1 interchange acknowledgements the interchange carries.
    ta1: list[Segment] = field(default_factory=list)

    def _isa(self, n: int) -> str:
        return self.isa.element(n).strip()

    @property
    def sender_qualifier(self) -> str:
        return self._isa(5)

    @property
    def sender(self) -> str:
        return self._isa(6)

    @property
    def receiver_qualifier(self) -> str:
        return self._isa(7)

    @property
    def receiver(self) -> str:
        return self._isa(8)

    @property
    def version(self) -> str:
        return self._isa(12)

    @property
    def control(self) -> str:
        return self._isa(13)

    @property
    def test(self) -> bool:
        return self._isa(15) == "T"

    def all_problems(self) -> list[Problem]:
        """Every problem of the interchange, its groups and sets, in file order."""
        found = list(self.problems)
        for group in self.groups:
            found += group.problems
            for tset in group.sets:
                found += tset.problems
        return sorted(found, key=lambda p: p.segment_no or 0)

    def sets(self) -> Iterator[TransactionSet]:
        for group in self.groups:
            yield from group.sets


@dataclass
class X12File:
    interchanges: list[Interchange]

    def problems(self) -> list[Problem]:
        return [p for ic in self.interchanges for p in ic.all_problems()]

    def errors(self) -> list[Problem]:
        return [p for p in self.problems() if not p.warning]

    def sets(self) -> Iterator[TransactionSet]:
        for ic in self.interchanges:
            yield from ic.sets()


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
        state = _Structure(ic)
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


def _same(a: str, b: str) -> bool:
    a, b = a.strip(), b.strip()
    if a.isdigit() and b.isdigit():
        return int(a) == int(b)
    return a == b


def _count(segment: Segment, n: int, actual: int, what: str) -> str | None:
    """A message when `segment`'s count element `n` is not `actual`."""
    said = segment.element(n).strip()
    if said.isdigit() and int(said) == actual:
        return None
    return f"{segment.tag}{n:02d} says {said or 'nothing'}, the {what} are {actual}"


class _Structure:
    """Puts an interchange's segments in their groups and sets, checking trailers on the way."""

    def __init__(self, ic: Interchange) -> None:
        self.ic = ic
        self.group: Group | None = None
        self.set: TransactionSet | None = None

    def take(self, seg: Segment) -> bool:
        """Place `seg`; True once the interchange's IEA has been read."""
        tag = seg.tag
        if tag == "IEA":
            self._close_group(seg.number)
            self._iea(seg)
            return True
        if tag == "GS":
            self._close_group(seg.number)
            self.group = Group(seg)
            self.ic.groups.append(self.group)
        elif tag == "GE":
            self._close_set(seg.number, "GE")
            if self.group is None:
                self.ic.problems.append(
                    Problem(Level.GROUP, "3", "GE without a GS", seg.number, tag)
                )
            else:
                self._ge(self.group, seg)
                self.group = None
        elif tag == "ST":
            self._close_set(seg.number, "ST")
            group = self._open_group(seg)
            self.set = TransactionSet(seg, [seg])
            self._st(group, self.set)
            group.sets.append(self.set)
        elif tag == "SE":
            if self.set is None:
                self._stray(seg)
            else:
                self.set.segments.append(seg)
                self._se(self.set, seg)
                self.set = None
        elif tag == "TA1" and self.group is None:
            self.ic.ta1.append(seg)
        elif self.set is None:
            self._stray(seg)
        else:
            if not _TAG.fullmatch(tag):
                self.set.problems.append(
                    Problem(Level.SEGMENT, "1", f"{tag!r} is not a segment tag", seg.number, tag)
                )
            self.set.segments.append(seg)
        return False

    def end(self, last: int) -> None:
        """The file (or the interchange, another ISA following) ended before an IEA."""
        self._close_group(last)
        self.ic.problems.append(
            Problem(
                Level.INTERCHANGE,
                "023",
                f"IEA missing: interchange {self.ic.control} ends after segment {last}",
                last,
            )
        )

    def _open_group(self, seg: Segment) -> Group:
        if self.group is None:
            self.group = Group(None)
            self.ic.groups.append(self.group)
            self.group.problems.append(
                Problem(Level.GROUP, "6", "ST outside a GS…GE group", seg.number, "ST")
            )
        return self.group

    def _stray(self, seg: Segment) -> None:
        problems = self.group.problems if self.group is not None else self.ic.problems
        problems.append(
            Problem(Level.SEGMENT, "2", f"{seg.tag} outside a transaction set", seg.number, seg.tag)
        )

    def _close_set(self, number: int, by: str) -> None:
        if self.set is not None:
            self.set.problems.append(
                Problem(
                    Level.SET,
                    "2",
                    f"SE missing: set {self.set.control} ends at the {by} in segment {number}",
                    number,
                    by,
                )
            )
            self.set = None

    def _close_group(self, number: int) -> None:
        self._close_set(number, "end of its group")
        if self.group is not None:
            self.group.problems.append(
                Problem(
                    Level.GROUP,
                    "3",
                    f"GE missing: group {self.group.control} ends at segment {number}",
                    number,
                )
            )
            self.group = None

    def _st(self, group: Group, tset: TransactionSet) -> None:
        st = tset.st
        if not tset.control:
            tset.problems.append(
                Problem(Level.SET, "7", "ST02 control number missing", st.number, "ST", 2)
            )
        elif any(s.control == tset.control for s in group.sets):
            tset.problems.append(
                Problem(
                    Level.SET,
                    "23",
                    f"set control number {tset.control} used twice in the group",
                    st.number,
                    "ST",
                    2,
                )
            )
        family = FUNCTIONAL_IDS.get(tset.id)
        if family and group.gs is not None and family != group.functional_id:
            tset.problems.append(
                Problem(
                    Level.SET,
                    "6",
                    f"a {tset.id} belongs in a GS*{family} group, not GS*{group.functional_id}",
                    st.number,
                    "ST",
                    1,
                    warning=True,
                )
            )

    def _se(self, tset: TransactionSet, se: Segment) -> None:
        wrong = _count(se, 1, len(tset.segments), "segments ST…SE")
        if wrong:
            tset.problems.append(Problem(Level.SET, "4", wrong, se.number, "SE", 1))
        if not _same(se.element(2), tset.control):
            tset.problems.append(
                Problem(
                    Level.SET,
                    "3",
                    f"SE02 {se.element(2).strip()!r} is not ST02 {tset.control!r}",
                    se.number,
                    "SE",
                    2,
                )
            )

    def _ge(self, group: Group, ge: Segment) -> None:
        wrong = _count(ge, 1, len(group.sets), "transaction sets")
        if wrong:
            group.problems.append(Problem(Level.GROUP, "5", wrong, ge.number, "GE", 1))
        if not _same(ge.element(2), group.control):
            group.problems.append(
                Problem(
                    Level.GROUP,
                    "4",
                    f"GE02 {ge.element(2).strip()!r} is not GS06 {group.control!r}",
                    ge.number,
                    "GE",
                    2,
                )
            )

    def _iea(self, iea: Segment) -> None:
        wrong = _count(iea, 1, len(self.ic.groups), "functional groups")
        if wrong:
            self.ic.problems.append(Problem(Level.INTERCHANGE, "021", wrong, iea.number, "IEA", 1))
        if not _same(iea.element(2), self.ic.control):
            self.ic.problems.append(
                Problem(
                    Level.INTERCHANGE,
                    "001",
                    f"IEA02 {iea.element(2).strip()!r} is not ISA13 {self.ic.control!r}",
                    iea.number,
                    "IEA",
                    2,
                )
            )
