"""A small hand-made store for the report tests (query, CLI and screen), figures worked out.

November 2026, as of the 27th. Orders due in November (first promised date):
- SO-1 (ACME1, keyboard, alice): motor 10 promised 11-05 shipped 10 on 11-05; belt 5 promised
  11-05 shipped 5 on 11-05. Perfect.
- SO-2 (ACME1, edi, bob): motor 10 promised 11-08, 6 shipped 11-10, 4 on backorder (promise
  now 11-20); a wrong-price credit memo; a credit hold 11-03 09:00 to 11-04 09:00.
- SO-3 (BETA1, keyboard, alice): belt 4 promised 11-12, shipped 4 on 11-12; a damaged RMA.
- SO-4 (BETA1) a draft, SO-5 (ACME1) due in December: never in November's due figures.

Fill, first-time: lines 3/4 = 75 %; units (10+5+0+4)/(10+5+10+4) = 19/29 = 65.5 %;
after backorders units 25/29 = 86.2 %; orders 2/3. Perfect order 1/3; accuracy 1/3.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

from orderdesk_tui.models import (
    RMA,
    Customer,
    Hold,
    Invoice,
    Item,
    RMALine,
    SalesOrder,
    SalesOrderLine,
    Warehouse,
)
from orderdesk_tui.store import Store

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 17, tzinfo=UTC)
D = Decimal


def nov(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def _line(order: SalesOrder, no: int, item: Item, qty: int, shipped: int, promised: date,
          shipped_on: date | None, **kw: object) -> SalesOrderLine:  # fmt: skip
    return SalesOrderLine(
        order_id=order.id or 0, line_no=no, item_id=item.id, part_number=item.part_number,
        quantity=D(qty), quantity_shipped=D(shipped), unit_price=D("10.00"),
        requested_date=promised, first_promised_date=promised,
        last_promised_date=kw.pop("last_promised", promised), shipped_date=shipped_on,
        **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def build(store: Store) -> dict[str, int]:
    """The data set above; order number -> id."""
    with store.session() as s:
        acme = Customer(code="ACME1", name="Acme Motors")
        beta = Customer(code="BETA1", name="Beta Belts")
        motor = Item(part_number="MOTOR-1", description="motor", category="motors")
        belt = Item(part_number="BELT-1", description="belt", category="belts")
        main = Warehouse(code="MAIN", name="Main")
        s.add_all([acme, beta, motor, belt, main])
        s.flush()

        def order(number: str, customer: Customer, due: date, **kw: object) -> SalesOrder:
            found = SalesOrder(
                number=number, customer_id=customer.id or 0, first_promised_date=due,
                last_promised_date=due, requested_date=due, received_at=nov(2, 9),
                entered_at=nov(2, 11), **kw,  # type: ignore[arg-type]
            )  # fmt: skip
            s.add(found)
            s.flush()
            return found

        so1 = order("SO-1", acme, date(2026, 11, 5), state="shipped", entered_by="alice",
                    total=D("150.00"))  # fmt: skip
        so2 = order("SO-2", acme, date(2026, 11, 8), state="partially_shipped", source="edi",
                    entered_by="bob", total=D("100.00"))  # fmt: skip
        so3 = order("SO-3", beta, date(2026, 11, 12), state="shipped", entered_by="alice",
                    total=D("40.00"))  # fmt: skip
        so4 = order("SO-4", beta, date(2026, 11, 12), state="draft")
        so5 = order("SO-5", acme, date(2026, 12, 3), state="released", entered_by="alice")
        s.add_all([
            _line(so1, 1, motor, 10, 10, date(2026, 11, 5), date(2026, 11, 5),
                  warehouse_id=main.id),
            _line(so1, 2, belt, 5, 5, date(2026, 11, 5), date(2026, 11, 5)),
            _line(so2, 1, motor, 10, 6, date(2026, 11, 8), date(2026, 11, 10),
                  quantity_backordered=D(4), last_promised=date(2026, 11, 20)),
            _line(so3, 1, belt, 4, 4, date(2026, 11, 12), date(2026, 11, 12)),
            _line(so4, 1, belt, 9, 0, date(2026, 11, 12), None),
            _line(so5, 1, motor, 3, 0, date(2026, 12, 3), None),
        ])  # fmt: skip
        s.add(Hold(order_id=so2.id or 0, kind="credit", reason="over limit", raised_by="bob",
                   raised_at=nov(3, 9), released_at=nov(4, 9)))  # fmt: skip
        s.add(Invoice(number="CM-1", kind="credit_memo", order_id=so2.id, customer_id=acme.id or 0,
                      invoice_date=date(2026, 11, 15), due_date=date(2026, 11, 15),
                      reason_code="wrong_price"))  # fmt: skip
        rma = RMA(number="RMA-1", customer_id=beta.id or 0, order_id=so3.id, reason_code="damaged",
                  state="received", requested_at=nov(14))  # fmt: skip
        s.add(rma)
        s.flush()
        s.add(RMALine(rma_id=rma.id or 0, item_id=belt.id or 0, reason_code="damaged",
                      quantity_requested=D(1), quantity_received=D(1)))  # fmt: skip
        s.commit()
        return {o.number: o.id or 0 for o in (so1, so2, so3, so4, so5)}
