"""The X12 reader over real files (tests/edi_samples, see its README for where each came from)
and hand-made variants: delimiters from each ISA, newline terminators, BOM, wrapped text, and
envelope errors named by segment and element."""

from pathlib import Path

import pytest

from orderdesk_tui.edi import x12
from orderdesk_tui.edi.x12 import Level, X12Error

SAMPLES = Path(__file__).parent / "edi_samples"


def _read(name: str, *, strict: bool = False) -> x12.X12File:
    return x12.read((SAMPLES / name).read_bytes(), strict=strict)


def _shape(found: x12.X12File) -> list[tuple[str, list[tuple[str, list[tuple[str, str, int]]]]]]:
    """Interchange control → group functional id → (set id, control, segments ST…SE)."""
    return [
        (
            ic.control,
            [
                (g.functional_id, [(s.id, s.control, len(s.segments)) for s in g.sets])
                for g in ic.groups
            ],
        )
        for ic in found.interchanges
    ]


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("node-x12_850.edi", [("000003438", [("PO", [("850", "000000010", 33)])])]),
        # the same purchase order with newlines as segment terminators
        (
            "node-x12_850_newline-terminator.edi",
            [("000003438", [("PO", [("850", "000000010", 33)])])],
        ),
        (
            "node-x12_850_two-interchanges.edi",
            [("000003438", [("PO", [("850", "000000010", 33)])])] * 2,
        ),
        ("stupidedi_IN810_pipe-sep.edi", [("005639689", [("IN", [("810", "5639689", 13)])])]),
        (
            "stupidedi_PR855_curly-subsep.edi",
            [("000002419", [("PR", [("855", "000002015", 7)])])],
        ),
        (
            "staedi_810-and-850_two-GS.edi",
            [
                (
                    "000000020",
                    [
                        ("IN", [("810", "000000001", 32), ("810", "000000002", 22)]),
                        ("PO", [("850", "000191240", 17)]),
                    ],
                )
            ],
        ),
    ],
)
def test_valid_samples_read_without_problems(name: str, shape: object) -> None:
    found = _read(name, strict=True)
    assert _shape(found) == shape
    assert found.problems() == []


def test_the_newline_terminated_copy_reads_as_the_tilde_one() -> None:
    tilde, newline = _read("node-x12_850.edi"), _read("node-x12_850_newline-terminator.edi")
    assert tilde.interchanges[0].delimiters == x12.Delimiters("*", ">", "~")
    assert newline.interchanges[0].delimiters.segment == "\n"
    assert [(s.tag, s.elements) for s in next(tilde.sets()).segments] == [
        (s.tag, s.elements) for s in next(newline.sets()).segments
    ]


def test_delimiters_come_from_each_isa() -> None:
    pipe = _read("stupidedi_IN810_pipe-sep.edi").interchanges[0]
    assert pipe.delimiters == x12.Delimiters("|", ">", "~")
    big = next(s for s in pipe.sets()).body[0]
    assert (big.tag, big.element(2), big.element(4)) == ("BIG", "00237058", "0691-0014403")
    curly = _read("stupidedi_PR855_curly-subsep.edi").interchanges[0]
    assert curly.delimiters.component == "{"
    assert (curly.sender_qualifier, curly.sender) == ("ZZ", "208781609-SHRAA")


def test_an_isa_of_another_width_is_read_by_its_separators_and_reported() -> None:
    """005010 with spaces collapsed in the ISA (73 characters) and `|` as repetition separator."""
    found = _read("apimeister_850_005010_napa.edi")
    ic = found.interchanges[0]
    assert ic.delimiters == x12.Delimiters("*", ":", "~", "|")
    assert (ic.version, ic.control, ic.sender) == ("00501", "000086518", "NAPA")
    (width,) = found.problems()
    assert width.warning and width.code == "024" and "73 characters, not 106" in str(width)
    assert found.errors() == []
    assert x12.read((SAMPLES / "apimeister_850_005010_napa.edi").read_bytes(), strict=True)


def test_set_segments_on_one_line_with_crlf_between_envelope_segments() -> None:
    found = _read("stupidedi_X357_basic-po.edi")
    tset = next(found.sets())
    assert [s.tag for s in tset.segments] == [
        "ST", "BEG", "N1", "N3", "N4", "PO1", "IT8", "CTT", "AMT", "SE",
    ]  # fmt: skip
    assert tset.position(tset.segments[-1]) == 10 and tset.segments[0].number == 3
    (family,) = found.problems()  # an 850 in a GS*SC group: told, not refused
    assert family.warning and "GS*PO group, not GS*SC" in str(family)


def test_trailer_errors_are_named_with_segment_and_element() -> None:
    found = _read("pyx12_trailer_errors.txt")
    assert [(p.level, p.code, str(p)) for p in found.errors()] == [
        (Level.SET, "4", "segment 61 (SE) element 1: SE01 says 60, the segments ST…SE are 59"),
        (Level.GROUP, "4", "segment 121 (GE) element 2: GE02 '333' is not GS06 '1'"),
        (
            Level.INTERCHANGE,
            "021",
            "segment 122 (IEA) element 1: IEA01 says 5, the functional groups are 1",
        ),
        (
            Level.INTERCHANGE,
            "001",
            "segment 122 (IEA) element 2: IEA02 '333' is not ISA13 '000484950'",
        ),
    ]
    with pytest.raises(X12Error) as raised:
        _read("pyx12_trailer_errors.txt", strict=True)
    assert (raised.value.segment_no, raised.value.tag, raised.value.element) == (61, "SE", 1)


def test_a_missing_iea_is_an_error_at_the_end() -> None:
    found = _read("pyx12_fail_no_IEA.txt")
    assert ("023", "segment 5: IEA missing: interchange 000010121 ends after segment 5") in [
        (p.code, str(p)) for p in found.errors()
    ]


def test_text_between_terminators_makes_the_se_count_wrong() -> None:
    """The ISA says `$`; three segments end `~` and a blank line: they run into one."""
    found = _read("stupidedi_SH856_MALFORMED_mixed-terminators.edi")
    (problem,) = found.errors()
    assert str(problem) == "segment 24 (SE) element 1: SE01 says 25, the segments ST…SE are 22"


def test_an_isa_broken_across_lines_with_newline_terminators_is_refused() -> None:
    with pytest.raises(X12Error, match=r"segment 1 \(ISA\) element 16: no segment terminator"):
        _read("stupidedi_PR855_MALFORMED_wrapped-isa.edi")


ISA = (
    "ISA*00*          *00*          *ZZ*GLMROSUPPLY    *ZZ*ORDERDESK      *261208*0900*U*00401*"
    "000000042*0*P*>"
)


def _interchange(body: list[str], *, isa: str = ISA, term: str = "~") -> str:
    segments = [
        isa,
        "GS*PC*GLMROSUPPLY*ORDERDESK*20261208*0900*42*X*004010",
        "ST*860*0001",
        *body,
        f"SE*{len(body) + 2}*0001",
        "GE*1*42",
        "IEA*1*000000042",
    ]
    return term.join(segments) + term


def test_a_bom_crlf_trailing_blanks_and_ctrl_z_are_read() -> None:
    text = _interchange(["BCH*04*SA*PO-1**1*20261201  "], term="~\r\n")
    found = x12.read(b"\xef\xbb\xbf" + text.encode() + b"\x1a", strict=True)
    (tset,) = found.sets()
    assert tset.body[0].elements == ("04", "SA", "PO-1", "", "1", "20261201")
    assert len(ISA) + 1 == x12.ISA_WIDTH and found.problems() == []


def test_a_hard_wrapped_interchange_is_joined_again() -> None:
    text = _interchange(["BCH*04*SA*PO-1**1*20261201", "DTM*002*20261215"])
    wrapped = "\n".join(text[i : i + 80] for i in range(0, len(text), 80))
    found = x12.read(wrapped, strict=True)
    (tset,) = found.sets()
    assert [s.tag for s in tset.body] == ["BCH", "DTM"]
    assert tset.body[1].element(2) == "20261215"


def test_other_delimiters_in_each_of_two_interchanges() -> None:
    first = _interchange(["BCH*04*SA*PO-1**1*20261201"])
    other = ISA.replace("*", "|")[:-1] + "^"
    second = _interchange(["BCH|01|SA|PO-2||1|20261202"], isa=other, term="\n").replace("*", "|")
    found = x12.read(first + "\n" + second, strict=True)
    assert [ic.delimiters for ic in found.interchanges] == [
        x12.Delimiters("*", ">", "~"),
        x12.Delimiters("|", "^", "\n"),
    ]
    assert [s.body[0].element(3) for s in found.sets()] == ["PO-1", "PO-2"]


def test_se02_st_control_and_a_stray_segment() -> None:
    text = _interchange(["BCH*04*SA*PO-1**1*20261201"]).replace("SE*3*0001", "SE*3*0002")
    text = text.replace("GS*PC", "XX*1~GS*PC")
    found = x12.read(text)
    assert [str(p) for p in found.errors()] == [
        "segment 2 (XX): XX outside a transaction set",
        "segment 6 (SE) element 2: SE02 '0002' is not ST02 '0001'",
    ]


def test_a_missing_se_is_named_where_the_set_ends() -> None:
    text = _interchange(["BCH*04*SA*PO-1**1*20261201"]).replace("SE*3*0001~", "")
    (problem,) = x12.read(text).errors()
    assert (problem.level, problem.code) == (Level.SET, "2")
    assert str(problem) == "segment 5 (GE): SE missing: set 0001 ends at the GE in segment 5"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no X12 interchange"),
        ("UNA:+.? 'UNB+UNOC:3'", "segment 1: an interchange starts with ISA, found 'UNA'"),
        ("ISA*00*   *00", r"segment 1 \(ISA\) element 3: ISA cut short: 3 of its 16"),
        ("ISAA00", "segment 1 \\(ISA\\): ISA element separator 'A'"),
    ],
)
def test_unreadable_text_raises_naming_where(text: str, message: str) -> None:
    with pytest.raises(X12Error, match=message):
        x12.read(text)


def test_segment_elements_and_components() -> None:
    (tset,) = x12.read(_interchange(["POC*1*QI*5*5*EA*2.5*PE*BP*AB>12"])).sets()
    poc = tset.body[0]
    assert (poc.element(3), poc.element(99), poc.components(9)) == ("5", "", ["AB", "12"])
    with pytest.raises(X12Error, match=r"segment 4 \(POC\) element 12: part missing"):
        poc.require(12, "part")


def test_ebcdic_is_recognised_by_its_isa() -> None:
    text = _interchange(["BCH*04*SA*PO-1**1*20261201"], term="~\n")
    (tset,) = x12.read(text.encode("cp037"), strict=True).sets()
    assert tset.body[0].element(3) == "PO-1"
