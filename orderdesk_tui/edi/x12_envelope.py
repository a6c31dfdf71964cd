"""The envelope of an interchange: its segments put in their groups and sets, and the trailer
rules checked on the way (SE/GE/IEA counts and control numbers, missing trailers, segments
outside a set), each broken rule a `Problem` with the code a 997 or TA1 answers it with."""

import re

from orderdesk_tui.edi.x12_model import (
    FUNCTIONAL_IDS,
    Group,
    Interchange,
    Level,
    Problem,
    Segment,
    TransactionSet,
)

_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}")


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


class Envelope:
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
