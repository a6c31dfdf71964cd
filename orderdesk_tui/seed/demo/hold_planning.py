"""Planning holds (which orders wait, why, who released them) and customer POs."""

from datetime import timedelta
from decimal import Decimal

from orderdesk_tui.models.base import HoldKind, OrderSource, OrderState
from orderdesk_tui.seed.demo.constants import (
    COORDINATORS,
    MARGIN_FLOOR_PERCENT,
    Q3,
    Q4,
    SUPERVISOR,
    SYSTEM,
    ZERO,
)
from orderdesk_tui.seed.demo.helpers import fmt_qty
from orderdesk_tui.seed.demo.planning import OrderPlanning
from orderdesk_tui.seed.demo.records import CustomerPlan, HoldPlan, OrderPlan


class HoldPlanning(OrderPlanning):
    """Puts holds on planned orders and gives them customer PO numbers."""

    def _past_due(self, cust: CustomerPlan) -> tuple[int, Decimal, int]:
        """(count, amount, days the oldest is past due) of the customer's planned invoices."""
        count, amount, oldest = 0, ZERO, 0
        for o in self.orders:
            if o.cust is not cust or o.state != OrderState.INVOICED or o.invoiced_at is None:
                continue
            due = o.invoiced_at.date() + timedelta(days=cust.row.payment_terms_days)
            if due < self.today:
                count, amount = count + 1, amount + o.total
                oldest = max(oldest, (self.today - due).days)
        return count, amount, oldest

    def _holds(self) -> None:
        rng = self.rng
        random_kinds = [HoldKind.STOCK, HoldKind.ADDRESS, HoldKind.PRICE]
        for order in self.orders:
            raised = order.entered_at + timedelta(seconds=rng.randint(1, 20))
            tag = order.tag
            if order.state == OrderState.ON_HOLD or tag == "credit_cancel":
                kinds: list[str]
                if tag in ("credit_hold", "credit_cancel", "credit_overdue"):
                    kinds = [HoldKind.CREDIT]
                elif tag in ("denied_party", "eccn"):
                    kinds = [HoldKind.COMPLIANCE]
                elif tag in ("edi_price", "edi_shipto"):
                    kinds = [HoldKind.EDI]
                elif tag == "stock+price":
                    kinds = [HoldKind.STOCK, HoldKind.PRICE]
                elif tag in ("stock", "price", "address", "erp"):
                    kinds = [tag]
                else:
                    kinds = [random_kinds.pop(0) if random_kinds else HoldKind.STOCK]
                for kind in kinds:
                    order.holds.append(
                        HoldPlan(kind, self._hold_reason(order, kind), SYSTEM, raised)
                    )
                if tag == "credit_cancel":
                    order.holds[-1].released_by = SUPERVISOR
                    assert order.cancelled_at is not None
                    order.holds[-1].released_at = order.cancelled_at - timedelta(minutes=2)
                    order.holds[-1].release_reason = "order cancelled"
            elif order.tag == "warranty_replacement" and order.acknowledged_at is not None:
                line = order.lines[0]
                order.holds.append(
                    HoldPlan(
                        HoldKind.PRICE,
                        f"line 1 {line.item.part_number}: price 0 is under the "
                        f"{fmt_qty(MARGIN_FLOOR_PERCENT)}% margin floor (cost "
                        f"{fmt_qty(line.item.cost)}); override by {order.entered_by}",
                        SYSTEM,
                        raised,
                        SUPERVISOR,
                        raised + (order.acknowledged_at - raised) * 0.5,
                        "no-charge warranty replacement approved under the RMA",
                    )
                )
            elif order.acknowledged_at is not None and rng.random() < 0.1:
                kind = rng.choice(
                    (HoldKind.STOCK, HoldKind.PRICE, HoldKind.ADDRESS, HoldKind.CREDIT,
                     HoldKind.EDI if order.source == OrderSource.EDI else HoldKind.STOCK)
                )  # fmt: skip
                released_by = (
                    SUPERVISOR
                    if kind in (HoldKind.CREDIT, HoldKind.PRICE)
                    else (rng.choice(COORDINATORS))
                )
                released_at = raised + (order.acknowledged_at - raised) * 0.8
                order.holds.append(
                    HoldPlan(
                        kind,
                        self._hold_reason(order, kind),
                        SYSTEM,
                        raised,
                        released_by,
                        max(released_at, raised + timedelta(minutes=1)),
                        self._release_reason(kind),
                    )
                )

    def _hold_reason(self, order: OrderPlan, kind: str) -> str:
        rng, cust = self.rng, order.cust
        lines = order.lines
        if kind == HoldKind.CREDIT:
            count, amount, days = self._past_due(cust)
            grace = cust.row.overdue_grace_days
            late = (
                f"{count} invoice{'s' if count != 1 else ''} past due for {amount:,} "
                f"{cust.row.currency}, oldest {days} days (grace {grace} days)"
            )
            if order.tag in ("credit_hold", "credit_cancel"):
                return f"customer {cust.row.code} is on credit hold; {late}"
            if order.tag == "credit_overdue":
                return late
            return f"order total {order.total:,} {cust.row.currency} was over the available credit"
        if kind == HoldKind.COMPLIANCE:
            if order.tag == "denied_party":
                return (
                    "denied-party screening: possible match 'TIDEWATER MIDDLE EAST CO.' "
                    "(OFAC SDN, Consolidated Screening List), score 0.91; verify identity and "
                    "end use before release"
                )
            ctrl = next((ln for ln in lines if ln.item.eccn != "EAR99"), lines[0])
            return (
                f"{ctrl.item.part_number} is ECCN {ctrl.item.eccn}; export to "
                f"{order.ship_to.country} needs a license determination and end-use statement"
            )
        if kind == HoldKind.EDI:
            if order.tag == "edi_shipto":
                return (
                    f"850 N1*ST*92*BR-{rng.randint(50, 99):03d}: unknown ship-to code, "
                    f"defaulted to {order.ship_to.code}; confirm with the trading partner"
                )
            line = lines[min(1, len(lines) - 1)]
            sent = (line.unit_price * Decimal("1.04")).quantize(Q4)
            return (
                f"850 PO1 line {lines.index(line) + 1}: price {fmt_qty(sent)} differs from our "
                f"price {fmt_qty(line.unit_price)} ({line.price_source}); 855 not sent"
            )
        if kind == HoldKind.STOCK:
            order.ship_complete = True
            have = {ln.item.id for ln in lines}
            cands = [i for i in self.short_items if self._eligible(cust, i) and i.id not in have]
            item = rng.choice(cands)
            qty = max(self._qty(cust, item), (item.order_multiple * 4).quantize(Q3))
            line = self._make_line(order, item, qty)
            lines.append(line)
            self._finish(order)
            assert line.warehouse is not None
            level = self.stock.get((line.item.id, line.warehouse.id))  # type: ignore[arg-type]
            on_hand = level.on_hand if level is not None else ZERO
            return (
                f"ship complete requested; {line.item.part_number} is short at "
                f"{line.warehouse.code} ({fmt_qty(on_hand)} {line.item.uom} on hand, "
                f"{fmt_qty(line.quantity)} ordered); confirm partial shipment with the customer"
            )
        if kind == HoldKind.PRICE:
            line = lines[0]
            line.unit_price = (line.item.cost * Decimal("1.06")).quantize(Q4)
            line.price_source = "override"
            line.override_reason = "customer says last price was lower"
            self._finish(order)
            return (
                f"line 1 {line.item.part_number}: price {fmt_qty(line.unit_price)} is under the "
                f"{fmt_qty(MARGIN_FLOOR_PERCENT)}% margin floor (cost {fmt_qty(line.item.cost)}); "
                f"override by {order.entered_by}"
            )
        if kind == HoldKind.ADDRESS:
            st = order.ship_to
            return (
                f"ship-to {st.code}: carrier address validation failed for {st.city}, "
                f"{st.region} {st.postal_code}; confirm the delivery address"
            )
        if kind == HoldKind.ERP:
            return "ERP rejected the order push: customer record is locked in the ERP (HTTP 409)"
        return "held"

    def _release_reason(self, kind: str) -> str:
        reasons: dict[str, str] = {
            HoldKind.STOCK: "customer accepts partial shipments",
            HoldKind.PRICE: "price approved by sales manager",
            HoldKind.ADDRESS: "address confirmed with the customer by phone",
            HoldKind.CREDIT: "payment received; released within terms",
            HoldKind.EDI: "confirmed with the trading partner",
        }
        return reasons.get(kind, "reviewed")

    def _assign_po(self, order: OrderPlan) -> None:
        cust, rng = order.cust, self.rng
        cust.po_seq += rng.randint(1, 9)
        n = cust.po_seq
        code = cust.row.code
        if code == "NSTR01":
            order.customer_po = f"45{n + 10_000_000:08d}"
        elif code == "GLMS01":
            order.customer_po = f"GL{order.ship_to.code[-3:]}-{n:05d}"
        elif order.source == OrderSource.PHONE and rng.random() < 0.3 and cust.contacts:
            last = cust.contacts[0].name.split()[-1].upper()
            order.customer_po = f"VERBAL-{last}-{order.entered_at:%m%d}"[:40]
        else:
            yy = order.entered_at.strftime("%y")
            order.customer_po = (
                f"PO-{n}",
                f"{n}",
                f"{yy}-{n % 10000:04d}",
                f"MRO-{n:05d}",
                f"{code[:3]}{n}",
            )[cust.po_style]
