"""An order's money and dates: freight, tax, totals, its timeline and its shipments."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from orderdesk_tui.domain.pricing.freight_tax import compute_tax, estimate_freight
from orderdesk_tui.domain.pricing.inputs import ShipTo
from orderdesk_tui.models.base import OrderSource, OrderState, Priority
from orderdesk_tui.seed.demo.constants import CANCEL_REASONS, Q3, SHIP_VIA, TAX_REGISTRATIONS, ZERO
from orderdesk_tui.seed.demo.helpers import cents
from orderdesk_tui.seed.demo.records import LinePlan, OrderPlan, ShipmentPlan
from orderdesk_tui.seed.demo.state import LoaderState


class OrderMoneyAndDates(LoaderState):
    """Totals, timelines and shipment plans of planned orders."""

    def _mode(self, ship_via: str) -> tuple[str, str, str]:
        return SHIP_VIA.get(ship_via, ("Customer pickup", ship_via or "Will call", "pickup"))

    def _freight_cost(self, weight: Decimal, mode: str) -> Decimal:
        kg = max(weight, Decimal("0.5"))
        rates = {
            "parcel": ("9.25", "1.05"),
            "air": ("24.00", "3.60"),
            "ltl": ("165.00", "0.34"),
            "intl": ("95.00", "7.20"),
            "pickup": ("0", "0"),
        }[mode]
        return cents(Decimal(rates[0]) + Decimal(rates[1]) * kg)

    def _weight(self, lines: list[tuple[LinePlan, Decimal]]) -> Decimal:
        return sum((ln.item.weight_kg * q for ln, q in lines), ZERO).quantize(Q3)

    def _finish(self, order: OrderPlan) -> None:
        """Ship-via, totals and the state's dates."""
        cust, rng = order.cust, self.rng
        via = cust.row.default_ship_via
        weight = self._weight([(ln, ln.quantity) for ln in order.lines])
        if order.priority == Priority.RUSH and not cust.export:
            via = "Purolator Express" if cust.country == "CA" else "UPS Next Day Air"
        elif order.priority == Priority.RUSH:
            via = "FedEx International Priority" if self._mode(via)[2] == "intl" else via
        elif weight > 150 and self._mode(via)[2] == "parcel":
            via = "Day & Ross LTL" if cust.country == "CA" else "XPO LTL"
        order.ship_via = via
        self._retotal(order)
        note = ""
        if rng.random() < 0.15:
            note = rng.choice(
                (
                    "Call receiving 30 min before delivery.",
                    "PO number on every carton, please.",
                    "Customer will pick up partials; do not hold for complete.",
                    "Mark for: maintenance crib.",
                    "Confirm lead time on backordered lines by email.",
                )
            )
        if order.priority == Priority.RUSH:
            note = f"RUSH: line down - ship today if possible. {note}"
        order.header_notes = note.strip()
        self._timeline(order)

    def _timeline(self, order: OrderPlan) -> None:
        rng, st = self.rng, order.state
        entered = order.entered_at
        edi = order.source == OrderSource.EDI
        rush = order.priority == Priority.RUSH
        ahead = rng.randint(1, 2) if rush else rng.randint(3, 12)
        if order.cust.row.customer_group == "oem" and not rush:
            ahead += rng.randint(0, 8)
        order.requested = self._biz_add(entered.date(), ahead)
        if st != OrderState.DRAFT:
            promised = order.requested
            if rng.random() < 0.2:
                promised = self._biz_add(promised, rng.randint(1, 4))
            order.first_promised = promised
            order.last_promised = promised
            if rng.random() < 0.13:
                order.last_promised = self._biz_add(promised, rng.randint(2, 8))
        if st == OrderState.CANCELLED:
            order.cancelled_from = rng.choice(
                (OrderState.ENTERED, OrderState.ACKNOWLEDGED, OrderState.ACKNOWLEDGED,
                 OrderState.RELEASED)
            )  # fmt: skip
            if order.tag == "credit_cancel":
                order.cancelled_from = OrderState.ON_HOLD
            order.cancel_reason = order.cancel_reason or rng.choice(CANCEL_REASONS)
        reached = {
            OrderState.ACKNOWLEDGED: 1,
            OrderState.RELEASED: 2,
            OrderState.PARTIALLY_SHIPPED: 3,
            OrderState.SHIPPED: 4,
            OrderState.INVOICED: 5,
            OrderState.CLOSED: 6,
        }.get(st, 0)
        if st == OrderState.CANCELLED:
            reached = {OrderState.ACKNOWLEDGED: 1, OrderState.RELEASED: 2}.get(
                order.cancelled_from or OrderState.ENTERED, 0
            )
        if reached >= 1:
            delay = (
                timedelta(minutes=rng.randint(2, 25))
                if edi
                else timedelta(minutes=rng.randint(15, 8 * 60))
            )
            order.acknowledged_at = self._before_now(entered + delay, entered)
        if reached >= 2:
            assert order.acknowledged_at is not None
            delay = timedelta(minutes=rng.randint(10, 120) if rush else rng.randint(60, 30 * 60))
            order.released_at = self._before_now(
                order.acknowledged_at + delay, order.acknowledged_at
            )
        if reached >= 3:
            self._plan_shipments(order)
        if reached >= 5:
            assert order.shipped_at is not None
            billing = datetime.combine(
                order.shipped_at.date() + timedelta(days=1), time(7, 30), tzinfo=UTC
            ) + timedelta(minutes=rng.randint(0, 60))
            order.invoiced_at = self._before_now(billing, order.shipped_at, 30)
        if reached >= 6:
            assert order.invoiced_at is not None
            terms = order.cust.row.payment_terms_days
            if order.cust.row.payment_terms.startswith("2%10") and rng.random() < 0.5:
                pay_days = rng.randint(7, 10)
            else:
                pay_days = max(terms + rng.randint(-12, 18), 3)
            paid = datetime.combine(
                order.invoiced_at.date() + timedelta(days=pay_days), time(15), tzinfo=UTC
            ) + timedelta(minutes=rng.randint(0, 300))
            order.closed_at = self._before_now(paid, order.invoiced_at, 60)
        if st == OrderState.CANCELLED:
            base = order.released_at or order.acknowledged_at or entered
            order.cancelled_at = self._before_now(
                base + timedelta(hours=rng.randint(2, 24 * 12)), base
            )
        for line in order.lines:
            line.last_promised = order.last_promised

    def _plan_shipments(self, order: OrderPlan) -> None:
        """Shipments for partially shipped, shipped, invoiced and closed orders."""
        rng, st = self.rng, order.state
        assert order.released_at is not None and order.first_promised is not None
        floor = order.released_at + timedelta(hours=1)
        if st == OrderState.SHIPPED:
            ship_at = self.now - timedelta(minutes=rng.randint(60, 30 * 60))
        else:
            on_time = rng.random() < 0.86
            day = order.first_promised - timedelta(days=rng.randint(0, 2))
            if not on_time:
                day = order.first_promised + timedelta(days=rng.randint(1, 6))
                if rng.random() < 0.6:
                    order.last_promised = max(order.last_promised or day, day)
            day = self._biz_back(day)
            ship_at = datetime.combine(day, time(20), tzinfo=UTC) + timedelta(
                minutes=rng.randint(0, 200)
            )
        limit = self.now - timedelta(hours=1)
        if st == OrderState.INVOICED:
            limit = self.now - timedelta(hours=20)
        if st == OrderState.CLOSED:
            limit = self.now - timedelta(days=12)
        ship_at = min(max(ship_at, floor), max(limit, floor))
        groups: dict[str, list[LinePlan]] = {}
        for line in order.lines:
            if line.warehouse is not None and not line.drop_ship:
                groups.setdefault(line.warehouse.code, []).append(line)
        if st == OrderState.PARTIALLY_SHIPPED:
            self._plan_partial(order, groups, ship_at)
            return
        ships: list[ShipmentPlan] = []
        for code, lines in groups.items():
            wh = self.warehouses[code]
            if len(lines) >= 2 and rng.random() < 0.18:
                later = ship_at + timedelta(days=rng.randint(2, 6))
                if later <= limit:
                    cut = rng.randint(1, len(lines) - 1)
                    ships.append(
                        ShipmentPlan(wh, ship_at, [(ln, ln.quantity) for ln in lines[:cut]])
                    )
                    ships.append(ShipmentPlan(wh, later, [(ln, ln.quantity) for ln in lines[cut:]]))
                    continue
            at = ship_at + timedelta(minutes=rng.randint(0, 90)) if ships else ship_at
            ships.append(
                ShipmentPlan(wh, min(at, max(limit, floor)), [(ln, ln.quantity) for ln in lines])
            )
        order.ships = ships
        for ship in ships:
            for line, qty in ship.lines:
                line.shipped = qty
                line.shipped_date = ship.shipped_at.date()
        order.shipped_at = max(s.shipped_at for s in ships)

    def _plan_partial(
        self, order: OrderPlan, groups: dict[str, list[LinePlan]], at: datetime
    ) -> None:
        rng = self.rng
        lines = [ln for lst in groups.values() for ln in lst]
        held_back = lines[-1]
        ships: dict[str, ShipmentPlan] = {}
        for line in lines:
            if line is held_back:
                half = (line.quantity / 2 / line.item.order_multiple).to_integral_value() * (
                    line.item.order_multiple
                )
                if len(lines) > 1 or half <= 0 or rng.random() < 0.5:
                    continue
                qty = half.quantize(Q3)
            else:
                qty = line.quantity
            assert line.warehouse is not None
            ship = ships.setdefault(line.warehouse.code, ShipmentPlan(line.warehouse, at, []))
            ship.lines.append((line, qty))
            line.shipped = qty
            line.shipped_date = at.date()
        if not ships:  # one line that cannot be split: ship most of it
            line = lines[0]
            assert line.warehouse is not None
            qty = max(line.quantity - line.item.order_multiple, line.item.order_multiple)
            if qty >= line.quantity:
                line.quantity += line.item.order_multiple
            ships[line.warehouse.code] = ShipmentPlan(line.warehouse, at, [(line, qty)])
            line.shipped, line.shipped_date = qty, at.date()
            self._retotal(order)
        order.ships = list(ships.values())

    def _retotal(self, order: OrderPlan) -> None:
        """Subtotal, freight and tax the way `domain.pricing.price_order` computes them."""
        cust = order.cust.row
        order.subtotal = sum((ln.extended for ln in order.lines), ZERO)
        weight = sum((ln.quantity * ln.item.weight_kg for ln in order.lines), ZERO)
        order.freight = estimate_freight(
            terms=cust.freight_terms,
            weight_kg=weight,
            subtotal=order.subtotal,
            free_threshold=cust.free_freight_threshold,
            rates=self.freight_rates,
            currency=cust.currency,
        ).charge
        if order.tag == "warranty_replacement":
            order.freight = ZERO  # a no-charge replacement ships free
        order.tax = self._tax(order, order.subtotal, order.freight)

    def _tax(self, order: OrderPlan, goods: Decimal, freight: Decimal) -> Decimal:
        cust = order.cust.row
        return compute_tax(
            table=self.tax_table,
            ship_to=ShipTo(order.ship_to.country, order.ship_to.region),
            goods=goods,
            freight=freight,
            currency=cust.currency,
            exempt_certificate=cust.tax_exempt_certificate,
            vat_id=cust.tax_id if cust.tax_id_type.upper() == "VAT" else "",
            registrations=TAX_REGISTRATIONS,
        ).amount
