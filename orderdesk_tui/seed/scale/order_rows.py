"""Generated sales orders, their lines and holds, each as far along its lifecycle as `today`."""

from collections.abc import Iterator
from typing import Any

from orderdesk_tui.models.base import OrderState
from orderdesk_tui.seed.scale.state import CHUNK, HISTORY_DAYS, GeneratorState
from orderdesk_tui.seed.scale.storage_forms import AS_OF, DAY, HOUR, permutation
from orderdesk_tui.seed.scale.vocabulary import (
    CANCEL_REASONS,
    COORDINATORS,
    HOLDS,
    LINES_PER_ORDER,
    OPEN_STATES,
    ORDER_NOTES,
    SUPERVISORS,
    TIER_DISCOUNT,
)
from orderdesk_tui.services.numbering import DEFAULTS as NUMBER_DEFAULTS

NUMBER_PREFIX, NUMBER_WIDTH = NUMBER_DEFAULTS["order"]


class OrderRows(GeneratorState):
    """Rows of sales orders, order lines and holds; books allocations into the items' stock."""

    # orders -----------------------------------------------------------------------------------

    def order_rows(
        self,
    ) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """(orders, lines, holds) chunks; also books allocations into the items' stock."""
        rnd = self.rng.random
        clock = self.clock
        day, ts = clock.day, clock.ts
        items, cs = self.items, self.customers
        n = self.n
        # lines per order first: then the number of orders is known and they spread evenly
        per_order: list[int] = []
        left = n
        while left > 0:
            k = min(LINES_PER_ORDER[int(rnd() * len(LINES_PER_ORDER))], left)
            per_order.append(k)
            left -= k
        n_orders = len(per_order)
        self.orders = n_orders
        business_days = [d for d in range(-HISTORY_DAYS, 1) if clock.weekday(d) < 5]
        n_days = len(business_days)
        item_a, item_b = permutation(n, 1)
        cust_a, cust_b = permutation(cs.count, 2)
        n_cust = cs.count
        part_number, description, uoms = items.part_number, items.description, items.uom
        qty_kind, moqs, multiples = items.qty_kind, items.moq, items.multiple
        list_prices, drop_ships = items.list_price, items.drop_ship
        on_hand, allocated = items.on_hand, items.allocated
        holds_kinds, n_holds = HOLDS, len(HOLDS)
        orders: list[tuple[Any, ...]] = []
        lines: list[tuple[Any, ...]] = []
        holds: list[tuple[Any, ...]] = []
        line_id = 0
        for j in range(n_orders):
            order_id = j + 1
            k_lines = per_order[j]
            # -- when: order numbers rise with the time the PO arrived (12:00-22:00 UTC)
            pos = (j + rnd()) * n_days / n_orders
            bday = int(pos)
            received = business_days[bday] * DAY + 12 * HOUR + int((pos - bday) * 10 * HOUR)
            c = (cust_a * int(n_cust * rnd() ** 2) + cust_b) % n_cust
            terms, days, freight_terms, free_at, incoterm, place, currency, ship_via, tax_bp = (
                cs.terms[c]
            )
            ship_to = cs.first_ship_to[c]
            if cs.ship_tos[c] > 1 and rnd() < 0.4:
                ship_to += int(rnd() * cs.ship_tos[c])
            r = rnd()
            if cs.edi[c] and r < 0.9:
                source, entered_by = "edi", "edi"
                entered = received + 20 + int(rnd() * 600)
            else:
                source = "keyboard" if r < 0.45 else ("phone" if r < 0.65 else "email")
                entered_by = cs.coordinator[c] if rnd() < 0.7 else COORDINATORS[int(r * 10)]
                entered = received + 300 + int(rnd() ** 2 * 4 * HOUR)
            rush = rnd() < 0.06
            ship_complete = rnd() < 0.15
            draft = entered > AS_OF or rnd() < 0.002
            # -- holds
            hold = None
            hold_open = False
            hold_end = entered
            if not draft:
                if cs.credit_hold[c] and received > AS_OF - 20 * DAY:
                    hold, hold_open = holds_kinds[0], True
                elif rnd() < 0.05:
                    hold = holds_kinds[int(rnd() * n_holds)]
                    hold_end = entered + 1_800 + int(rnd() ** 2 * 72 * HOUR)
                    hold_open = hold_end > AS_OF
            # -- lifecycle
            start = entered if hold_open else hold_end
            ack = start + 300 + int(rnd() ** 2 * (HOUR if source == "edi" else 8 * HOUR))
            rel = ack + 1_800 + int(rnd() ** 2 * 36 * HOUR)
            received_day = received // DAY
            requested = received_day + (1 + int(rnd() * 3) if rush else 3 + int(rnd() * 19))
            first_prom = requested if rnd() < 0.75 else requested + 1 + int(rnd() * 10)
            last_prom = first_prom + (1 + int(rnd() * 14) if rnd() < 0.15 else 0)
            ship_day = last_prom - 1 - int(rnd() * 3)
            if rnd() < 0.1:
                ship_day += 1 + int(rnd() * 8)  # late
            ship1 = max(ship_day * DAY + 19 * HOUR + int(rnd() * 4 * HOUR), rel + 2 * HOUR)
            partial = not ship_complete and k_lines > 1 and rnd() < 0.12
            ship2 = ship1 + (2 + int(rnd() * 14)) * DAY if partial else ship1
            invoiced = (ship2 // DAY + 1) * DAY + 3 * HOUR + int(rnd() * HOUR)
            closed = invoiced + max(1, days + int(rnd() * 25) - 5) * DAY + int(rnd() * 8 * HOUR)
            cancelled = None
            if not draft and rnd() < 0.035:
                at = entered + HOUR + int(rnd() * 5 * DAY)
                if at <= AS_OF and at < ship1:
                    cancelled = at
            hold_cancelled = (
                hold is not None and cancelled is not None and (hold_open or hold_end > cancelled)
            )
            if hold_cancelled:
                assert cancelled is not None
                hold_open, hold_end = False, cancelled
            horizon = cancelled if cancelled is not None else AS_OF
            if draft:
                state = OrderState.DRAFT
            elif cancelled is not None:
                state = OrderState.CANCELLED
            elif hold_open:
                state = OrderState.ON_HOLD
            elif closed <= AS_OF:
                state = OrderState.CLOSED
            elif invoiced <= AS_OF:
                state = OrderState.INVOICED
            elif ship2 <= AS_OF:
                state = OrderState.SHIPPED
            elif ship1 <= AS_OF:
                state = OrderState.PARTIALLY_SHIPPED
            elif rel <= AS_OF:
                state = OrderState.RELEASED
            elif ack <= AS_OF:
                state = OrderState.ACKNOWLEDGED
            else:
                state = OrderState.ENTERED
            flowing = not draft and not hold_open
            acked = flowing and ack <= horizon
            released = flowing and rel <= horizon
            ship1_done = flowing and cancelled is None and ship1 <= AS_OF
            ship2_done = flowing and cancelled is None and ship2 <= AS_OF
            invoiced_done = ship2_done and invoiced <= AS_OF
            closed_done = invoiced_done and closed <= AS_OF
            allocating = state in OPEN_STATES or state == OrderState.PARTIALLY_SHIPPED
            # -- lines
            tier_disc = TIER_DISCOUNT[cs.tier[c]]
            warehouse = cs.address_warehouse[ship_to]
            req_s = day(requested)
            first_s = day(first_prom) if acked else None
            last_s = day(last_prom) if acked else None
            wave1_s, wave2_s = day(ship1 // DAY), day(ship2 // DAY)
            subtotal = 0
            first_line = line_id + 1
            for ln in range(1, k_lines + 1):
                line_id += 1
                i = (item_a * int(n * rnd() ** 3) + item_b) % n
                kind = qty_kind[i]
                r = rnd()
                if kind == 0:
                    units = 1 + int(r * r * 24)
                    om = multiples[i]
                    qty = max(units * om, moqs[i])
                    if qty % om:
                        qty += om - qty % om
                elif kind == 1:
                    qty = (10 + int(r * 400)) * 500
                else:
                    qty = (4 + int(r * 200)) * 250
                lp = list_prices[i]
                r = rnd()
                override = ""
                if r < 0.02:
                    disc, source_text = tier_disc + 500 + int(rnd() * 10) * 100, "override"
                    override = "Matched competitor quote" if r < 0.01 else "Volume deal"
                elif r < 0.17:
                    disc, source_text = tier_disc + 500, f"contract K-{c + 1:06d}"
                elif tier_disc:
                    disc, source_text = tier_disc, f"tier {cs.tier[c]}"
                else:
                    disc, source_text = 0, "list"
                unit = (lp * (10_000 - disc) + 5_000) // 10_000
                extended = (qty * unit + 50_000) // 100_000
                subtotal += extended
                drop = drop_ships[i] and rnd() < 0.25
                wh = None if drop else (warehouse if on_hand[warehouse - 1][i] >= 0 else 1)
                alloc = shipped = backordered = cancelled_qty = 0
                shipped_s = None
                in_wave1 = ln == 1 or (ln < k_lines and rnd() < 0.6)
                if state == OrderState.CANCELLED:
                    cancelled_qty = qty
                elif ship2_done or (ship1_done and in_wave1):
                    shipped = qty
                    shipped_s = wave1_s if in_wave1 else wave2_s
                elif allocating and wh is not None:
                    w = wh - 1
                    free = on_hand[w][i] - allocated[w][i]
                    alloc = qty if qty <= free else max(free, 0)
                    allocated[w][i] += alloc
                    backordered = qty - alloc
                lines.append(
                    (
                        line_id, order_id, ln, i + 1, part_number[i], "", description[i], qty,
                        uoms[i], lp, unit, source_text, disc, override, extended, wh, alloc,
                        shipped, backordered, cancelled_qty, req_s, first_s, last_s, shipped_s,
                        int(drop), 2 if shipped or cancelled_qty else 1,
                    )
                )  # fmt: skip
            assert line_id == first_line + k_lines - 1
            # -- totals
            if freight_terms == "prepaid_add" and not (free_at and subtotal >= free_at):
                freight = 1_250 + subtotal // 50
            else:
                freight = 0
            tax = (subtotal * tax_bp + 5_000) // 10_000
            # -- the order row
            if ship2_done:
                shipped_at = ship2
            elif ship1_done:
                shipped_at = ship1
            else:
                shipped_at = None
            events = [
                t for t in (entered, ack if acked else None, rel if released else None,
                            shipped_at, invoiced if invoiced_done else None,
                            closed if closed_done else None, cancelled) if t is not None
            ]  # fmt: skip
            if hold is not None and not hold_open:
                events.append(hold_end)
            if draft:
                events = []
            number = NUMBER_PREFIX + f"{order_id:0{NUMBER_WIDTH}d}"
            po = cs.po_format[c].format(cs.po_next[c])
            cs.po_next[c] += 1 + int(rnd() * 3)
            orders.append(
                (
                    order_id, number, c + 1, po, cs.bill_to[c], ship_to, state, source,
                    "rush" if rush else "normal", ship_via, int(ship_complete), freight_terms,
                    incoterm, place, currency, terms, ORDER_NOTES[int(rnd() * len(ORDER_NOTES))],
                    ts(received), None if draft else ts(entered), req_s, first_s, last_s,
                    ts(ack) if acked else None, ts(rel) if released else None,
                    None if shipped_at is None else ts(shipped_at),
                    ts(invoiced) if invoiced_done else None, ts(closed) if closed_done else None,
                    None if cancelled is None else ts(cancelled),
                    CANCEL_REASONS[int(rnd() * len(CANCEL_REASONS))] if cancelled else "",
                    entered_by, cs.coordinator[c], subtotal, freight, tax,
                    subtotal + freight + tax, f"{880_000_000 + order_id}" if released else "",
                    f"{40_000_000 + order_id}" if released else "",
                    ts(received if draft else entered), ts(max(events, default=received)),
                    len(events),
                )
            )  # fmt: skip
            if hold is not None:
                self.holds += 1
                hold_kind, reason, release_reason, by_system = hold
                released_by = ""
                if not hold_open:
                    released_by = (
                        SUPERVISORS[order_id % 2]
                        if hold_kind in ("credit", "price", "compliance")
                        else cs.coordinator[c]
                    )
                if hold_cancelled:
                    released_by, release_reason = entered_by, "Order cancelled"
                holds.append(
                    (
                        self.holds, order_id, hold_kind, reason,
                        "system" if by_system else entered_by,
                        ts(entered), released_by, None if hold_open else ts(hold_end),
                        "" if hold_open else release_reason, 1 if hold_open else 2,
                    )
                )  # fmt: skip
            if len(lines) >= CHUNK:
                yield orders, lines, holds
                orders, lines, holds = [], [], []
        if orders:
            yield orders, lines, holds
