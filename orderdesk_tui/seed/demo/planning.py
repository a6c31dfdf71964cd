"""Planning orders: who buys what, how much, at what price, from which warehouse."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from orderdesk_tui.models import Address, Item, Promotion, Warehouse
from orderdesk_tui.models.base import ItemStatus, OrderSource, OrderState, Priority
from orderdesk_tui.seed.demo.constants import (
    COORDINATORS,
    FRACTIONAL_QTY,
    GROUP_CATEGORIES,
    OVERRIDE_REASONS,
    Q3,
    Q4,
    SUPERVISOR,
    SYSTEM,
    WEST,
    ZERO,
)
from orderdesk_tui.seed.demo.helpers import fmt_qty, q4
from orderdesk_tui.seed.demo.money_and_dates import OrderMoneyAndDates
from orderdesk_tui.seed.demo.records import CustomerPlan, LinePlan, OrderPlan


class OrderPlanning(OrderMoneyAndDates):
    """Makes planned orders and their lines."""

    def _eligible(self, cust: CustomerPlan, item: Item) -> bool:
        if item.status != ItemStatus.ACTIVE:
            return False
        if cust.export and item.hazmat_un_number:
            return False
        return not (cust.country != "US" and item.eccn != "EAR99")

    def _build_pools(self) -> None:
        by_cat: dict[str, list[Item]] = defaultdict(list)
        on_hand: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for (item_id, _), level in self.stock.items():
            on_hand[item_id] += level.on_hand
        for item in self.items.values():
            by_cat[item.category].append(item)
            stocked = item.id in on_hand
            if item.status == ItemStatus.ACTIVE and stocked:
                assert item.id is not None
                if on_hand[item.id] <= item.order_multiple * 2:
                    self.short_items.append(item)
        for cust in self.customers.values():
            cid = cust.row.id
            pool: list[Item] = []
            for item in self.items.values():
                key = (cid, item.id)
                if (key in self.agreements or key in self.xref) and self._eligible(cust, item):
                    pool.append(item)
            taken = {i.id for i in pool}
            weights = GROUP_CATEGORIES[cust.row.customer_group]
            for cat, w in weights.items():
                cands = [i for i in by_cat[cat] if self._eligible(cust, i) and i.id not in taken]
                pool.extend(self.rng.sample(cands, min(len(cands), 4 * w)))
            cust.pool = pool
            cust.po_style = self.rng.randrange(5)
            cust.po_seq = self.rng.randint(1200, 88000)

    def _qty(self, cust: CustomerPlan, item: Item) -> Decimal:
        rng = self.rng
        mult = item.order_multiple if item.order_multiple > 0 else Decimal(1)
        if item.fractional_uom:
            base = Decimal(rng.choice(FRACTIONAL_QTY.get(item.uom, ("5",))))
        else:
            price = item.list_price
            if price < 1:
                units = rng.choice((1, 1, 2, 2, 3, 5, 10)) * mult
            elif price < 10:
                units = Decimal(rng.choice((1, 2, 4, 5, 6, 10, 12, 20, 24, 25, 50)))
            elif price < 100:
                units = Decimal(rng.choice((1, 1, 2, 2, 3, 4, 5, 6, 10, 12)))
            elif price < 1000:
                units = Decimal(rng.choice((1, 1, 1, 2, 2, 3, 4)))
            else:
                units = Decimal(rng.choice((1, 1, 2)))
            if cust.row.customer_group in ("oem", "reseller") and price < 100:
                units *= rng.choice((1, 1, 2, 3, 5))
            base = units
        qty = max(base, item.moq)
        qty = (qty / mult).to_integral_value(rounding=ROUND_CEILING) * mult
        return qty.quantize(Q3)

    def _quote(
        self, cust: CustomerPlan, item: Item, qty: Decimal, on: date, promo_code: str
    ) -> tuple[Decimal, str]:
        """The price the desk would have quoted, by the precedence of `domain.pricing`:
        a valid contract wins outright; else the lowest of the customer's price list (the
        item's own entry before its category's), quantity breaks and the order's promotion
        (ties to the earlier); else list. Labels are the ones `price_source` carries."""
        assert cust.row.id is not None and item.id is not None
        contract = [
            a
            for a in self.agreements.get((cust.row.id, item.id), [])
            if a.valid_from <= on
            and (a.valid_to is None or on <= a.valid_to)
            and qty >= a.min_quantity
        ]
        if contract:
            best = min(contract, key=lambda a: a.price)
            return best.price, f"contract {best.contract_ref}"
        lst = item.list_price
        cands: list[tuple[Decimal, str]] = []
        pl_id = cust.row.price_list_id
        if pl_id is not None:
            code = self.price_lists[pl_id].code
            fixed = self.pl_fixed.get((pl_id, item.id))
            pct = self.pl_pct.get((pl_id, item.category))
            if fixed is not None:
                cands.append((q4(fixed), f"price list {code} net"))
            elif pct is not None:
                cands.append((q4(lst * (100 - pct) / 100), f"price list {code} -{fmt_qty(pct)}% "
                              f"{item.category}"))  # fmt: skip
        for qb in self.breaks.get(item.id, []):
            if qb.price_list_id not in (None, pl_id) or qty < qb.min_quantity:
                continue
            owner = f" ({self.price_lists[qb.price_list_id].code})" if qb.price_list_id else ""
            if qb.price is not None:
                price = q4(qb.price)
            else:
                price = q4(lst * (100 - (qb.percent_off or ZERO)) / 100)
            cands.append((price, f"break {fmt_qty(qb.min_quantity)}+{owner}"))
        promo = self.promo_by_code.get(promo_code) if promo_code else None
        if promo is not None and self._promo_fits(promo, cust, item, on):
            price = lst
            if promo.percent_off is not None:
                price = price * (100 - promo.percent_off) / 100
            if promo.amount_off is not None:
                price = price - promo.amount_off
            cands.append((q4(max(price, ZERO)), f"promo {promo.code}"))
        if not cands:
            return lst, "list"
        return min(cands, key=lambda c: c[0])

    def _promo_fits(
        self, promo: Promotion, cust: CustomerPlan, item: Item | None, on: date
    ) -> bool:
        if not promo.active or not (promo.valid_from <= on <= promo.valid_to):
            return False
        if promo.customer_group and promo.customer_group != cust.row.customer_group:
            return False
        if item is None:
            return True
        if promo.item_category and promo.item_category != item.category:
            return False
        return promo.item_id is None or promo.item_id == item.id

    def _warehouse(self, ship_to: Address, item: Item) -> Warehouse:
        chi, rno, tor = self.warehouses["CHI"], self.warehouses["RNO"], self.warehouses["TOR"]
        if ship_to.country == "CA":
            prefs = [tor, chi]
        elif ship_to.country == "US" and ship_to.region in WEST:
            prefs = [rno, chi]
        else:
            prefs = [chi]
        for wh in prefs:
            if item.hazmat_un_number and not wh.hazmat_capable:
                continue
            if (item.id, wh.id) in self.stock:
                return wh
        return chi

    def _pick_source(self, cust: CustomerPlan) -> OrderSource:
        if cust.row.edi_partner_id:
            return OrderSource.EDI if self.rng.random() < 0.9 else OrderSource.PHONE
        roll = self.rng.random()
        if roll < 0.5:
            return OrderSource.KEYBOARD
        return OrderSource.EMAIL if roll < 0.78 else OrderSource.PHONE

    def _pick_age(self, state: OrderState, cust: CustomerPlan) -> int:
        terms = cust.row.payment_terms_days
        r = self.rng
        return {
            OrderState.DRAFT: lambda: r.randint(0, 2),
            OrderState.ENTERED: lambda: r.randint(0, 1),
            OrderState.ON_HOLD: lambda: r.randint(0, 8),
            OrderState.ACKNOWLEDGED: lambda: r.randint(0, 9),
            OrderState.RELEASED: lambda: r.randint(0, 6),
            OrderState.PARTIALLY_SHIPPED: lambda: r.randint(6, 30),
            OrderState.SHIPPED: lambda: r.randint(3, 12),
            # invoices stay within terms + grace: only the story customers are past due
            OrderState.INVOICED: lambda: r.randint(8, terms + 8),
            OrderState.CLOSED: lambda: r.randint(max(terms + 25, 45), 210),
            OrderState.CANCELLED: lambda: r.randint(1, 150),
        }[state]()

    def _pick_items(self, cust: CustomerPlan, n: int, state: OrderState) -> list[Item]:
        rng = self.rng
        chosen: list[Item] = []
        chosen_ids: set[int | None] = set()
        open_state = state in (
            OrderState.ENTERED,
            OrderState.ON_HOLD,
            OrderState.ACKNOWLEDGED,
            OrderState.RELEASED,
        )
        tries = 0
        while len(chosen) < n and tries < n * 10:
            tries += 1
            if open_state and rng.random() < 0.04 and self.short_items:
                item = rng.choice(self.short_items)
                if not self._eligible(cust, item):
                    continue
            elif state == OrderState.CLOSED and rng.random() < 0.04:
                legacy = [i for i in self.items.values() if i.status == ItemStatus.DISCONTINUED]
                item = rng.choice(legacy)
                if cust.export and item.hazmat_un_number:
                    continue
            else:
                item = rng.choice(cust.pool)
            if item.id not in chosen_ids:
                chosen.append(item)
                chosen_ids.add(item.id)
        return chosen

    def _make_line(self, order: OrderPlan, item: Item, qty: Decimal | None = None) -> LinePlan:
        cust = order.cust
        assert cust.row.id is not None and item.id is not None
        qty = qty if qty is not None else self._qty(cust, item)
        price, source = self._quote(cust, item, qty, order.entered_at.date(), order.promotion_code)
        line = LinePlan(
            item=item,
            quantity=qty,
            unit_price=price,
            price_source=source,
            warehouse=self._warehouse(order.ship_to, item),
            customer_part=self.xref.get((cust.row.id, item.id), ""),
        )
        if (
            order.source != OrderSource.EDI
            and not source.startswith("contract")
            and self.rng.random() < 0.03
        ):
            floor = (item.cost * Decimal("1.22")).quantize(Q4, rounding=ROUND_HALF_UP)
            cut = (price * Decimal(self.rng.choice(("0.90", "0.93", "0.95")))).quantize(Q4)
            if cut >= floor:
                line.unit_price = cut
                line.price_source = "override"
                line.override_reason = self.rng.choice(OVERRIDE_REASONS)
        return line

    def _new_order(
        self,
        cust: CustomerPlan,
        state: OrderState,
        *,
        age: int | None = None,
        source: OrderSource | None = None,
        priority: Priority | None = None,
        ship_to: Address | None = None,
        items: list[tuple[Item, Decimal | None]] | None = None,
        n_lines: int | None = None,
        tag: str = "",
    ) -> OrderPlan:
        rng = self.rng
        source = source or self._pick_source(cust)
        age = age if age is not None else self._pick_age(state, cust)
        entered_at = self._work_time(self._biz_back(self.today - timedelta(days=age)))
        lag = {
            OrderSource.EDI: timedelta(seconds=rng.randint(20, 400)),
            OrderSource.EMAIL: timedelta(minutes=rng.randint(8, 360)),
            OrderSource.PHONE: timedelta(seconds=rng.randint(30, 240)),
            OrderSource.KEYBOARD: timedelta(minutes=rng.randint(3, 90)),
        }[source]
        if priority is None:
            priority = Priority.RUSH if rng.random() < 0.12 else Priority.NORMAL
        if ship_to is None:
            ship_to = cust.default_ship_to if rng.random() < 0.65 else rng.choice(cust.ship_tos)
        entered_by = (
            SYSTEM
            if source == OrderSource.EDI
            else rng.choice((*COORDINATORS, *COORDINATORS, SUPERVISOR))
        )
        order = OrderPlan(
            cust=cust,
            state=state,
            source=source,
            priority=priority,
            entered_at=entered_at,
            received_at=entered_at - lag,
            ship_to=ship_to,
            entered_by=entered_by,
            tag=tag,
        )
        running = [p for p in self.promotions if self._promo_fits(p, cust, None, entered_at.date())]
        if running and state != OrderState.DRAFT and rng.random() < 0.45:
            order.promotion_code = rng.choice(running).code
        if items is None:
            if n_lines is None:
                n_lines = rng.choice((1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6))
                if source == OrderSource.EDI:
                    n_lines += rng.randint(1, 4)
            items = [(i, None) for i in self._pick_items(cust, n_lines, state)]
        for item, qty in items:
            order.lines.append(self._make_line(order, item, qty))
        self._finish(order)
        self.orders.append(order)
        return order
