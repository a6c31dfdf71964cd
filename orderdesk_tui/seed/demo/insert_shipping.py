"""Writing shipments, packages and invoices to the store."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from orderdesk_tui.models import Invoice, InvoiceLine, Package, Shipment, ShipmentLine
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.seed.demo.constants import GS1_PREFIX, Q3, ZERO
from orderdesk_tui.seed.demo.helpers import cents, fedex_tracking, gs1_check_digit, ups_tracking
from orderdesk_tui.seed.demo.money_and_dates import OrderMoneyAndDates
from orderdesk_tui.seed.demo.records import BilledLine, LinePlan, OrderPlan, ShipmentPlan
from orderdesk_tui.services.numbering import next_number


class ShippingInserts(OrderMoneyAndDates):
    """Inserts shipments with their packages and lines, and invoices."""

    def _package_plan(
        self, ship: ShipmentPlan, mode: str
    ) -> list[tuple[Decimal, tuple[int, int, int]]]:
        weight = self._weight(ship.lines)
        if mode in ("ltl", "pickup") and weight > 60:
            n = int(weight // 450) + 1
            dims = (122, 102, self.rng.choice((90, 110, 130)))
        else:
            n = min(int(weight // 22) + 1, 6)
            dims = self.rng.choice(((30, 25, 20), (40, 30, 30), (45, 35, 30), (60, 40, 40)))
        share = (weight / n).quantize(Q3) if n else weight
        return [(max(share, Decimal("0.2")), dims) for _ in range(n)]

    def _insert_shipments(self) -> None:
        s, rng = self.session, self.rng
        ships = sorted(
            ((o, sh) for o in self.orders for sh in o.ships), key=lambda p: p[1].shipped_at
        )
        ups_serial, fedex_serial, pro_serial, sscc_serial = (
            rng.randint(1_000_000, 3_000_000),
            rng.randint(10**10, 3 * 10**10),
            rng.randint(10**8, 4 * 10**8),
            rng.randint(10**7, 9 * 10**7),
        )
        rows: list[Shipment] = []
        packages: list[tuple[Shipment, ShipmentPlan, list[dict[str, Any]]]] = []
        for order, ship in ships:
            assert order.row is not None and order.row.id is not None
            assert ship.warehouse.id is not None
            carrier, service, mode = self._mode(order.ship_via)
            weight = self._weight(ship.lines)
            edi = bool(order.cust.row.edi_partner_id)
            transit = {"parcel": 3, "air": 1, "ltl": 4, "intl": 6, "pickup": 0}[mode]
            delivered = ship.shipped_at + timedelta(days=rng.randint(1, max(transit, 1)), hours=3)
            is_delivered = mode != "pickup" and delivered < self.now
            bol = ""
            if mode in ("ltl", "pickup", "intl"):
                sscc_serial += 1
                body = f"{GS1_PREFIX}{sscc_serial:09d}"[:16]
                bol = body + gs1_check_digit(body)
            pro = ""
            if mode == "ltl":
                pro_serial += rng.randint(1, 40)
                pro = f"{pro_serial:010d}" if carrier != "Old Dominion" else f"{pro_serial:011d}"
            elif mode == "intl" and carrier.startswith("DHL"):
                pro = f"{rng.randint(10**9, 10**10 - 1)}"
            pkgs: list[dict[str, Any]] = []
            for pw, (ln_, wd, ht) in self._package_plan(ship, mode):
                tracking = ""
                if carrier == "UPS":
                    ups_serial += 1
                    svc = {"Ground": "03", "Next Day Air": "01"}.get(service, "66")
                    tracking = ups_tracking("8V7A41", svc, ups_serial)
                elif carrier == "FedEx":
                    fedex_serial += 1
                    tracking = fedex_tracking(fedex_serial)
                elif carrier == "Purolator":
                    tracking = f"3290{rng.randint(10**7, 10**8 - 1)}"
                sscc = ""
                if edi or mode in ("ltl", "pickup"):
                    sscc_serial += 1
                    body = f"0{GS1_PREFIX}{sscc_serial:09d}"
                    sscc = body + gs1_check_digit(body)
                pkgs.append(
                    {
                        "sscc": sscc,
                        "tracking_number": tracking,
                        "weight_kg": pw,
                        "length_cm": ln_,
                        "width_cm": wd,
                        "height_cm": ht,
                    }
                )
            main_tracking = pro or (str(pkgs[0]["tracking_number"]) if pkgs else "")
            row = Shipment(
                number=next_number(s, "shipment"),
                order_id=order.row.id,
                warehouse_id=ship.warehouse.id,
                ship_to_id=order.ship_to.id,
                state="delivered" if is_delivered else "shipped",
                carrier=carrier,
                service=service,
                tracking_number=main_tracking,
                bol_number=bol,
                freight_cost=self._freight_cost(weight, mode),
                weight_kg=weight,
                created_at=ship.shipped_at - timedelta(hours=rng.randint(2, 20)),
                shipped_at=ship.shipped_at,
                delivered_at=delivered if is_delivered else None,
                asn_sent_at=ship.shipped_at + timedelta(minutes=rng.randint(5, 40))
                if edi
                else None,
            )
            ship.row = row
            rows.append(row)
            packages.append((row, ship, pkgs))
        s.add_all(rows)
        s.flush()
        all_pkgs: list[dict[str, Any]] = []
        for row, _, pkgs in packages:
            assert row.id is not None
            for p in pkgs:
                p["shipment_id"] = row.id
            all_pkgs.extend(pkgs)
        pkg_ids = iter(self._bulk_insert(Package, all_pkgs))
        slines: list[dict[str, Any]] = []
        for row, ship, pkgs in packages:
            assert row.id is not None
            ids = [next(pkg_ids) for _ in pkgs]
            for k, (line, qty) in enumerate(ship.lines):
                assert line.row_id is not None
                lot = ""
                if line.item.category == "chemicals":
                    lot = f"L{ship.shipped_at:%y%j}-{rng.randint(1000, 9999)}"
                elif line.item.vendor_warranted and line.item.list_price > 250:
                    lot = f"SN{rng.randint(10**7, 10**8 - 1)}"
                slines.append(
                    {
                        "shipment_id": row.id,
                        "order_line_id": line.row_id,
                        "quantity": qty,
                        "lot_serial": lot,
                        "package_id": ids[k % len(ids)] if ids else None,
                    }
                )
        self._bulk_insert(ShipmentLine, slines)
        self.summary.shipments = len(rows)

    def _insert_invoices(self) -> None:
        s, rng = self.session, self.rng
        billable = [
            o
            for o in self.orders
            if o.ships
            and o.state in (OrderState.INVOICED, OrderState.CLOSED, OrderState.PARTIALLY_SHIPPED)
        ]

        def bill_time(o: OrderPlan) -> datetime:
            if o.invoiced_at is not None:
                return o.invoiced_at
            first = min(sh.shipped_at for sh in o.ships)
            return self._before_now(
                datetime.combine(first.date() + timedelta(days=1), time(8), tzinfo=UTC), first, 30
            )

        billable.sort(key=bill_time)
        invoices: list[Invoice] = []
        partial_paid = 0
        for order in billable:
            assert order.row is not None and order.row.id is not None
            cust = order.cust.row
            assert cust.id is not None
            at = bill_time(order)
            shipped = [(ln, q) for sh in order.ships for ln, q in sh.lines]
            subtotal = sum((cents(q * ln.unit_price) for ln, q in shipped), ZERO)
            tax = self._tax(order, subtotal, order.freight)
            total = subtotal + order.freight + tax
            paid = ZERO
            state = "open"
            if order.state == OrderState.CLOSED:
                state, paid = "paid", total
            elif (
                order.state == OrderState.INVOICED
                and partial_paid < 3
                and order.cust.row.code not in ("SUMM01", "BAYO01")
                and rng.random() < 0.08
            ):
                partial_paid += 1
                paid = cents(total / 2)
            inv = Invoice(
                number=next_number(s, "invoice"),
                kind="invoice",
                order_id=order.row.id,
                customer_id=cust.id,
                shipment_id=order.ships[-1].row.id if order.ships[-1].row else None,
                invoice_date=at.date(),
                due_date=at.date() + timedelta(days=cust.payment_terms_days),
                state=state,
                currency=cust.currency,
                subtotal=subtotal,
                freight=order.freight,
                tax=tax,
                total=total,
                amount_paid=paid,
                created_at=at,
            )
            order.invoice = inv
            invoices.append(inv)
        s.add_all(invoices)
        s.flush()
        lines: list[dict[str, Any]] = []
        billed: list[tuple[int, Decimal, LinePlan]] = []
        for order in billable:
            assert order.invoice is not None and order.invoice.id is not None
            for sh in order.ships:
                for ln, q in sh.lines:
                    lines.append(
                        {
                            "invoice_id": order.invoice.id,
                            "order_line_id": ln.row_id,
                            "item_id": ln.item.id,
                            "description": ln.item.description,
                            "quantity": q,
                            "unit_price": ln.unit_price,
                            "extended": cents(q * ln.unit_price),
                        }
                    )
                    billed.append((order.invoice.id, q, ln))
        for (invoice_id, q, ln), line_id in zip(
            billed, self._bulk_insert(InvoiceLine, lines), strict=True
        ):
            self._invoice_lines[invoice_id].append(BilledLine(line_id, q, ln.unit_price, ln))
        self.summary.invoices = len(invoices)
