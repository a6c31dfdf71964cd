"""Generated items, customers (with their addresses and contacts) and stock levels."""

from collections.abc import Iterator, Sequence
from typing import Any

from orderdesk_tui.seed.scale.state import CHUNK, GeneratorState
from orderdesk_tui.seed.scale.storage_forms import DAY, HOUR, make_upc
from orderdesk_tui.seed.scale.vocabulary import (
    CITIES,
    COMPANY_A,
    COMPANY_B,
    COMPANY_C,
    COORDINATORS,
    DOCK_HOURS,
    FIRST,
    FOREIGN,
    FREIGHT,
    GROUPS,
    LAST,
    ORIGINS,
    PART_SUFFIXES,
    PO_FORMATS,
    ROUTING,
    SHIP_VIA,
    STOCKED,
    STREETS,
    TERMS,
    TIERS,
    TITLES,
    VENDORS,
    WAREHOUSES,
)


class MasterRows(GeneratorState):
    """Rows of items, customers, addresses, contacts and stock levels."""

    # items ------------------------------------------------------------------------------------

    def item_rows(self) -> Iterator[tuple[list[tuple[Any, ...]]]]:
        rnd = self.rng.random
        clock = self.clock
        items = self.items
        cats, ncats = self.categories, len(self.categories)
        vendors, nvend = VENDORS, len(VENDORS)
        suffixes, nsuf = PART_SUFFIXES, len(PART_SUFFIXES)
        origins, norig = ORIGINS, len(ORIGINS)
        n = self.n
        space = 10**7 if n < 9 * 10**6 else 10 ** (len(str(n)) + 1)
        width = len(str(space - 1))
        on_hand = items.on_hand
        rows: list[tuple[Any, ...]] = []
        for i in range(n):
            item_id = i + 1
            prefix, cname, uom, kind, plo, pspan, klo, kspan, hs, nouns, specs, fins, haz = cats[
                int(rnd() * ncats)
            ]
            number = (i * 7_654_321 + 1_234_567) % space
            part = f"{prefix}-{number:0{width}d}{suffixes[int(rnd() * nsuf)]}"
            desc = (
                f"{nouns[int(rnd() * len(nouns))]} {specs[int(rnd() * len(specs))]}, "
                f"{fins[int(rnd() * len(fins))]}"
            )
            price = plo * pspan ** rnd()
            list_price = round(price * 100) * 100 if price >= 1 else round(price * 10_000)
            cost = list_price * (45 + int(rnd() * 30)) // 100
            r = rnd()
            if kind == 0 and r < 0.12:
                pack = (5, 10, 25, 50)[int(r * 33.3)]
                moq, multiple = pack * 1000, (pack * 1000 if r < 0.08 else 1000)
            else:
                moq, multiple = 1000, 1000 if kind == 0 else (500 if kind == 1 else 250)
            weight = round((klo + kspan * rnd() ** 2) * 1000)
            upc = make_upc(i) if rnd() < 0.7 else ""
            r = rnd()
            if r < 0.94:
                status, replacement = "active", None
            elif r < 0.98 and i > 0:
                status, replacement = "discontinued", 1 + int(rnd() * i)
            else:
                status, replacement = "obsolete", None
            un, hclass = haz if haz is not None and rnd() < 0.3 else ("", "")
            drop_ship = rnd() < 0.15
            created = -int(30 * DAY + rnd() * 3_600 * DAY)
            updated = created + int(rnd() * (-created))
            r = rnd()
            rows.append(
                (
                    item_id, part, desc, cname, uom, int(kind != 0), moq, multiple, list_price,
                    cost, weight, upc, hs, origins[int(rnd() * norig)],
                    "EAR99" if r < 0.97 else "3A991", un, hclass, 3 + int(rnd() * 58), status,
                    replacement, int(drop_ship), (0, 12, 12, 24, 36)[int(rnd() * 5)],
                    int(r > 0.8), vendors[int(rnd() * nvend)], clock.ts(created),
                    clock.ts(updated), 1,
                )
            )  # fmt: skip
            items.part_number[i] = part
            items.description[i] = desc
            items.uom[i] = uom
            items.qty_kind[i] = kind
            items.moq[i] = moq
            items.multiple[i] = multiple
            items.list_price[i] = list_price
            items.drop_ship[i] = drop_ship
            unit = 1000 if kind != 1 else 10_000
            for w, share in enumerate(STOCKED):
                if w == 0 or rnd() < share:
                    r = rnd()
                    on_hand[w][i] = 0 if r < 0.07 else int(2 + 600 * r**3) * unit
            if len(rows) >= CHUNK:
                yield (rows,)
                rows = []
        if rows:
            yield (rows,)

    # customers ------------------------------------------------------------------------------

    def customer_rows(
        self,
    ) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """(customers, addresses, contacts) chunks."""
        rnd = self.rng.random
        clock = self.clock
        cs = self.customers

        def pick(seq: Sequence[Any]) -> Any:
            return seq[int(rnd() * len(seq))]

        customers: list[tuple[Any, ...]] = []
        addresses: list[tuple[Any, ...]] = []
        contacts: list[tuple[Any, ...]] = []
        address_id = 0
        for c in range(cs.count):
            cust_id = c + 1
            a = pick(COMPANY_A)
            if rnd() < 0.2:
                a = f"{a} & {pick(COMPANY_A)}"
            b = pick(COMPANY_B)
            name = f"{a} {b} {pick(COMPANY_C)}".rstrip()
            domain = "".join(ch for ch in f"{a}{b.split()[0]}".lower() if ch.isalnum()) + ".com"
            foreign = FOREIGN[int(rnd() * len(FOREIGN))] if rnd() < 0.04 else None
            home = pick(CITIES)
            phone = self._phone()
            terms, days = pick(TERMS)
            tier = pick(TIERS)
            freight = pick(FREIGHT)
            free_threshold = (50_000, 100_000, 250_000)[int(rnd() * 3)] if rnd() < 0.3 else None
            ship_via = pick(SHIP_VIA)
            exempt = rnd() < 0.3
            group = pick(GROUPS)
            if foreign is not None:
                currency, incoterm, place = foreign[4], foreign[5], foreign[0]
                tax_bp, tax_id, tax_type = 0, f"{foreign[3]}{int(rnd() * 10**9):09d}", "VAT"
                if foreign[3] == "CA":
                    tax_type = "BN"
            else:
                currency, incoterm, place = "USD", "", ""
                tax_bp = 0 if exempt else home[4]
                tax_id, tax_type = f"{int(rnd() * 90 + 10)}-{int(rnd() * 10**7):07d}", "EIN"
            certificate = f"EX-{home[1]}-{int(rnd() * 10**6):06d}" if exempt else ""
            edi = rnd() < 0.1
            credit_hold = rnd() < 0.03
            created = -int(60 * DAY + rnd() * 3_000 * DAY)
            updated = created + int(rnd() * (-created))
            limit = (5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000)[int(rnd() * 7)]
            customers.append(
                (
                    cust_id, f"C{cust_id:06d}", name, phone, f"orders@{domain}", currency, terms,
                    days, limit * 100, "hold" if credit_hold else "ok", (5, 10, 10, 15)[c % 4],
                    tax_id, tax_type, certificate, None, group, freight, free_threshold,
                    incoterm, place, ship_via, "ZZ" if edi else "", f"ODP{cust_id:09d}" if edi
                    else "", tier, int(rnd() < 0.97), clock.ts(created), clock.ts(updated), 1,
                )
            )  # fmt: skip
            cs.tier.append(tier)
            cs.terms.append(
                (terms, days, freight, free_threshold or 0, incoterm, place, currency, ship_via,
                 tax_bp)
            )  # fmt: skip
            cs.edi.append(edi)
            cs.credit_hold.append(credit_hold)
            cs.coordinator.append(pick(COORDINATORS))
            cs.po_format.append(pick(PO_FORMATS))
            cs.po_next.append(1 + int(rnd() * 50_000))
            # addresses: bill-to, then 1-3 ship-tos (the first the default)
            n_ship = 1 + int(rnd() ** 1.5 * 3)
            cs.ship_tos.append(n_ship)
            for k in range(n_ship + 1):
                address_id += 1
                where = home if k <= 1 else pick(CITIES)
                if foreign is not None:
                    city, region, postal, country = foreign[0], foreign[1], foreign[2], foreign[3]
                    if country == "CA":
                        postal = (
                            f"{postal} {int(rnd() * 9) + 1}{chr(65 + int(rnd() * 26))}"
                            f"{int(rnd() * 10)}"
                        )
                    else:
                        postal = f"{postal}{int(rnd() * 100):02d}"
                    wh = 3 if country == "DE" else 1
                else:
                    city, region, country = where[0], where[1], "US"
                    postal, wh = f"{where[2]}{int(rnd() * 100):02d}", where[5]
                line1 = f"{int(rnd() * 9_900) + 100} {pick(STREETS)}"
                if k == 0:
                    code, kind, aname = "BILLTO", "bill_to", name
                    line2 = "Attn: Accounts Payable"
                    dock, routing = "", ""
                    cs.bill_to.append(address_id)
                else:
                    code, kind = f"ST{k:02d}", "ship_to"
                    aname = name if k == 1 else f"{name} - {city} plant"
                    line2 = pick(("", "", "", "Dock 4", "Building B", "Suite 200"))
                    dock, routing = pick(DOCK_HOURS), pick(ROUTING)
                    if k == 1:
                        cs.first_ship_to.append(address_id)
                    cs.address_warehouse[address_id] = wh
                addresses.append(
                    (
                        address_id, cust_id, code, kind, aname, line1, line2, city, region,
                        postal, country, phone if k <= 1 else self._phone(), dock, routing,
                        int(k <= 1), 1, 1,
                    )
                )  # fmt: skip
            first, last = pick(FIRST), pick(LAST)
            email_name = "".join(ch for ch in f"{first[0]}{last}".lower() if ch.isalpha())
            contacts.append(
                (cust_id, cust_id, f"{first} {last}", pick(TITLES), f"{email_name}@{domain}",
                 f"{phone} x{int(rnd() * 900) + 100}", 1, 1)
            )  # fmt: skip
            if len(customers) >= CHUNK:
                yield customers, addresses, contacts
                customers, addresses, contacts = [], [], []
        if customers:
            yield customers, addresses, contacts

    def _phone(self) -> str:
        rnd = self.rng.random
        return f"+1 {int(rnd() * 800) + 200}-555-{int(rnd() * 10_000):04d}"

    def stock_rows(self) -> Iterator[tuple[list[tuple[Any, ...]]]]:
        rnd = self.rng.random
        ts = self.clock.ts
        on_hand, allocated = self.items.on_hand, self.items.allocated
        rows: list[tuple[Any, ...]] = []
        stock_id = 0
        counted = [ts(-int(d * DAY + 7 * HOUR)) for d in range(1, 31)]
        for i in range(self.n):
            for w in range(len(WAREHOUSES)):
                qty = on_hand[w][i]
                if qty < 0:
                    continue
                stock_id += 1
                r = rnd()
                aisle = chr(65 + int(r * 20))
                bin_location = f"{aisle}{int(rnd() * 40) + 1:02d}-{int(r * 600) % 6 + 1}"
                rows.append(
                    (stock_id, i + 1, w + 1, qty, allocated[w][i], bin_location,
                     counted[int(rnd() * 30)], 1)
                )  # fmt: skip
            if len(rows) >= CHUNK:
                yield (rows,)
                rows = []
        if rows:
            yield (rows,)
