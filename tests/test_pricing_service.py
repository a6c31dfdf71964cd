"""The pricing service on both stores: one load of a customer's pricing inputs (built here with
the ORM), pure pricing on it, bad promotion codes refused at load, and the price hold."""

import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import func, select

from orderdesk_tui.config import DeskSettings, Settings
from orderdesk_tui.domain.pricing.inputs import LineRequest, ShipTo
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import (
    Address,
    AuditEvent,
    Customer,
    Hold,
    Item,
    PriceAgreement,
    PriceList,
    PriceListEntry,
    Promotion,
    QuantityBreak,
    SalesOrder,
    SalesOrderLine,
)
from orderdesk_tui.models.base import SUPERVISOR_HOLDS, HoldKind, OrderState
from orderdesk_tui.services.pricing import (
    apply_price_hold_if_needed,
    load_pricing_context,
    price_line,
    price_order,
    price_saved_order,
)
from orderdesk_tui.store import Store

D = Decimal
TODAY = date(2026, 11, 27)
SETTINGS = Settings(desk=DeskSettings(margin_floor_percent=D("10")))


@dataclass
class World:
    customer: int
    other_customer: int
    ship_to: int
    bearing: int
    gloves: int
    screw: int


def _world(store: Store) -> World:
    with store.session() as s:
        dist, oem = (
            PriceList(code="DIST", name="Distributor net"),
            PriceList(code="OEM1", name="OEM"),
        )
        s.add_all([dist, oem])
        s.flush()
        assert dist.id and oem.id
        customer = Customer(
            code="GLMS01",
            name="Great Lakes MRO Supply Co.",
            price_list_id=dist.id,
            customer_group="reseller",
            freight_terms="prepaid_add",
            free_freight_threshold=D("1500.00"),
        )
        other = Customer(code="ACME01", name="Acme Fabrication", customer_group="oem")
        bearing = Item(
            part_number="6204-ZZ",
            description="Ball bearing 20x47x14, 2 shields",
            category="bearings",
            list_price=D("12.6500"),
            cost=D("6.0000"),
            weight_kg=D("0.110"),
        )
        gloves = Item(
            part_number="GLV-NIT-8MIL-L",
            description="Nitrile gloves 8 mil, L, box of 100",
            category="safety",
            uom="BX",
            list_price=D("21.4900"),
            cost=D("13.9792"),
            weight_kg=D("0.900"),
        )
        screw = Item(
            part_number="HHCS-0250-20X050-ZP",
            description="Hex cap screw 1/4-20 x 1/2, G5 zinc",
            category="fasteners",
            list_price=D("0.0804"),
            cost=D("0.0345"),
            moq=D(100),
            order_multiple=D(100),
            weight_kg=D("0.005"),
        )
        s.add_all([customer, other, bearing, gloves, screw])
        s.flush()
        assert customer.id and other.id and bearing.id and gloves.id and screw.id
        address = Address(
            customer_id=customer.id,
            code="BR-010",
            name="Great Lakes MRO - Cleveland",
            line1="4600 Euclid Ave",
            city="Cleveland",
            region="OH",
            postal_code="44103",
            country="US",
        )
        s.add_all(
            [
                address,
                PriceListEntry(price_list_id=dist.id, category="bearings", percent_off=D(30)),
                PriceListEntry(price_list_id=dist.id, category="safety", percent_off=D(20)),
                PriceListEntry(price_list_id=oem.id, category="bearings", percent_off=D(50)),
                PriceAgreement(
                    customer_id=customer.id,
                    item_id=bearing.id,
                    contract_ref="GL-2026-01",
                    price=D("7.9000"),
                    min_quantity=D(50),
                    valid_from=date(2026, 1, 1),
                    valid_to=date(2026, 12, 31),
                ),
                PriceAgreement(
                    customer_id=customer.id,
                    item_id=bearing.id,
                    contract_ref="GL-2025-07",
                    price=D("7.0000"),
                    valid_from=date(2025, 7, 1),
                    valid_to=date(2026, 6, 30),
                ),
                PriceAgreement(  # another customer's contract: never loaded for GLMS01
                    customer_id=other.id,
                    item_id=bearing.id,
                    contract_ref="AC-1",
                    price=D("1.0000"),
                    valid_from=date(2026, 1, 1),
                ),
                QuantityBreak(
                    item_id=gloves.id, price_list_id=dist.id, min_quantity=D(20), price=D("15.0430")
                ),
                QuantityBreak(
                    item_id=gloves.id, price_list_id=oem.id, min_quantity=D(1), price=D("1.0000")
                ),
                QuantityBreak(item_id=screw.id, min_quantity=D(1000), percent_off=D(5)),
                Promotion(
                    code="SAFETY-Q4",
                    name="Q4 safety stock-up",
                    valid_from=date(2026, 11, 7),
                    valid_to=date(2027, 1, 1),
                    item_category="safety",
                    percent_off=D(10),
                ),
                Promotion(
                    code="HYD-SPRING",
                    name="Spring hydraulics (expired)",
                    valid_from=date(2026, 3, 1),
                    valid_to=date(2026, 5, 31),
                    item_category="hydraulics",
                    percent_off=D(12),
                ),
                Promotion(
                    code="GLOVE-CLEAR",
                    name="Glove clearance (paused)",
                    valid_from=date(2026, 11, 1),
                    valid_to=date(2026, 12, 31),
                    item_id=gloves.id,
                    percent_off=D(20),
                    active=False,
                ),
            ]
        )
        s.flush()
        assert address.id
        return World(customer.id, other.id, address.id, bearing.id, gloves.id, screw.id)


def test_load_once_then_price_on_both_stores(store: Store) -> None:
    w = _world(store)
    ctx = load_pricing_context(
        store,
        w.customer,
        TODAY,
        [w.bearing, w.gloves, w.screw],
        "safety-q4",
        ship_to_id=w.ship_to,
        settings=SETTINGS,
    )
    assert ctx.customer.code == "GLMS01" and ctx.ship_to == ShipTo("US", "OH")
    assert ctx.margin_floor_percent == D("10")
    assert sorted(c.ref for c in ctx.contracts[w.bearing]) == ["GL-2025-07", "GL-2026-01"]
    assert {b.price_list_code for b in ctx.breaks[w.gloves]} == {"DIST"}  # OEM1's is left out
    assert ctx.promotion is not None and ctx.promotion.code == "SAFETY-Q4"

    under_contract_qty = price_line(ctx, LineRequest(w.bearing, 10))
    assert under_contract_qty.price_source == "price list DIST -30% bearings"
    assert under_contract_qty.unit_price == D("8.8550")
    reasons = {r.label: r.reason for r in under_contract_qty.rules}
    assert reasons["contract GL-2026-01"] == "needs qty 50"
    assert reasons["contract GL-2025-07"] == "expired 2026-06-30"

    order = price_order(
        ctx,
        [
            LineRequest(w.bearing, 60),  # contract GL-2026-01 7.9000 -> 474.00
            LineRequest(w.gloves, 24),  # DIST break 15.0430 beats -20% and promo -10%
            LineRequest(w.screw, 1000),  # general break -5%: 0.0764 -> 76.40
        ],
    )
    bearing, gloves, screw = order.lines
    assert (bearing.price_source, bearing.extended) == ("contract GL-2026-01", D("474.00"))
    assert (gloves.price_source, gloves.unit_price) == ("break 20+ (DIST)", D("15.0430"))
    promo_rule = next(r for r in gloves.rules if r.label == "promo SAFETY-Q4")
    assert "above break 20+ (DIST) 15.0430" in promo_rule.reason
    assert gloves.below_floor  # 15.043 < 13.9792 x 1.10
    assert (screw.price_source, screw.extended) == ("break 1000+", D("76.40"))
    assert order.subtotal == D("474.00") + D("361.03") + D("76.40")
    assert order.freight.charge == D("61.42")  # 33.2 kg x 1.85, under the 1500 threshold
    assert order.tax.explanation == "US-OH: State sales tax 5.75%"
    assert order.tax.amount == D("52.41")  # 5.75 % of 911.43, freight not taxed in the US
    assert order.total == D("1025.26")


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("NOPE-2026", "no promotion NOPE-2026"),
        ("HYD-SPRING", "promotion HYD-SPRING ended 2026-05-31"),
        ("glove-clear", "promotion GLOVE-CLEAR is not active"),
    ],
)
def test_bad_promotion_code_is_refused_and_nothing_is_written(
    store: Store, code: str, fragment: str
) -> None:
    w = _world(store)
    with store.session() as s:
        events_before = s.exec(select(func.count()).select_from(AuditEvent)).one()
    with pytest.raises(FieldError) as err:
        load_pricing_context(store, w.customer, TODAY, [w.bearing], code, settings=SETTINGS)
    assert err.value.field == "promotion_code" and fragment in err.value.rule
    with store.session() as s:
        assert s.exec(select(func.count()).select_from(AuditEvent)).one() == events_before
        assert s.exec(select(func.count()).select_from(Hold)).one() == 0


def test_unknown_customer_item_or_ship_to(store: Store) -> None:
    w = _world(store)
    with pytest.raises(FieldError, match="customer: no customer with id 9999"):
        load_pricing_context(store, 9999, TODAY, [w.bearing], settings=SETTINGS)
    with pytest.raises(FieldError, match="item: no item with id 9998, 9999"):
        load_pricing_context(store, w.customer, TODAY, [9999, w.bearing, 9998], settings=SETTINGS)
    with pytest.raises(FieldError, match="ship_to"):
        load_pricing_context(
            store, w.other_customer, TODAY, [w.bearing], ship_to_id=w.ship_to, settings=SETTINGS
        )


def _order(store: Store, w: World, *, state: str = OrderState.ENTERED) -> int:
    with store.session() as s:
        order = SalesOrder(
            number="SO0000042",
            customer_id=w.customer,
            ship_to_id=w.ship_to,
            state=state,
            promotion_code="SAFETY-Q4",
            entered_at=datetime(2026, 11, 27, 15, 30, tzinfo=UTC),
        )
        s.add(order)
        s.flush()
        assert order.id
        s.add_all(
            [
                SalesOrderLine(
                    order_id=order.id, line_no=1, item_id=w.bearing, quantity=D("60.000")
                ),
                SalesOrderLine(
                    order_id=order.id,
                    line_no=2,
                    item_id=w.screw,
                    quantity=D("500"),
                    unit_price=D("0.0300"),
                    override_reason="clearance of old stock, OK by branch manager",
                ),
            ]
        )
        return order.id


def test_price_hold_when_under_the_margin_floor(store: Store) -> None:
    w = _world(store)
    order_id = _order(store, w)
    result = price_saved_order(store, order_id, settings=SETTINGS)
    assert [line.price_source for line in result.lines] == ["contract GL-2026-01", "override"]
    assert result.needs_price_hold
    assert HoldKind.PRICE in SUPERVISOR_HOLDS
    with store.session() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None
        hold = apply_price_hold_if_needed(s, order, result, "casey")
        assert hold is not None and hold.kind == HoldKind.PRICE
        assert hold.reason == (
            "line 2 HHCS-0250-20X050-ZP: net 0.0300 is under the margin floor 0.0380 "
            "(cost 0.0345 + 10%)"
        )
        assert apply_price_hold_if_needed(s, order, result, "casey") is None  # already open
    with store.session() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None and order.state == OrderState.ON_HOLD
        holds = s.exec(select(Hold).where(Hold.order_id == order_id)).all()
        assert [(h.kind, h.raised_by, h.released_at) for h in holds] == [("price", "casey", None)]
        actions = s.exec(select(AuditEvent.action).where(AuditEvent.order_id == order_id)).all()
        assert sorted(actions) == ["hold.placed", "order.state"]


def test_no_hold_when_every_price_clears_the_floor(store: Store) -> None:
    w = _world(store)
    order_id = _order(store, w)
    ctx = load_pricing_context(store, w.customer, TODAY, [w.bearing], settings=SETTINGS)
    result = price_order(ctx, [LineRequest(w.bearing, 60)])
    with store.session() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None
        assert apply_price_hold_if_needed(s, order, result.lines, "casey") is None
    with store.session() as s:
        assert s.exec(select(func.count()).select_from(Hold)).one() == 0
        assert s.exec(select(func.count()).select_from(AuditEvent)).one() == 0


def test_pricing_modules_do_not_load_textual_or_the_store_in_the_domain() -> None:
    """The domain module is pure (no SQLAlchemy); neither module pulls in Textual."""
    code = (
        "import sys\n"
        "import orderdesk_tui.domain.pricing.order\n"
        "pure = sorted(m for m in sys.modules if m.split('.')[0] in {'sqlalchemy', 'sqlmodel'})\n"
        "import orderdesk_tui.services.pricing\n"
        "tui = sorted(m for m in sys.modules if m.split('.')[0] == 'textual')\n"
        "print(len(pure), len(tui))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0"]


def test_saved_order_is_priced_as_of_the_date_asked(store: Store) -> None:
    w = _world(store)
    order_id = _order(store, w)
    with pytest.raises(FieldError, match="promotion SAFETY-Q4 starts 2026-11-07"):
        price_saved_order(store, order_id, settings=SETTINGS, order_date=date(2026, 11, 6))
    on_start = price_saved_order(store, order_id, settings=SETTINGS, order_date=date(2026, 11, 7))
    assert on_start.lines[0].price_source == "contract GL-2026-01"
    with store.session() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None
        order.promotion_code = ""
    # in May the older contract GL-2025-07 (7.0000, no minimum) still ran, and was lower
    in_may = price_saved_order(store, order_id, settings=SETTINGS, order_date=date(2026, 5, 1))
    assert in_may.lines[0].price_source == "contract GL-2025-07"
    assert "contract GL-2025-07 7.0000 is lower" in in_may.lines[0].rules[1].reason
