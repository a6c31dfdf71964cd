"""The bundled demo data set: what it contains, that it adds up, and that it is reproducible.

One demo store is loaded per module (a load takes about two seconds); the determinism test
loads a second one into another file and compares the order rows.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from orderdesk_tui.errors import StoreError
from orderdesk_tui.models import (
    RMA,
    Address,
    Customer,
    EDIDocument,
    Hold,
    Invoice,
    Item,
    ItemCrossReference,
    Note,
    PriceAgreement,
    Promotion,
    PurchaseOrder,
    QuantityBreak,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    StockLevel,
    User,
    Warehouse,
)
from orderdesk_tui.models.base import HoldKind, OrderSource, OrderState, Priority
from orderdesk_tui.seed.demo import load_demo
from orderdesk_tui.seed.demo.constants import DEMO_USERS
from orderdesk_tui.seed.demo.summary import DemoSummary
from orderdesk_tui.services import credentials
from orderdesk_tui.services.credentials import Kind
from orderdesk_tui.services.credit import check_credit
from orderdesk_tui.services.pricing import price_saved_order
from orderdesk_tui.store import Store

TODAY = date(2026, 11, 27)
NOW = datetime.combine(TODAY, time(17), tzinfo=UTC)
CATEGORIES = {
    "fasteners",
    "bearings",
    "power_transmission",
    "electrical",
    "hydraulics",
    "safety",
    "chemicals",
}


def _new_store(path: Path) -> Store:
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    return store


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, DemoSummary]]:
    store = _new_store(tmp_path_factory.mktemp("demo") / "d.sqlite3")
    summary = load_demo(store, today=TODAY)
    yield store, summary
    store.dispose()


@pytest.fixture(scope="module")
def store(demo: tuple[Store, DemoSummary]) -> Store:
    return demo[0]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def test_summary_counts_what_was_loaded(demo: tuple[Store, DemoSummary]) -> None:
    store, summary = demo
    with store.session() as s:
        assert summary.customers == len(s.exec(select(Customer)).all())
        assert summary.items == len(s.exec(select(Item)).all())
        assert summary.orders == len(s.exec(select(SalesOrder)).all())
        assert summary.order_lines == len(s.exec(select(SalesOrderLine)).all())
    assert f"{summary.customers} customers" in str(summary)


def test_customers_addresses_and_story_customers(store: Store) -> None:
    with store.session() as s:
        customers = s.exec(select(Customer)).all()
        addresses = s.exec(select(Address)).all()
    assert len(customers) >= 40
    assert len({c.code for c in customers}) == len(customers)
    assert {a.country for a in addresses} >= {"US", "CA", "MX", "DE", "FR", "NL", "IT", "ES"}
    by_customer = Counter(a.customer_id for a in addresses if a.kind == "bill_to")
    assert all(by_customer[c.id] == 1 for c in customers)
    defaults = Counter(a.customer_id for a in addresses if a.kind == "ship_to" and a.is_default)
    assert all(defaults[c.id] == 1 for c in customers)
    assert [c.code for c in customers if c.credit_status == "hold"] == ["BAYO01"]
    edi = [c for c in customers if c.edi_partner_id]
    assert sorted(c.code for c in edi) == ["GLMS01", "NSTR01"]
    assert all(c.edi_qualifier for c in edi)
    assert {c.tax_id_type for c in customers} == {"EIN", "BN", "RFC", "VAT"}
    assert any(c.incoterm for c in customers)
    assert {c.service_tier for c in customers} == {"platinum", "gold", "silver", "standard"}
    assert {c.freight_terms for c in customers} >= {"prepaid", "collect", "prepaid_add"}
    assert any("tidewater middle east" in c.name.lower() for c in customers)


def test_credit_story_matches_the_credit_service(store: Store) -> None:
    with store.session() as s:
        ids = {c.code: c.id for c in s.exec(select(Customer)).all()}
    summit = check_credit(store, ids["SUMM01"], Decimal(0), today=TODAY)
    assert summit.hold is None
    assert summit.utilisation_percent is not None
    assert Decimal(95) <= summit.utilisation_percent < Decimal(100)
    bayou = check_credit(store, ids["BAYO01"], Decimal(0), today=TODAY)
    assert bayou.hold is not None and bayou.past_due_count == 3


def test_catalog(store: Store) -> None:
    with store.session() as s:
        items = s.exec(select(Item)).all()
        warehouses = s.exec(select(Warehouse)).all()
        stock = s.exec(select(StockLevel)).all()
        xrefs = s.exec(select(ItemCrossReference)).all()
    assert len(items) >= 600
    assert {i.category for i in items} == CATEGORIES
    by_id = {i.id: i for i in items}
    assert sum(1 for i in items if i.hazmat_un_number) >= 20
    assert {i.hazmat_un_number for i in items} >= {"UN1950", "UN1263", "UN1993", "UN2794", "UN3480"}
    assert {i.eccn for i in items} >= {"EAR99", "1C350", "3A991", "2B999"}
    discontinued = [i for i in items if i.status == "discontinued"]
    assert len(discontinued) >= 5
    assert all(
        i.replacement_item_id and by_id[i.replacement_item_id].status == "active"
        for i in discontinued
    )
    assert all(i.fractional_uom == (i.uom in {"FT", "LB", "GAL"}) for i in items)
    for item in items:
        if item.upc:
            digits = [int(c) for c in item.upc]
            assert len(digits) == 12
            assert (sum(digits[0:11:2]) * 3 + sum(digits[1:11:2]) + digits[11]) % 10 == 0
    assert len(warehouses) == 3
    assert sum(1 for w in warehouses if not w.hazmat_capable) == 1
    no_hazmat = {w.id for w in warehouses if not w.hazmat_capable}
    assert not [x for x in stock if x.warehouse_id in no_hazmat and by_id[x.item_id].hazmat_class]
    on_hand = Counter[int]()
    for level in stock:
        on_hand[level.item_id] += int(level.on_hand > 0)
        assert ZERO <= level.allocated <= level.on_hand
    assert sum(1 for i in items if i.status == "active" and on_hand[i.id] == 0) >= 10
    assert xrefs and all(x.customer_id for x in xrefs)


ZERO = Decimal(0)


def test_pricing_tables(store: Store) -> None:
    with store.session() as s:
        agreements = s.exec(select(PriceAgreement)).all()
        breaks = s.exec(select(QuantityBreak)).all()
        promos = s.exec(select(Promotion)).all()
    assert len({a.customer_id for a in agreements}) >= 5
    assert any(
        a.valid_from <= TODAY and (a.valid_to is None or a.valid_to >= TODAY) for a in agreements
    )
    assert any(a.valid_to is not None and a.valid_to < TODAY for a in agreements)
    assert breaks and all(b.price is not None or b.percent_off is not None for b in breaks)
    assert any(p.active and p.valid_from <= TODAY <= p.valid_to for p in promos)
    assert all(isinstance(a.price, Decimal) for a in agreements)


def test_order_history(store: Store) -> None:
    with store.session() as s:
        orders = s.exec(select(SalesOrder)).all()
        lines = s.exec(select(SalesOrderLine)).all()
    assert len(orders) >= 300
    assert {o.state for o in orders} == set(OrderState)
    assert {o.source for o in orders} == set(OrderSource)
    assert {o.priority for o in orders} == set(Priority)
    cent = Decimal("0.01")
    by_order: dict[int, list[SalesOrderLine]] = {}
    for line in lines:
        by_order.setdefault(line.order_id, []).append(line)
        assert line.extended == (line.quantity * line.unit_price).quantize(cent, ROUND_HALF_UP)
        assert line.price_source
    for order in orders:
        assert isinstance(order.total, Decimal) and isinstance(order.subtotal, Decimal)
        assert order.subtotal == sum(ln.extended for ln in by_order[order.id])
        assert order.total == order.subtotal + order.freight + order.tax
        stamps = [
            order.received_at,
            order.entered_at,
            order.acknowledged_at,
            order.released_at,
            order.shipped_at,
            order.invoiced_at,
            order.closed_at,
        ]
        present = [_aware(x) for x in stamps if x is not None]
        assert present == sorted(present), order.number
        assert all(x <= NOW for x in present), order.number
        if order.state != OrderState.DRAFT:
            assert order.first_promised_date and order.last_promised_date
            assert order.first_promised_date <= order.last_promised_date
        if order.state in (OrderState.SHIPPED, OrderState.INVOICED, OrderState.CLOSED):
            assert order.shipped_at is not None
        if order.state == OrderState.CANCELLED:
            assert order.cancelled_at is not None and order.cancel_reason
    numbers = sorted(o.number for o in orders)
    assert numbers == [o.number for o in sorted(orders, key=lambda o: o.id or 0)]
    slipped = [
        o for o in orders if (o.last_promised_date or TODAY) > (o.first_promised_date or TODAY)
    ]
    assert slipped


def test_prices_and_totals_agree_with_the_pricing_service(store: Store) -> None:
    """Re-pricing a demo order with the desk's own rules gives what the demo stored."""
    with store.session() as s:
        orders = s.exec(select(SalesOrder).order_by(col(SalesOrder.id))).all()
        lines = s.exec(select(SalesOrderLine)).all()
    by_order: dict[int | None, list[SalesOrderLine]] = {}
    for line in lines:
        by_order.setdefault(line.order_id, []).append(line)
    for order in orders[::4]:
        priced = price_saved_order(store, order.id or 0)
        stored = sorted(by_order[order.id], key=lambda ln: ln.line_no)
        for line, result in zip(stored, priced.lines, strict=True):
            assert (result.net_price, result.price_source) == (line.unit_price, line.price_source)
        assert (priced.subtotal, priced.tax.amount) == (order.subtotal, order.tax), order.number
        if "warranty replacement" not in stored[0].override_reason:  # ships free
            assert priced.total == order.total, order.number


def test_money_columns_come_back_as_decimal(store: Store) -> None:
    with store.session() as s:
        line = s.exec(select(SalesOrderLine)).first()
        invoice = s.exec(select(Invoice)).first()
        item = s.exec(select(Item)).first()
    assert line is not None and invoice is not None and item is not None
    for value in (line.unit_price, line.extended, line.quantity, invoice.total, item.list_price):
        assert isinstance(value, Decimal)


def test_allocations_backorders_and_supply(store: Store) -> None:
    with store.session() as s:
        lines = s.exec(select(SalesOrderLine)).all()
        stock = s.exec(select(StockLevel)).all()
        pos = s.exec(select(PurchaseOrder)).all()
    allocated = Counter[tuple[int | None, int | None]]()
    for line in lines:
        allocated[(line.item_id, line.warehouse_id)] += line.quantity_allocated  # type: ignore[assignment]
    for level in stock:
        assert level.allocated == allocated[(level.item_id, level.warehouse_id)]
    late = [
        ln
        for ln in lines
        if ln.quantity_backordered > 0 and ln.last_promised_date and ln.last_promised_date < TODAY
    ]
    assert late, "the queue needs late backorders"
    assert {p.kind for p in pos} == {"replenishment", "drop_ship", "special_buy"}
    assert any(p.eta and p.eta > TODAY for p in pos if p.kind == "replenishment")
    assert all(p.sales_order_id for p in pos if p.kind != "replenishment")


def test_holds_invoices_notes_and_edi(store: Store) -> None:
    with store.session() as s:
        orders = {o.id: o for o in s.exec(select(SalesOrder)).all()}
        holds = s.exec(select(Hold)).all()
        invoices = s.exec(select(Invoice)).all()
        notes = s.exec(select(Note)).all()
        edi = s.exec(select(EDIDocument)).all()
        users = s.exec(select(User)).all()
    active = [h for h in holds if h.released_at is None]
    assert {h.kind for h in active} >= {k.value for k in HoldKind if k != HoldKind.ERP}
    assert all(orders[h.order_id].state == OrderState.ON_HOLD for h in active)
    on_hold = {o.id for o in orders.values() if o.state == OrderState.ON_HOLD}
    assert on_hold == {h.order_id for h in active}
    assert any(h.released_at and h.released_by for h in holds)
    assert any(i.state == "open" and i.due_date < TODAY for i in invoices)
    assert any(i.state == "paid" for i in invoices)
    for order in orders.values():
        if order.state in (OrderState.INVOICED, OrderState.CLOSED):
            bills = [i for i in invoices if i.order_id == order.id and i.kind == "invoice"]
            assert len(bills) == 1 and bills[0].total == order.total, order.number
    due_today = [
        n
        for n in notes
        if n.callback_at and not n.callback_done and _aware(n.callback_at).date() == TODAY
    ]
    assert len(due_today) >= 2
    partners = {d.partner_id for d in edi if d.transaction_set == "850"}
    assert partners == {"078451236", "GLMROSUPPLY"}
    for doc in edi:
        first = doc.raw.split("~")[0]
        assert first.startswith("ISA*") and len(first) == 105
    assert all(orders[d.order_id].source == OrderSource.EDI for d in edi if d.order_id)
    assert {(u.name, u.role) for u in users} == {
        ("alice", "coordinator"),
        ("bob", "coordinator"),
        ("sam", "supervisor"),
        ("admin", "admin"),
    }


def test_demo_users_have_the_passwords_and_pins_readme_shows(store: Store) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    with store.immediate() as s:
        for name, _, _, password, pin in DEMO_USERS:
            for kind, secret in ((Kind.PASSWORD, password), (Kind.PIN, pin)):
                found = credentials.check(
                    s, name, kind, secret or "", max_attempts=5, lockout_minutes=1
                )
                assert found.status == ("ok" if secret else "unset"), (name, kind)
                assert secret is None or f"`{secret}`" in readme, secret


def _order_rows(store: Store) -> list[tuple[Any, ...]]:
    with store.session() as s:
        orders = s.exec(select(SalesOrder).order_by(col(SalesOrder.id))).all()
        lines = s.exec(select(SalesOrderLine).order_by(col(SalesOrderLine.id))).all()
        return [tuple(row.model_dump().items()) for row in [*orders, *lines]]


def test_same_day_and_seed_give_the_same_orders(store: Store, tmp_path: Path) -> None:
    other = _new_store(tmp_path / "again.sqlite3")
    load_demo(other, today=TODAY)
    try:
        assert _order_rows(other) == _order_rows(store)
    finally:
        other.dispose()


def _identifiers(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """The numbers people quote, each with what it names (order: customer and PO)."""
    with store.session() as s:
        orders = {o.id: o.number for o in s.exec(select(SalesOrder))}
        customers = {c.id: c.code for c in s.exec(select(Customer))}
        return {
            "orders": sorted(
                (o.number, customers[o.customer_id], o.customer_po, o.state)
                for o in s.exec(select(SalesOrder))
            ),
            "invoices": sorted((i.number, orders.get(i.order_id)) for i in s.exec(select(Invoice))),
            "shipments": sorted((x.number, orders[x.order_id]) for x in s.exec(select(Shipment))),
            "purchase orders": sorted(
                (p.number, orders.get(p.sales_order_id)) for p in s.exec(select(PurchaseOrder))
            ),
            "rmas": sorted((r.number, orders.get(r.order_id)) for r in s.exec(select(RMA))),
        }


@pytest.mark.parametrize("hour", [0, 3, 9, 13, 16, 21, 23])
def test_identifiers_do_not_depend_on_the_time_of_day(
    store: Store, tmp_path: Path, hour: int
) -> None:
    """Loaded at any hour of TODAY, the demo numbers the same orders the same way (a bench
    that keys a PO the demo also gave must not pass at 16:00 and fail at 17:00)."""
    other = _new_store(tmp_path / "at-hour.sqlite3")
    now = datetime.combine(TODAY, time(hour, 41), tzinfo=UTC)
    load_demo(other, now=now)
    try:
        assert _identifiers(other) == _identifiers(store)
        with other.session() as s:
            entered = [_aware(o.entered_at) for o in s.exec(select(SalesOrder)) if o.entered_at]
            due = sorted(_aware(n.callback_at) for n in s.exec(select(Note)) if n.callback_at)
        assert max(entered) < now  # nothing entered after the load
        # call-backs: the one due 25 minutes before the history's 17:00 is due at this hour
        # too, the ones due later keep their distance from now
        assert due[-2:] == [now + timedelta(minutes=95), now + timedelta(days=1, hours=1)]
        assert due[-3] < now
    finally:
        other.dispose()


def test_bench_pos_are_ones_the_demo_never_gives(store: Store) -> None:
    """bench/keystrokes.py keys these POs into a demo store made on any day: the demo's
    patterns for these customers exclude them, whatever its numbers."""
    from bench.keystrokes import ORDERS

    with store.session() as s:
        customers = {c.id: c.code for c in s.exec(select(Customer))}
        pos: dict[str, set[str]] = {}
        for order in s.exec(select(SalesOrder)):
            pos.setdefault(customers[order.customer_id], set()).add(order.customer_po)
        branches = {
            a.code[-3:]
            for a in s.exec(select(Address))
            if customers[a.customer_id] == "GLMS01" and a.kind == "ship_to"
        }
    assert "999" not in branches
    assert all(po.startswith(tuple(f"GL{b}-" for b in branches)) for po in pos["GLMS01"])
    assert all(po.startswith("4510") and len(po) == 10 for po in pos["NSTR01"])
    bench = {order.customer.upper(): order.po for order in ORDERS}
    assert bench["GLMS01"].startswith("GL999-") and bench["NSTR01"].startswith("459")
    for code, po in bench.items():
        assert po not in pos.get(code, set()), (code, po)


def test_refuses_a_store_that_holds_data(store: Store) -> None:
    with store.session() as s:
        before = len(s.exec(select(SalesOrder)).all())
    with pytest.raises(StoreError, match="needs an empty store"):
        load_demo(store, today=TODAY)
    with store.session() as s:
        assert len(s.exec(select(SalesOrder)).all()) == before
