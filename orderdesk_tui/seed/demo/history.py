"""The generated order history: the story scenarios, random orders, and the build order."""

from decimal import ROUND_FLOOR, Decimal

from orderdesk_tui.models.base import OrderSource, OrderState
from orderdesk_tui.seed.demo.constants import EDI_WEIGHT, OPEN_ORDER_STATES, Q3, TIER_WEIGHT, ZERO
from orderdesk_tui.seed.demo.helpers import cents
from orderdesk_tui.seed.demo.hold_planning import HoldPlanning
from orderdesk_tui.seed.demo.insert_edi import EdiInserts
from orderdesk_tui.seed.demo.insert_holds_audit import HoldAndAuditInserts
from orderdesk_tui.seed.demo.insert_notes import NoteInserts
from orderdesk_tui.seed.demo.insert_orders import OrderInserts
from orderdesk_tui.seed.demo.insert_returns import ReturnInserts
from orderdesk_tui.seed.demo.insert_shipping import ShippingInserts
from orderdesk_tui.seed.demo.master_data import MasterDataLoader
from orderdesk_tui.seed.demo.records import CustomerPlan, OrderPlan
from orderdesk_tui.seed.demo.supply import AllocationAndSupply


class DemoLoader(
    MasterDataLoader,
    HoldPlanning,
    AllocationAndSupply,
    OrderInserts,
    ShippingInserts,
    ReturnInserts,
    HoldAndAuditInserts,
    NoteInserts,
    EdiInserts,
):
    """Loads master data and builds the history; each section lives in its own mixin."""

    def build_history(self) -> None:
        self._build_pools()
        self._scenarios()
        self._random_orders()
        self._near_limit_filler()
        self._holds()
        self.orders.sort(key=lambda o: o.entered_at)
        for order in self.orders:
            self._assign_po(order)
        self._allocate()
        self._backorders_and_purchasing()
        self._insert_stock()
        self._insert_orders()
        self._insert_shipments()
        self._insert_invoices()
        self._insert_purchase_orders()
        self._insert_rmas()
        self._insert_holds_and_audit()
        self._insert_notes()
        self._insert_edi()
        self.session.flush()

    def _scenarios(self) -> None:
        c, it = self.customers, self.items
        # BAYO01: credit hold, three invoices past due, new orders held.
        bayou = c["BAYO01"]
        for age in (205, 170):
            self._new_order(bayou, OrderState.CLOSED, age=age, source=OrderSource.PHONE)
        past_due: tuple[tuple[int, tuple[tuple[str, int], ...]], ...] = (
            (150, (("BV-HP-16", 24), ("CYL-TR-3X12-3000", 4), ("H-R2-08", 500))),
            (122, (("PMP-GR-1.6CI", 6), ("DCV-D05-4W3P-CC-24DC", 8), ("FJX-08-08", 200))),
            (98, (("6310-2RS", 40), ("UCP210-32", 12), ("80-1R-10FT", 10))),
        )
        for age, parts in past_due:
            self._new_order(
                bayou,
                OrderState.INVOICED,
                age=age,
                items=[(it[pn], Decimal(q)) for pn, q in parts],
                tag="overdue",
            )
        held = (
            (("GA-40-6000-LF", 24), ("BV-HP-12", 30)),
            (("HYD-AW46-55GAL", 3), ("6308-2RS", 20)),
        )
        for age, parts in zip((1, 4), held, strict=True):
            self._new_order(
                bayou,
                OrderState.ON_HOLD,
                age=age,
                items=[(it[pn], Decimal(q)) for pn, q in parts],
                tag="credit_hold",
            )
        cancel = self._new_order(bayou, OrderState.CANCELLED, age=40, tag="credit_cancel")
        # KEYS01 pays late: one invoice well past its NET45 terms; its new order waits.
        keys = c["KEYS01"]
        parts = (("B105", 20), ("6310-2RS", 12), ("GRS-EP2-35LB", 10), ("SRL-20FT-CBL", 2))
        self._new_order(
            keys,
            OrderState.INVOICED,
            age=92,
            items=[(it[pn], Decimal(q)) for pn, q in parts],
            tag="overdue",
        )
        self._new_order(keys, OrderState.ON_HOLD, age=1, tag="credit_overdue")
        cancel.cancel_reason = "credit hold not resolved within 30 days; customer bought elsewhere"
        # SUMM01: near its credit limit (filler added after the random orders).
        summit = c["SUMM01"]
        for age in (120, 85):
            self._new_order(summit, OrderState.CLOSED, age=age)
        for age in (6, 14, 23):
            self._new_order(summit, OrderState.INVOICED, age=age + 3, tag="summit_open")
        self._new_order(summit, OrderState.ACKNOWLEDGED, age=2)
        self._new_order(summit, OrderState.RELEASED, age=1)
        # TIDE01: the denied-party look-alike.
        tide = c["TIDE01"]
        self._new_order(
            tide,
            OrderState.ON_HOLD,
            age=1,
            source=OrderSource.EMAIL,
            items=[(it["VFD-10HP-480V"], Decimal(4)), (it["6310-2RS"], Decimal(20))],
            tag="denied_party",
        )
        old = self._new_order(tide, OrderState.CANCELLED, age=60, source=OrderSource.EMAIL)
        old.cancel_reason = "no end-use statement received; customer withdrew the order"
        # Controlled items for export: compliance holds.
        self._new_order(
            c["REGI01"],
            OrderState.ON_HOLD,
            age=2,
            items=[(it["CHM-TEA99-GAL"], Decimal(20)), (it["HHCS-0500-13X200-ZP"], None)],
            tag="eccn",
        )
        self._new_order(
            c["SCHW01"],
            OrderState.ON_HOLD,
            age=3,
            items=[(it["DAQ-AI16-HS"], Decimal(2)), (it["6206-2RS"], Decimal(50))],
            tag="eccn",
        )
        # EDI exceptions.
        self._new_order(c["NSTR01"], OrderState.ON_HOLD, age=0, source=OrderSource.EDI,
                        tag="edi_price")  # fmt: skip
        self._new_order(c["GLMS01"], OrderState.ON_HOLD, age=1, source=OrderSource.EDI,
                        tag="edi_shipto")  # fmt: skip
        # Stock, price, address and ERP holds on ordinary customers.
        for code in ("ACME01", "FRNT01", "MAPL01"):
            self._new_order(c[code], OrderState.ON_HOLD, age=self.rng.randint(0, 5), tag="stock")
        for code in ("LONE01", "PIED01", "IRON01"):
            self._new_order(c[code], OrderState.ON_HOLD, age=self.rng.randint(0, 3), tag="price")
        for code in ("BLUE01", "PEAK01", "ALMO01"):
            self._new_order(
                c[code],
                OrderState.ON_HOLD,
                age=self.rng.randint(0, 4),
                ship_to=c[code].ship_tos[-1],
                tag="address",
            )
        self._new_order(c["HRTL01"], OrderState.ON_HOLD, age=0, tag="erp")
        self._new_order(c["KEYS01"], OrderState.ON_HOLD, age=2, tag="stock+price")
        # A drop ship and a special buy.
        self._new_order(
            c["GLMS01"],
            OrderState.RELEASED,
            age=3,
            source=OrderSource.EDI,
            ship_to=c["GLMS01"].ship_tos[2],
            items=[(it["LED-HB-240W-5K"], Decimal(12)), (it["LED-WP-40W-5K"], Decimal(6))],
            tag="drop_ship",
        )
        self._new_order(
            c["LONE01"],
            OrderState.ACKNOWLEDGED,
            age=2,
            items=[(it["VFD-25HP-480V"], Decimal(2)), (it["B75"], Decimal(6))],
            tag="special_buy",
        )
        # A warranty claim: the original sale and the no-charge replacement.
        self._new_order(
            c["IRON01"],
            OrderState.CLOSED,
            age=150,
            items=[(it["MTR-5HP-184TC-TEFC"], Decimal(2)), (it["RED-WRM-60-30-56C"], Decimal(2))],
            tag="warranty_original",
        )
        repl = self._new_order(
            c["IRON01"],
            OrderState.SHIPPED,
            age=4,
            source=OrderSource.PHONE,
            items=[(it["MTR-5HP-184TC-TEFC"], Decimal(1))],
            tag="warranty_replacement",
        )
        for line in repl.lines:
            line.unit_price, line.price_source = ZERO, "override"
            line.override_reason = "warranty replacement, no charge (see RMA)"
        self._retotal(repl)

    def _random_orders(self) -> None:
        quota = {
            OrderState.CLOSED: 124,
            OrderState.INVOICED: 56,
            OrderState.SHIPPED: 16,
            OrderState.PARTIALLY_SHIPPED: 16,
            OrderState.RELEASED: 24,
            OrderState.ACKNOWLEDGED: 26,
            OrderState.ON_HOLD: 3,
            OrderState.ENTERED: 18,
            OrderState.DRAFT: 10,
            OrderState.CANCELLED: 16,
        }
        special = {"BAYO01", "SUMM01", "TIDE01"}
        pick = [cu for code, cu in self.customers.items() if code not in special]
        weights = [
            EDI_WEIGHT if cu.row.edi_partner_id else TIER_WEIGHT[cu.row.service_tier] for cu in pick
        ]
        for state, n in quota.items():
            for _ in range(n):
                cust = self.rng.choices(pick, weights)[0]
                tag = "random_hold" if state == OrderState.ON_HOLD else ""
                n_lines = None
                if state == OrderState.PARTIALLY_SHIPPED:
                    n_lines = self.rng.randint(2, 5)
                    tag = "partial"
                order = self._new_order(cust, state, n_lines=n_lines, tag=tag)
                if state == OrderState.PARTIALLY_SHIPPED:
                    self._force_short_line(order)

    def _force_short_line(self, order: OrderPlan) -> None:
        """A partially shipped order waits for something: make its held-back line a short item."""
        cands = [i for i in self.short_items if self._eligible(order.cust, i)]
        if not cands or not order.ships:
            return
        shipped_lines = {id(ln) for s in order.ships for ln, _ in s.lines}
        waiting = [ln for ln in order.lines if id(ln) not in shipped_lines]
        if not waiting:
            return
        old = waiting[-1]
        new = self._make_line(order, self.rng.choice(cands))
        new.last_promised = order.last_promised
        order.lines[order.lines.index(old)] = new
        self._retotal(order)

    def _exposure(self, cust: CustomerPlan) -> Decimal:
        """Open invoices plus the uninvoiced value of open orders (`domain.credit`)."""
        total = ZERO
        for o in self.orders:
            if o.cust is cust and o.state in (OrderState.INVOICED, *OPEN_ORDER_STATES):
                total += o.total
        return total

    def _near_limit_filler(self) -> None:
        """One more open order for SUMM01 so its exposure lands at ~96 % of its limit."""
        cust = self.customers["SUMM01"]
        limit = cust.row.credit_limit
        target = cents(limit * Decimal("0.96"))
        if self._exposure(cust) >= target:
            return
        order = self._new_order(cust, OrderState.ACKNOWLEDGED, age=0, items=[], tag="filler")
        pool = sorted(
            (i for i in cust.pool if i.list_price >= 20 and not i.fractional_uom),
            key=lambda i: i.part_number,
        )
        for item in self.rng.sample(pool, len(pool)):
            gap = target - self._exposure(cust)
            if gap < limit * Decimal("0.005"):
                break
            line = self._make_line(order, item, item.moq)
            line.price_source = line.price_source if line.price_source != "override" else "list"
            if line.price_source == "list":
                line.unit_price, line.override_reason = item.list_price, ""
            per_unit = line.unit_price * Decimal("1.2")  # with tax and freight, roughly
            units = (gap / per_unit / item.order_multiple).to_integral_value(rounding=ROUND_FLOOR)
            if units < 1:
                continue
            line.quantity = (units * item.order_multiple).quantize(Q3)
            line.quantity = min(line.quantity, (item.order_multiple * 40).quantize(Q3))
            order.lines.append(line)
            self._finish(order)
            while self._exposure(cust) > target and line.quantity > item.order_multiple:
                line.quantity -= item.order_multiple
                self._finish(order)
            if self._exposure(cust) > target:
                order.lines.remove(line)
                self._finish(order)
