"""Allocation and supply: stock taken first come first served, backorders, purchase orders."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from orderdesk_tui.models import Item
from orderdesk_tui.models.base import ItemStatus, OrderState
from orderdesk_tui.seed.demo.constants import CATEGORY_VENDOR, Q3, ZERO
from orderdesk_tui.seed.demo.records import LinePlan, PurchasePlan
from orderdesk_tui.seed.demo.state import LoaderState


class AllocationAndSupply(LoaderState):
    """Allocates stock to planned orders and plans the purchase orders."""

    def _allocate(self) -> None:
        """Open orders take stock first come, first served; the rest is backordered."""
        open_states = (
            OrderState.ENTERED,
            OrderState.ON_HOLD,
            OrderState.ACKNOWLEDGED,
            OrderState.RELEASED,
            OrderState.PARTIALLY_SHIPPED,
        )
        for order in self.orders:
            if order.state == OrderState.CANCELLED:
                for line in order.lines:
                    line.cancelled = line.quantity
                continue
            if order.state not in open_states:
                continue
            for line in order.lines:
                if order.tag == "drop_ship" and line.item.drop_ship_allowed:
                    line.drop_ship, line.warehouse = True, None
                    continue
                if order.tag == "special_buy" and line.item.part_number.startswith("VFD"):
                    line.special_buy = True
                    line.backordered = line.quantity
                    continue
                assert line.warehouse is not None
                level = self.stock.get((line.item.id, line.warehouse.id))  # type: ignore[arg-type]
                need = line.quantity - line.shipped
                free = (level.on_hand - level.allocated) if level is not None else ZERO
                take = max(min(need, free), ZERO)
                if not line.item.fractional_uom:
                    mult = line.item.order_multiple
                    take = ((take / mult).to_integral_value(rounding=ROUND_FLOOR) * mult).quantize(
                        Q3
                    )
                if level is not None and take > 0:
                    level.allocated += take
                line.allocated = take
                line.backordered = need - take

    def _vendor(self, item: Item) -> str:
        return item.vendor_name or CATEGORY_VENDOR[item.category]

    def _backorders_and_purchasing(self) -> None:
        rng = self.rng
        wanted: dict[tuple[int, int], list[LinePlan]] = defaultdict(list)
        for order in self.orders:
            for line in order.lines:
                if line.backordered > 0 and not line.special_buy and line.warehouse is not None:
                    wanted[(line.item.id, line.warehouse.id)].append(line)  # type: ignore[index]
        po_lines: dict[tuple[str, str], list[tuple[Item, Decimal, date, list[LinePlan]]]] = (
            defaultdict(list)
        )
        by_id = {i.id: i for i in self.items.values()}
        owner = {id(ln): o for o in self.orders for ln in o.lines}
        whs = {w.id: w for w in self.warehouses.values()}
        for (item_id, wh_id), lines in wanted.items():
            item = by_id[item_id]
            eta = self.today + timedelta(days=rng.randint(3, min(max(item.lead_time_days, 6), 35)))
            if rng.random() < 0.2:
                eta = self.today - timedelta(days=rng.randint(1, 4))  # vendor is late
            need = sum((ln.backordered for ln in lines), ZERO)
            qty = max(need * 2, item.moq)
            qty = ((qty / item.order_multiple).to_integral_value(rounding=ROUND_CEILING)) * (
                item.order_multiple
            )
            po_lines[(self._vendor(item), whs[wh_id].code)].append((item, qty, eta, lines))
            for line in lines:
                order = owner[id(line)]
                first = order.first_promised
                waited = order.state == OrderState.PARTIALLY_SHIPPED or rng.random() < 0.4
                late = first is not None and first < self.today and waited
                if late and first is not None:
                    stale = self.today - timedelta(days=rng.randint(1, 6))
                    line.last_promised = max(first, stale)
                else:
                    ship = self._biz_add(max(eta, self.today), 1)
                    line.last_promised = max(ship, first or ship)
                if order.last_promised is None or (
                    line.last_promised and line.last_promised > order.last_promised
                ):
                    order.last_promised = line.last_promised
        # Out-of-stock items nobody is waiting for yet still have supply coming.
        for item in self.short_items[::3]:
            wh = self.warehouses["CHI"]
            if (item.id, wh.id) in wanted or (item.id, wh.id) not in self.stock:
                continue
            eta = self.today + timedelta(days=rng.randint(5, 30))
            qty = (item.order_multiple * rng.randint(5, 20)).quantize(Q3)
            po_lines[(self._vendor(item), "CHI")].append((item, max(qty, item.moq), eta, []))
        for (vendor, wh_code), wants in sorted(po_lines.items()):
            wh = self.warehouses[wh_code]
            lead = max(i.lead_time_days for i, *_ in wants)
            first_eta = min(e for _, _, e, _ in wants)
            ordered = self._work_time(self._biz_back(first_eta - timedelta(days=lead)))
            ordered = min(ordered, self.now - timedelta(days=1))
            po = PurchasePlan(vendor, "replenishment", wh, ordered)
            for item, qty, eta, _waiting in wants:
                po.lines.append((item, qty, ZERO, item.cost, eta, None))
            self.pos.append(po)
        # A few received replenishments and one cancelled PO, for history.
        stocked = sorted(
            (i for i in self.items.values() if i.status == ItemStatus.ACTIVE),
            key=lambda i: i.part_number,
        )
        for k in range(4):
            picks = rng.sample(stocked, rng.randint(2, 5))
            vendor = self._vendor(picks[0])
            eta = self.today - timedelta(days=rng.randint(4, 25))
            po = PurchasePlan(
                vendor,
                "replenishment",
                self.warehouses[("CHI", "RNO", "CHI", "TOR")[k]],
                self._work_time(eta - timedelta(days=picks[0].lead_time_days)),
                state="received" if k < 3 else "cancelled",
            )
            for item in picks:
                qty = (item.order_multiple * rng.randint(5, 30)).quantize(Q3)
                got = qty if k < 3 else ZERO
                po.lines.append((item, qty, got, item.cost, eta, None))
            self.pos.append(po)
        # Drop ship and special buy, linked to their sales orders.
        for order in self.orders:
            if order.tag == "drop_ship":
                dl = [ln for ln in order.lines if ln.drop_ship]
                eta = self._biz_add(self.today, 4)
                po = PurchasePlan(self._vendor(dl[0].item), "drop_ship", None,
                         order.released_at or order.entered_at, order=order)  # fmt: skip
                for line in dl:
                    po.lines.append((line.item, line.quantity, ZERO, line.item.cost, eta, line))
                    line.last_promised = max(eta, order.first_promised or eta)
                self.pos.append(po)
            if order.tag == "special_buy":
                sl = [ln for ln in order.lines if ln.special_buy]
                eta = self._biz_add(self.today, 12)
                po = PurchasePlan(self._vendor(sl[0].item), "special_buy", self.warehouses["CHI"],
                         order.acknowledged_at or order.entered_at, order=order)  # fmt: skip
                for line in sl:
                    po.lines.append((line.item, line.quantity, ZERO, line.item.cost, eta, line))
                    ship = self._biz_add(eta, 1)
                    line.last_promised = max(ship, order.first_promised or ship)
                order.last_promised = max(
                    (ln.last_promised for ln in order.lines if ln.last_promised),
                    default=order.last_promised,
                )
                self.pos.append(po)
