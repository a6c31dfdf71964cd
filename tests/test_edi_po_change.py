"""An 860 read against its order (orderdesk_tui.edi.po_change): each change type, matching a
POC line by number or part, and the problems that keep a change from being applied."""

from datetime import date
from decimal import Decimal

import pytest

from orderdesk_tui.edi.po_change import (
    ChangeKind,
    NewLine,
    OrderLineNow,
    OrderNow,
    map_860,
    po_number,
    read_860,
)
from orderdesk_tui.edi.x12 import X12Error

ORDER = OrderNow(
    number="SO0000123",
    customer_po="GL-4471",
    state="acknowledged",
    currency="USD",
    requested_date=date(2026, 12, 15),
    ship_to_code="0042",
    lines=(
        OrderLineNow(1, "HX-100", "BP-1", Decimal(10), Decimal("12.50")),
        OrderLineNow(2, "HX-200", "", Decimal(4), Decimal("3.125"), shipped=Decimal(2)),
        OrderLineNow(3, "HX-300", "BP-3", Decimal(6), Decimal("80.00")),
    ),
    ship_tos={"0042": "Toledo plant", "0077": "Dayton DC"},
)


def x860(*body: str, purpose: str = "04", po: str = "GL-4471") -> str:
    """An interchange holding one 860 with `body` after its BCH."""
    segments = [
        f"BCH*{purpose}*SA*{po}**1*20261201",
        *body,
    ]
    isa = (
        "ISA*00*          *00*          *ZZ*GLMROSUPPLY    *ZZ*ORDERDESK      *261208*0900*U*"
        "00401*000000042*0*P*>"
    )
    return "~\n".join(
        [
            isa,
            "GS*PC*GLMROSUPPLY*ORDERDESK*20261208*0900*42*X*004010",
            "ST*860*0001",
            *segments,
            f"SE*{len(segments) + 2}*0001",
            "GE*1*42",
            "IEA*1*000000042",
            "",
        ]
    )


def _changes(*body: str, order: OrderNow = ORDER, purpose: str = "04") -> list[str]:
    request = map_860(read_860(x860(*body, purpose=purpose)), order)
    return [str(c) for c in request.changes] + [f"! {p}" for p in request.problems]


def test_quantity_increase_and_decrease() -> None:
    assert _changes("POC*1*QI*15**EA*12.50*PE*BP*BP-1*VP*HX-100", "POC*3*QD*2") == [
        "line 1 qty 10 → 15",
        "line 3 qty 6 → 2",
    ]


def test_a_quantity_change_the_wrong_way_or_below_shipped_is_a_problem() -> None:
    assert _changes("POC*1*QI*5", "POC*2*QD*1", "POC*3*QD*6") == [
        "! POC line 1: QI (quantity increase) to 5, but the line has 10",
        "! POC line 2: 2 already shipped; the quantity cannot go to 1",
        "! POC line 3: QD but the quantity is already 6",
    ]


def test_price_change_keeps_the_price_places() -> None:
    request = map_860(read_860(x860("POC*2*PC***EA*3.2")), ORDER)
    (change,) = request.changes
    assert str(change) == "line 2 price 3.125 → 3.20"
    assert (change.kind, change.value, change.code, change.position) == (
        ChangeKind.PRICE,
        Decimal("3.2"),
        "PC",
        3,
    )


def test_changes_to_the_line_and_replace_all_values_propose_what_differs() -> None:
    assert _changes("POC*1*CA*12**EA*12.50", "POC*3*RZ*6**EA*79.00") == [
        "line 1 qty 10 → 12",
        "line 3 price 80.00 → 79.00",
    ]


def test_delete_item_and_not_when_part_shipped() -> None:
    assert _changes("POC*3*DI", "POC*2*DI") == [
        "line 3 delete HX-300 qty 6 → deleted",
        "! POC line 2: 2 already shipped; the line cannot be deleted",
    ]


def test_add_item() -> None:
    request = map_860(read_860(x860("POC**AI*8**CS*21.00*PE*BP*BP-9*VP*HX-900")), ORDER)
    (change,) = request.changes
    assert (change.kind, change.line_no, str(change)) == (
        ChangeKind.ADD_LINE,
        None,
        "add line → HX-900 qty 8",
    )
    assert change.value == NewLine("HX-900", "BP-9", Decimal(8), "CS", Decimal("21.00"))
    assert _changes("POC**AI") == ["! POC line ?: an added line needs a quantity (POC03)"]


def test_a_line_is_matched_by_number_else_by_part() -> None:
    assert _changes("POC**QI*20**EA*12.50*PE*BP*BP-3", "POC*9*QD*1*1*EA**PE*VP*HX-100") == [
        "line 3 qty 6 → 20",
        "line 1 qty 10 → 1",
    ]
    assert _changes("POC*4*QI*5*5*EA**PE*BP*BP-1234") == [
        "! POC line 4: part BP BP-1234 is not on order SO0000123"
    ]
    assert _changes("POC*1*QI*20**EA**PE*VP*HX-300") == [
        "! POC line 1: part HX-300 is not line 1's part HX-100"
    ]


def test_requested_dates_of_the_order_and_of_a_line() -> None:
    assert _changes("DTM*002*20261222", "POC*1*QI*11", "DTM*002*20261230") == [
        "requested date 2026-12-15 → 2026-12-22",
        "line 1 qty 10 → 11",
        "line 1 requested date none → 2026-12-30",
    ]
    assert _changes("DTM*010*20261220", "DTM*002*20261222") == [
        "requested date 2026-12-15 → 2026-12-20",
        "! DTM*002 2026-12-22: the order has one requested date, DTM*010 already moves it",
    ]


def test_ship_to_change_by_its_code() -> None:
    assert _changes("N1*ST*Dayton*92*0077") == ["ship-to 0042 → 0077 Dayton DC"]
    assert _changes("N1*ST*Somewhere*92*9999", "N1*ST*Toledo*92*0042") == [
        "! N1*ST 9999: not a ship-to of this customer"
    ]


def test_cancel_the_order() -> None:
    assert _changes(purpose="01") == ["cancel the order acknowledged → cancelled"]


def test_an_order_that_cannot_change_is_refused_with_why() -> None:
    shipped = OrderNow(**{**ORDER.__dict__, "state": "shipped", "locked": "it is shipped"})
    request = map_860(read_860(x860("POC*1*QI*15")), shipped)
    assert request.refusal == "SO0000123 cannot change: it is shipped"
    assert [str(c) for c in request.changes] == ["line 1 qty 10 → 15"]
    assert request.applicable == []


def test_other_po_unknown_codes_and_purposes_are_problems() -> None:
    request = map_860(read_860(x860("POC*1*PQ*5", po="GL-9")), ORDER)
    assert [str(p) for p in request.problems] == [
        "BCH03 PO GL-9 is not SO0000123's PO GL-4471",
        "POC line 1: change type PQ is not read (only CA, DI, QI, QD, PC, AI, RZ)",
    ]
    assert _changes(purpose="05")[0].startswith("! BCH01 05: only 04 (change) and 01")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (["DTM*002*20261340"], r"segment 5 \(DTM\) element 2: '20261340' is not a date"),
        (["POC*1*QI*many"], r"segment 5 \(POC\) element 3: POC03 quantity 'many' is not a number"),
        (["POC*1"], r"segment 5 \(POC\) element 2: POC02 change type missing"),
    ],
)
def test_unreadable_elements_raise_naming_segment_and_element(
    body: list[str], message: str
) -> None:
    with pytest.raises(X12Error, match=message):
        map_860(read_860(x860(*body)), ORDER)


def test_an_860_with_envelope_errors_or_no_bch_is_refused() -> None:
    broken = x860("POC*1*QI*15").replace("SE*4*0001", "SE*9*0001")
    with pytest.raises(X12Error, match=r"segment 6 \(SE\) element 1: SE01 says 9"):
        read_860(broken)
    no_bch = x860().replace("BCH*04*SA*GL-4471**1*20261201~\n", "").replace("SE*3", "SE*2")
    with pytest.raises(X12Error, match=r"segment 4: the 860 has no BCH"):
        po_number(read_860(no_bch))
