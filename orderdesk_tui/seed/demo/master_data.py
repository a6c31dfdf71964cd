"""Master data from `data/demo/*.csv`: warehouses, price lists, customers, items, stock, pricing."""

from collections import defaultdict
from datetime import date, timedelta

from orderdesk_tui.models import (
    Address,
    Contact,
    Customer,
    Item,
    ItemCrossReference,
    PriceAgreement,
    PriceList,
    PriceListEntry,
    Promotion,
    QuantityBreak,
    User,
    Warehouse,
)
from orderdesk_tui.models.base import AddressKind, CrossRefKind
from orderdesk_tui.seed.demo.constants import DEMO_USERS, NON_STOCK
from orderdesk_tui.seed.demo.helpers import csv_rows, dec, flag, opt_dec
from orderdesk_tui.seed.demo.records import CustomerPlan, StockPlan
from orderdesk_tui.seed.demo.state import LoaderState
from orderdesk_tui.services import credentials
from orderdesk_tui.services.credentials import Kind


class MasterDataLoader(LoaderState):
    """Loads the curated master data into the store and the loader's maps."""

    def _day(self, offset: str) -> date | None:
        return self.today + timedelta(days=int(offset)) if offset.strip() else None

    def load_master(self) -> None:
        s = self.session
        created = self.now - timedelta(days=730)
        users = [
            User(name=name, full_name=full, role=role, created_at=created)
            for name, full, role, _, _ in DEMO_USERS
        ]
        s.add_all(users)
        s.flush()
        for user, (_, _, _, password, pin) in zip(users, DEMO_USERS, strict=True):
            credentials.set_secret(s, user, Kind.PASSWORD, password)
            if pin:
                credentials.set_secret(s, user, Kind.PIN, pin)
        self.summary.users = len(users)

        for r in csv_rows("warehouses.csv"):
            wh = Warehouse(
                code=r["code"],
                name=r["name"],
                line1=r["line1"],
                city=r["city"],
                region=r["region"],
                postal_code=r["postal_code"],
                country=r["country"],
                hazmat_capable=flag(r["hazmat_capable"]),
            )
            self.warehouses[wh.code] = wh
        s.add_all(self.warehouses.values())

        lists_by_code: dict[str, PriceList] = {}
        for r in csv_rows("price_lists.csv"):
            lists_by_code[r["code"]] = PriceList(
                code=r["code"], name=r["name"], currency=r["currency"]
            )
        s.add_all(lists_by_code.values())
        s.flush()
        self.price_lists = {pl.id: pl for pl in lists_by_code.values() if pl.id is not None}

        rows = csv_rows("customers.csv")
        customers: dict[str, Customer] = {}
        for k, r in enumerate(rows):
            pl = lists_by_code.get(r["price_list_code"])
            stamp = created + timedelta(days=k * 7)
            customers[r["code"]] = Customer(
                code=r["code"],
                name=r["name"],
                phone=r["phone"],
                email=r["email"],
                currency=r["currency"],
                payment_terms=r["payment_terms"],
                payment_terms_days=int(r["payment_terms_days"]),
                credit_limit=dec(r["credit_limit"]),
                credit_status=r["credit_status"],
                tax_id=r["tax_id"],
                tax_id_type=r["tax_id_type"],
                tax_exempt_certificate=r["tax_exempt_certificate"],
                price_list_id=pl.id if pl else None,
                customer_group=r["customer_group"],
                freight_terms=r["freight_terms"],
                free_freight_threshold=opt_dec(r["free_freight_threshold"]),
                incoterm=r["incoterm"],
                incoterm_place=r["incoterm_place"],
                default_ship_via=r["default_ship_via"],
                edi_qualifier=r["edi_qualifier"],
                edi_partner_id=r["edi_partner_id"],
                service_tier=r["service_tier"],
                po_format=r["po_format"],
                created_at=stamp,
                updated_at=stamp,
            )
        s.add_all(customers.values())
        s.flush()
        self.summary.customers = len(customers)

        addresses: dict[str, list[Address]] = defaultdict(list)
        for r in csv_rows("addresses.csv"):
            cust = customers[r["customer_code"]]
            assert cust.id is not None
            addresses[r["customer_code"]].append(
                Address(
                    customer_id=cust.id,
                    code=r["code"],
                    kind=r["kind"],
                    name=r["name"],
                    line1=r["line1"],
                    line2=r["line2"],
                    city=r["city"],
                    region=r["region"],
                    postal_code=r["postal_code"],
                    country=r["country"],
                    phone=r["phone"],
                    dock_hours=r["dock_hours"],
                    routing_notes=r["routing_notes"],
                    is_default=flag(r["is_default"]),
                )
            )
        contacts: dict[str, list[Contact]] = defaultdict(list)
        for r in csv_rows("contacts.csv"):
            cust = customers[r["customer_code"]]
            assert cust.id is not None
            contacts[r["customer_code"]].append(
                Contact(
                    customer_id=cust.id,
                    name=r["name"],
                    title=r["title"],
                    email=r["email"],
                    phone=r["phone"],
                    is_primary=flag(r["is_primary"]),
                )
            )
        all_addresses = [a for lst in addresses.values() for a in lst]
        all_contacts = [c for lst in contacts.values() for c in lst]
        s.add_all(all_addresses)
        s.add_all(all_contacts)
        self.summary.addresses = len(all_addresses)
        self.summary.contacts = len(all_contacts)

        replacements: dict[str, str] = {}
        for k, r in enumerate(csv_rows("items.csv")):
            stamp = created + timedelta(minutes=k)
            item = Item(
                part_number=r["part_number"],
                description=r["description"],
                category=r["category"],
                uom=r["uom"],
                fractional_uom=flag(r["fractional_uom"]),
                moq=dec(r["moq"]),
                order_multiple=dec(r["order_multiple"]),
                list_price=dec(r["list_price"]),
                cost=dec(r["cost"]),
                weight_kg=dec(r["weight_kg"]),
                upc=r["upc"],
                hs_code=r["hs_code"],
                country_of_origin=r["country_of_origin"],
                eccn=r["eccn"] or "EAR99",
                hazmat_un_number=r["hazmat_un_number"],
                hazmat_class=r["hazmat_class"],
                lead_time_days=int(r["lead_time_days"]),
                status=r["status"],
                stocked=r["part_number"] not in NON_STOCK,
                drop_ship_allowed=flag(r["drop_ship_allowed"]),
                warranty_months=int(r["warranty_months"]),
                vendor_warranted=flag(r["vendor_warranted"]),
                vendor_name=r["vendor_name"],
                created_at=stamp,
                updated_at=stamp,
            )
            self.items[item.part_number] = item
            if r["replacement_part_number"]:
                replacements[item.part_number] = r["replacement_part_number"]
        s.add_all(self.items.values())
        s.flush()
        for old, new in replacements.items():
            self.items[old].replacement_item_id = self.items[new].id
        self.summary.items = len(self.items)
        self.summary.warehouses = len(self.warehouses)

        for r in csv_rows("stock.csv"):
            item, wh = self.items[r["part_number"]], self.warehouses[r["warehouse_code"]]
            assert item.id is not None and wh.id is not None
            self.stock[(item.id, wh.id)] = StockPlan(dec(r["on_hand"]), r["bin_location"])

        entries = []
        for r in csv_rows("price_list_entries.csv"):
            pl = lists_by_code[r["price_list_code"]]
            assert pl.id is not None
            part = self.items[r["part_number"]] if r["part_number"] else None
            entry = PriceListEntry(
                price_list_id=pl.id,
                item_id=part.id if part else None,
                category=r["category"],
                fixed_price=opt_dec(r["fixed_price"]),
                percent_off=opt_dec(r["percent_off"]),
            )
            entries.append(entry)
            if part is not None and part.id is not None and entry.fixed_price is not None:
                self.pl_fixed[(pl.id, part.id)] = entry.fixed_price
            elif entry.category and entry.percent_off is not None:
                self.pl_pct[(pl.id, entry.category)] = entry.percent_off
        s.add_all(entries)

        agreements = []
        for r in csv_rows("price_agreements.csv"):
            cust, item = customers[r["customer_code"]], self.items[r["part_number"]]
            assert cust.id is not None and item.id is not None
            valid_from = self._day(r["valid_from_days"])
            assert valid_from is not None
            pa = PriceAgreement(
                customer_id=cust.id,
                item_id=item.id,
                contract_ref=r["contract_ref"],
                price=dec(r["price"]),
                min_quantity=dec(r["min_quantity"]),
                valid_from=valid_from,
                valid_to=self._day(r["valid_to_days"]),
            )
            agreements.append(pa)
            self.agreements[(cust.id, item.id)].append(pa)
        s.add_all(agreements)
        self.summary.price_agreements = len(agreements)

        breaks = []
        for r in csv_rows("quantity_breaks.csv"):
            item = self.items[r["part_number"]]
            assert item.id is not None
            pl = lists_by_code.get(r["price_list_code"])
            qb = QuantityBreak(
                item_id=item.id,
                price_list_id=pl.id if pl else None,
                min_quantity=dec(r["min_quantity"]),
                price=opt_dec(r["price"]),
                percent_off=opt_dec(r["percent_off"]),
            )
            breaks.append(qb)
            self.breaks[item.id].append(qb)
        s.add_all(breaks)

        for r in csv_rows("promotions.csv"):
            part = self.items[r["part_number"]] if r["part_number"] else None
            valid_from, valid_to = self._day(r["valid_from_days"]), self._day(r["valid_to_days"])
            assert valid_from is not None and valid_to is not None
            self.promotions.append(
                Promotion(
                    code=r["code"],
                    name=r["name"],
                    valid_from=valid_from,
                    valid_to=valid_to,
                    customer_group=r["customer_group"],
                    item_category=r["item_category"],
                    item_id=part.id if part else None,
                    percent_off=opt_dec(r["percent_off"]),
                    amount_off=opt_dec(r["amount_off"]),
                    active=flag(r["active"]),
                )
            )
        s.add_all(self.promotions)
        self.promo_by_code = {p.code: p for p in self.promotions}

        xrefs = []
        for r in csv_rows("cross_references.csv"):
            cust, item = customers[r["customer_code"]], self.items[r["part_number"]]
            assert cust.id is not None and item.id is not None
            xrefs.append(
                ItemCrossReference(
                    item_id=item.id,
                    kind=CrossRefKind.CUSTOMER_PART,
                    customer_id=cust.id,
                    reference=r["customer_part_number"],
                )
            )
            self.xref[(cust.id, item.id)] = r["customer_part_number"]
        s.add_all(xrefs)
        s.flush()

        for code, cust in customers.items():
            addrs = addresses[code]
            ship_tos = [a for a in addrs if a.kind == AddressKind.SHIP_TO]
            self.customers[code] = CustomerPlan(
                row=cust,
                bill_to=next(a for a in addrs if a.kind == AddressKind.BILL_TO),
                ship_tos=ship_tos,
                default_ship_to=next(a for a in ship_tos if a.is_default),
                contacts=contacts[code],
            )
