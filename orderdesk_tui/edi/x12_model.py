"""The parts of an X12 file as the reader (edi.x12) gives them: interchange, group, transaction
set, segment; and the problems and errors it reports, each naming the segment and element."""

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
