"""Seed a freshly initialised Tryton 8.2 database so that it matches orderdesk's demo data.

Runs with the Tryton venv's Python (it imports trytond and proteus, never orderdesk), in-process
against the SQLite file, before any server is started:

    .cache/tryton/venv/bin/python tests/tryton_seed.py --config trytond.conf --database orderdesk \
        --demo data/demo [--out seed.json]

What it creates, from `data/demo/*.csv`:
- the company (USD) with Tryton's "Minimal Account Chart", a fiscal year with invoice sequences
  and an accounting product category, so confirmed sales get their draft invoice as in a real
  deployment (Tryton's default invoice method "on order");
- the countries and subdivisions used by the demo addresses and warehouses;
- one warehouse per demo warehouse (the default "WH" becomes CHI; RNO and TOR are added);
- one party per demo customer (`party.code` = our customer code) with its addresses; each
  address carries our address code as a `party.identifier` (type empty) pointing at it;
- one product per demo item (`product.code` = our part number), list price and cost, with the
  unit of measure mapped (EA -> Unit, FT -> Foot, LB -> Pound, GAL -> Gallon, BX/PK added);
  obsolete items are inactive;
- stock per warehouse from stock.csv, through one confirmed inventory per warehouse.
"""

import argparse
import csv
import json
import time
import warnings
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

warnings.filterwarnings("ignore")

T0 = time.monotonic()

#: Our unit of measure -> Tryton's symbol (BX and PK do not exist in Tryton and are added).
UOM_SYMBOLS = {"EA": "u", "FT": "ft", "LB": "lb", "GAL": "gal", "BX": "BX", "PK": "PK"}
COUNTRY_NAMES = {
    "US": "United States",
    "CA": "Canada",
    "MX": "Mexico",
    "DE": "Germany",
    "ES": "Spain",
    "FR": "France",
    "IT": "Italy",
    "NL": "Netherlands",
}
TERM_DAYS = {"CIA": 0, "NET30": 30, "NET45": 45, "NET60": 60, "2%10NET30": 30}


def lap(label: str) -> None:
    print(f"  seed: {label:<40} {time.monotonic() - T0:6.1f}s", flush=True)


def read_csv(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def setup_company(database: str, config_file: str) -> None:
    """Company, chart of accounts and fiscal year, through Tryton's own proteus test tools."""
    from proteus import Model
    from proteus import config as pconfig

    pconfig.set_trytond(f"sqlite:///{database}", config_file=config_file)
    company_model = Model.get("company.company")
    if company_model.find([]):
        return
    from trytond.modules.account.tests.tools import create_chart, create_fiscalyear
    from trytond.modules.account_invoice.tests.tools import set_fiscalyear_invoice_sequences
    from trytond.modules.company.tests.tools import create_company

    party_model = Model.get("party.party")
    create_company(party=party_model(name="Orderdesk Demo Distribution"), currency="USD")
    (company,) = company_model.find([])
    create_chart(company)
    fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear(company))
    fiscalyear.click("create_period")
    lap("company, chart of accounts, fiscal year")


def seed_master_data(database: str, demo: Path) -> dict:
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool(database)
    with Transaction().start(database, 0):
        (company,) = pool.get("company.company").search([])
        company_id = company.id
    with Transaction().start(database, 1, context={"company": company_id}) as transaction:
        info = _seed(pool, demo, company_id)
        transaction.commit()
    return info


def _seed(pool, demo: Path, company_id: int) -> dict:
    Account = pool.get("account.account")
    Address = pool.get("party.address")
    Company = pool.get("company.company")
    Category = pool.get("product.category")
    Country = pool.get("country.country")
    Subdivision = pool.get("country.subdivision")
    Identifier = pool.get("party.identifier")
    Inventory = pool.get("stock.inventory")
    Location = pool.get("stock.location")
    Party = pool.get("party.party")
    PaymentTerm = pool.get("account.invoice.payment_term")
    Product = pool.get("product.product")
    Template = pool.get("product.template")
    Uom = pool.get("product.uom")
    UomCategory = pool.get("product.uom.category")

    customers = read_csv(demo, "customers.csv")
    addresses = read_csv(demo, "addresses.csv")
    contacts = read_csv(demo, "contacts.csv")
    items = read_csv(demo, "items.csv")
    stock = read_csv(demo, "stock.csv")
    warehouses = read_csv(demo, "warehouses.csv")

    # Countries and subdivisions used by the demo data (Tryton ships none).
    regions: dict[str, set[str]] = defaultdict(set)
    for row in [*addresses, *warehouses]:
        regions[row["country"]].add(row["region"])
    # An address's subdivision must be of a type Tryton expects for its country.
    SubdivisionType = pool.get("party.address.subdivision_type")
    kinds = {t.country_code: (list(t.types) or ["state"])[0] for t in SubdivisionType.search([])}
    countries = Country.create(
        [
            {
                "code": code,
                "name": COUNTRY_NAMES.get(code, code),
                "subdivisions": [
                    (
                        "create",
                        [
                            {
                                "code": f"{code}-{r}",
                                "name": f"{code}-{r}",
                                "type": kinds.get(code, "state"),
                            }
                            for r in sorted(regions[code])
                            if r
                        ],
                    )
                ],
            }
            for code in sorted(regions)
        ]
    )
    country_ids = {c.code: c.id for c in countries}
    subdivision_ids = {s.code: s.id for s in Subdivision.search([])}
    lap(f"{len(countries)} countries, {len(subdivision_ids)} subdivisions")

    # Units of measure.
    (unit_category,) = UomCategory.search([("name", "=", "Units")])
    for symbol, name in [("BX", "Box"), ("PK", "Pack")]:
        Uom.create(
            [
                {
                    "name": name,
                    "symbol": symbol,
                    "category": unit_category.id,
                    "rate": 1,
                    "factor": 1,
                    "rounding": 1,
                    "digits": 0,
                }
            ]
        )
    uom_ids = {}
    for ours, symbol in UOM_SYMBOLS.items():
        (uom,) = Uom.search([("symbol", "=", symbol)], limit=1)
        uom_ids[ours] = uom.id

    # Accounting category, payment terms.
    (revenue,) = Account.search([("type.revenue", "=", True), ("closed", "!=", True)], limit=1)
    (expense,) = Account.search([("type.expense", "=", True), ("closed", "!=", True)], limit=1)
    (category,) = Category.create(
        [
            {
                "name": "Goods",
                "accounting": True,
                "account_revenue": revenue.id,
                "account_expense": expense.id,
            }
        ]
    )
    terms = PaymentTerm.create(
        [
            {
                "name": name,
                "lines": [
                    (
                        "create",
                        [{"type": "remainder", "relativedeltas": [("create", [{"days": d}])]}],
                    )
                ],
            }
            for name, d in TERM_DAYS.items()
        ]
    )
    term_ids = {t.name: t.id for t in terms}

    # Warehouses: the default WH becomes CHI, the others are new.
    company_party = Company(company_id).party.id
    (default_wh,) = Location.search([("type", "=", "warehouse")])
    warehouse_ids = {}
    for row in warehouses:
        address = {
            "street": row["line1"],
            "city": row["city"],
            "postal_code": row["postal_code"],
            "country": country_ids[row["country"]],
            "subdivision": subdivision_ids.get(f"{row['country']}-{row['region']}"),
        }
        # Warehouse addresses belong to the company's party, so that every other party is a
        # customer (the connector leaves the company's parties out of pull_customers).
        (wh_address,) = Address.create([{**address, "party": company_party}])
        if not warehouse_ids:
            Location.write(
                [default_wh],
                {"name": row["name"], "code": row["code"], "address": wh_address.id},
            )
            warehouse_ids[row["code"]] = default_wh.id
            continue
        inp, out, sto = Location.create(
            [
                {"name": f"{row['code']} Input", "code": f"{row['code']}-IN", "type": "storage"},
                {"name": f"{row['code']} Output", "code": f"{row['code']}-OUT", "type": "storage"},
                {"name": f"{row['code']} Storage", "code": f"{row['code']}-STO", "type": "storage"},
            ]
        )
        (wh,) = Location.create(
            [
                {
                    "name": row["name"],
                    "code": row["code"],
                    "type": "warehouse",
                    "address": wh_address.id,
                    "input_location": inp.id,
                    "output_location": out.id,
                    "storage_location": sto.id,
                    "lost_found_location": default_wh.lost_found_location.id,
                }
            ]
        )
        warehouse_ids[row["code"]] = wh.id
    lap(f"{len(warehouse_ids)} warehouses")

    # Customers and their addresses (our address code as an identifier of the address).
    by_customer: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in addresses:
        by_customer[row["customer_code"]].append(row)
    primary_contact = {c["customer_code"]: c for c in contacts if c["is_primary"] == "true"}

    def address_values(row: dict[str, str]) -> dict:
        street = "\n".join(filter(None, [row["line1"], row["line2"]]))
        return {
            "party_name": row["name"],
            "street": street,
            "city": row["city"],
            "postal_code": row["postal_code"],
            "country": country_ids.get(row["country"]),
            "subdivision": subdivision_ids.get(f"{row['country']}-{row['region']}"),
            "invoice": row["kind"] == "bill_to",
            "delivery": row["kind"] == "ship_to",
        }

    party_values = []
    for cust in customers:
        mechanisms = [{"type": "phone", "value": cust["phone"]}] if cust["phone"] else []
        if cust["email"]:
            mechanisms.append({"type": "email", "value": cust["email"]})
        if cust["code"] in primary_contact:
            contact = primary_contact[cust["code"]]
            if contact["email"]:
                mechanisms.append(
                    {"type": "email", "value": contact["email"], "name": contact["name"]}
                )
        party_values.append(
            {
                "code": cust["code"],
                "name": cust["name"],
                "customer_payment_term": term_ids.get(cust["payment_terms"]),
                "addresses": [("create", [address_values(a) for a in by_customer[cust["code"]]])],
                "contact_mechanisms": [("create", mechanisms)],
            }
        )
    parties = Party.create(party_values)
    identifier_values = []
    for party, cust in zip(parties, customers, strict=True):
        rows = by_customer[cust["code"]]
        for address, row in zip(party.addresses, rows, strict=True):
            identifier_values.append(
                {"party": party.id, "address": address.id, "code": row["code"]}
            )
    Identifier.create(identifier_values)
    lap(f"{len(parties)} customers, {len(identifier_values)} addresses")

    # Items.
    template_values = []
    for item in items:
        template_values.append(
            {
                "name": item["description"],
                "type": "goods",
                "salable": True,
                "purchasable": True,
                "default_uom": uom_ids[item["uom"]],
                "sale_uom": uom_ids[item["uom"]],
                "purchase_uom": uom_ids[item["uom"]],
                "list_price": Decimal(item["list_price"]),
                "account_category": category.id,
                "active": item["status"] != "obsolete",
                "products": [
                    (
                        "create",
                        [
                            {
                                "suffix_code": item["part_number"],
                                "cost_price": Decimal(item["cost"]),
                                "active": item["status"] != "obsolete",
                            }
                        ],
                    )
                ],
            }
        )
    for start in range(0, len(template_values), 25):  # large batches overflow the SQL parser
        Template.create(template_values[start : start + 25])
    product_ids = {p.code: p.id for p in Product.search([("code", "!=", None)])}
    lap(f"{len(product_ids)} items")

    # Stock: one inventory per warehouse storage location.
    lines: dict[str, list[dict]] = defaultdict(list)
    for row in stock:
        if row["part_number"] in product_ids and Decimal(row["on_hand"]) > 0:
            lines[row["warehouse_code"]].append(
                {"product": product_ids[row["part_number"]], "quantity": float(row["on_hand"])}
            )
    inventories = []
    for code, wh_id in warehouse_ids.items():
        storage = Location(wh_id).storage_location
        inventories.append({"location": storage.id, "lines": [("create", lines[code])]})
    Inventory.confirm(Inventory.create(inventories))
    lap(f"stock: {sum(len(v) for v in lines.values())} lines in {len(inventories)} inventories")

    return {
        "company": company_id,
        "warehouses": warehouse_ids,
        "customers": len(parties),
        "items": len(product_ids),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--demo", required=True, type=Path)
    parser.add_argument("--out")
    args = parser.parse_args()
    setup_company(args.database, args.config)
    info = seed_master_data(args.database, args.demo)
    if args.out:
        Path(args.out).write_text(json.dumps(info, indent=2), encoding="utf-8")
    lap("done")


if __name__ == "__main__":
    main()
