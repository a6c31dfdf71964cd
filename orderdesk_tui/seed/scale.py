"""Generated benchmark data: `orderdesk seed --scale N`.

N parts, N/10 customers (a bill-to, 1-3 ship-tos and a contact each), 3 warehouses with stock
levels, and N sales order lines on about N/5 orders spread over the two years before `today`.
Every order follows one lifecycle (entered, maybe held, acknowledged, released, shipped in one
or two waves, invoiced, paid) and its state is how far that lifecycle got by `today` 22:00 UTC,
so dates, quantities (allocated, shipped, backordered, cancelled), totals and stock allocations
agree with each other. The same N, seed and `today` give the same rows on every run.

Only an empty store is filled (ids are assigned from 1); the order number sequence is moved
past the seeded orders so that orders keyed afterwards continue after them.

Speed: rows are built as plain tuples already in the store's storage form (on SQLite money and
quantities as integer counts of the minor unit, timestamps as the naive-UTC text UTCDateTime
writes) and written with DB-API `executemany` (SQLite) or `COPY` (PostgreSQL), all in one
transaction. For the load the secondary indexes and the tables' triggers (FTS and queue feed;
on PostgreSQL also the foreign keys) are dropped or disabled, then recreated from the SQL the
database itself holds for them, so they come back exactly as the migrations made them; the FTS
tables are rebuilt in one pass. 1,000,000 on SQLite takes about 1.5 minutes on two cores.
"""

import importlib
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from math import gcd
from typing import Any

from sqlmodel import SQLModel

from orderdesk_tui.errors import StoreError
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.models.types import ScaledDecimal
from orderdesk_tui.services.numbering import DEFAULTS as NUMBER_DEFAULTS
from orderdesk_tui.store import Store

#: table -> columns indexed for free-text lookup (migrations 0002 and 0007): their FTS tables
#: on SQLite, rebuilt after the load.
SEARCHED: dict[str, tuple[str, ...]] = {
    **importlib.import_module("orderdesk_tui.migrations.versions.0002_search_indexes").SEARCHED,
    **importlib.import_module(
        "orderdesk_tui.migrations.versions.0007_customer_lookup_indexes"
    ).SEARCHED,
}

#: Orders span this many days before `today`.
HISTORY_DAYS = 730
#: Rows handed to the database per call.
CHUNK = 20_000
DAY = 86_400
HOUR = 3_600
#: The data set's "now": today 22:00 UTC, seconds from today 00:00 UTC.
AS_OF = 22 * HOUR

# -- vocabulary --------------------------------------------------------------------------------

#: prefix, category, weight, uom, quantity kind (0 count, 1 by 0.5, 2 by 0.25), list price range,
#: kg range, HS code, nouns | specs | finishes, hazmat (UN number, class) or None
_CATEGORY_SPECS: list[tuple[Any, ...]] = [
    ("BRG", "Bearings", 6, "EA", 0, 3.5, 480, 0.02, 6, "8482.10.5044",
     "Deep groove ball bearing|Tapered roller bearing|Needle roller bearing|Pillow block bearing"
     "|4-bolt flange bearing|Thrust ball bearing|Spherical roller bearing|Cam follower"
     "|Angular contact bearing",
     "6204-2RS|6205-ZZ|6301-2RS|6806-2RS|UCP205-16|UCF207-20|30205|NK20/16|22210 E|51106"
     "|CF-1/2-S|7205 BEP|6003-2RS|6908-ZZ|UCFL204-12",
     "chrome steel|stainless steel|C3 clearance|sealed, food grade|high temperature"
     "|ceramic hybrid", None),
    ("FST", "Fasteners", 12, "BX", 0, 0.8, 65, 0.05, 4, "7318.15.2065",
     "Hex cap screw|Socket head cap screw|Flat washer|Nylon insert lock nut|Carriage bolt"
     "|Self-tapping screw|Threaded rod|Split lock washer|Blind rivet|Shoulder bolt|Wing nut"
     "|Eye bolt",
     "1/4-20 x 1|5/16-18 x 1-1/2|3/8-16 x 2|1/2-13 x 3|M6 x 1.0 x 20|M8 x 1.25 x 30"
     "|M10 x 1.5 x 40|#10-24 x 3/4|M12 x 1.75 x 50|5/8-11 x 4|#8 x 1/2|3/16 x 1/2 grip",
     "grade 5 zinc|grade 8 yellow zinc|18-8 stainless|316 stainless|plain steel"
     "|hot-dip galvanized|black oxide|class 10.9", None),
    ("VLV", "Valves", 5, "EA", 0, 12, 2400, 0.2, 25, "8481.80.1099",
     "Ball valve|Gate valve|Check valve|Butterfly valve|Globe valve|Solenoid valve|Needle valve"
     "|Pressure relief valve|Foot valve",
     "1/4 NPT|1/2 NPT|3/4 NPT|1 NPT|1-1/2 NPT|2 NPT|3 in flanged|4 in wafer|1/2 in sweat"
     "|3/8 tube",
     "brass, 600 WOG|316 stainless, 1000 WOG|carbon steel, 150#|PVC, socket|bronze, 200 WOG"
     "|ductile iron, EPDM seat", None),
    ("ELC", "Electrical", 8, "EA", 0, 1.5, 900, 0.02, 8, "8536.50.9065",
     "Contactor|Circuit breaker|Terminal block|Limit switch|Pushbutton|Proximity sensor|Relay"
     "|Fuse|Motor starter|Pilot light|Disconnect switch|Cable gland",
     "9A 24VDC coil|25A 120VAC coil|2-pole 20A|3-pole 30A|22mm, NO|M12 PNP 4mm|DPDT 10A"
     "|600V 30A class J|IP67 M20|NEMA 4X|DIN rail|1NO+1NC",
     "UL listed|CE marked|IEC|UL/CSA|heavy duty|compact", None),
    ("WIR", "Wire and cable", 4, "FT", 1, 0.12, 18, 0.01, 0.8, "8544.49.9000",
     "Tray cable|THHN building wire|Portable cord|Control cable|VFD cable|Thermocouple wire"
     "|Welding cable|Shielded instrument cable",
     "14 AWG 3C|12 AWG 2C|10 AWG 4C|16 AWG 7C|6 AWG|2/0 AWG|18 AWG 2PR|8 AWG 3C+G|12/3 SOOW"
     "|1/0 AWG",
     "600V, black|600V, red|300V, gray|1000V, orange|90C, blue|shielded, tinned copper", None),
    ("HSE", "Hose", 3, "FT", 1, 0.6, 45, 0.05, 1.5, "4009.31.0000",
     "Hydraulic hose|Air hose|Suction hose|Chemical hose|Steam hose|Food grade hose"
     "|Water discharge hose",
     "1/4 in ID|3/8 in ID|1/2 in ID|3/4 in ID|1 in ID|1-1/4 in ID|1-1/2 in ID|2 in ID|3 in ID",
     "2-wire braid, 5000 psi|1-wire braid, 2250 psi|EPDM, 250 psi|PVC, 150 psi|UHMWPE lined"
     "|nitrile, oil resistant", None),
    ("FIT", "Fittings", 6, "EA", 0, 0.9, 140, 0.01, 2, "7307.29.0090",
     "Elbow 90|Tee|Coupling|Reducing bushing|Hex nipple|Union|Cap|Push-to-connect fitting"
     "|JIC adapter|Camlock coupler|Street elbow 45",
     "1/8 NPT|1/4 NPT|3/8 NPT|1/2 NPT|3/4 NPT|1 NPT|-06 JIC|-08 JIC|6mm tube|8mm tube"
     "|2 in type C",
     "brass|316 stainless|carbon steel|galvanized|nickel-plated brass|aluminum|polypropylene",
     None),
    ("HYD", "Hydraulics", 3, "EA", 0, 25, 4500, 0.5, 60, "8412.21.0045",
     "Hydraulic cylinder|Gear pump|Directional control valve|Flow control valve|Pressure gauge"
     "|Accumulator|Return filter|Quick coupler|Power unit|Hydraulic motor",
     "2 in bore x 8 in stroke|3 in bore x 12 in stroke|10 cc/rev|16 gpm|D03 4-way|SAE #8"
     "|0-3000 psi|1 gal bladder|10 micron|3/8 in ISO-A",
     "3000 psi|tie rod|welded|cast iron|aluminum body|zinc-nickel plated", None),
    ("PNU", "Pneumatics", 4, "EA", 0, 6, 900, 0.05, 6, "8412.31.0040",
     "Air cylinder|Filter regulator|Solenoid valve|Lubricator|Air fitting|Vacuum generator"
     "|Pressure switch|Quick exhaust valve|Muffler",
     "32mm bore x 100mm|50mm bore x 200mm|1/4 NPT|3/8 NPT|5/2 24VDC|3/2 NC 120VAC|ISO 15552"
     "|0-150 psi|G1/8",
     "double acting|single acting|magnetic piston|aluminum|with gauge|sintered bronze", None),
    ("MTR", "Motors and drives", 3, "EA", 0, 90, 9000, 3, 350, "8501.52.8040",
     "AC induction motor|Gearmotor|Variable frequency drive|Servo motor|DC motor|Brake motor"
     "|Soft starter",
     "1/2 HP|1 HP|2 HP|5 HP|7.5 HP|10 HP|25 HP|0.75 kW|2.2 kW|11 kW",
     "1800 RPM TEFC 56C|3600 RPM ODP|230/460V 3-phase|115/230V 1-phase|NEMA 4X|IP55"
     "|premium efficiency|washdown duty", None),
    ("PMP", "Pumps", 2, "EA", 0, 60, 7000, 2, 120, "8413.70.2004",
     "Centrifugal pump|Diaphragm pump|Sump pump|Gear pump|Condensate pump|Drum pump"
     "|Peristaltic pump|Metering pump",
     "1/2 HP|1 HP|3 HP|1 in NPT|1-1/2 in NPT|2 in NPT|5 gpm|20 gpm|100 gpm|air operated",
     "cast iron|316 stainless|polypropylene|bronze fitted|Viton seals|PTFE diaphragm", None),
    ("FLT", "Filters", 4, "EA", 0, 2, 350, 0.1, 8, "8421.39.8015",
     "Pleated air filter|Hydraulic filter element|Bag filter|Cartridge filter"
     "|Compressed air filter|Oil filter|Fuel filter|HEPA filter",
     "20x20x2|16x25x1|24x24x4|10 micron|25 micron|5 micron|#2 bag|10 in x 2.5 in|MERV 8"
     "|MERV 13",
     "polyester|glass fiber|cellulose|stainless mesh|activated carbon|high capacity", None),
    ("PTX", "Power transmission", 3, "EA", 0, 4, 600, 0.1, 20, "4010.31.0000",
     "V-belt|Timing belt|Sheave|Timing pulley|Taper lock bushing|Roller chain sprocket"
     "|Flexible coupling|Coupling insert",
     "A42|B55|3VX500|5VX850|AX38|HTD 8M-800-20|BK36|2BK50H|1610 x 1-1/8|40B18|L-095"
     "|SDS x 1 in",
     "cogged|wrapped|Kevlar cord|cast iron|steel|urethane|neoprene", None),
    ("CHN", "Chain", 2, "FT", 1, 0.8, 40, 0.1, 4, "7315.11.0045",
     "Roller chain|Proof coil chain|Grade 80 alloy chain|Conveyor chain|Double pitch chain"
     "|Leaf chain|Sash chain",
     "#40|#50|#60|#80|#100|1/4 in|5/16 in|3/8 in|1/2 in|C2050",
     "riveted|nickel plated|self-lubricating|zinc plated|stainless|heavy series|cottered", None),
    ("SEL", "Seals", 4, "EA", 0, 0.3, 120, 0.005, 1, "4016.93.5050",
     "O-ring|Oil seal|V-ring|Mechanical seal|Gasket|Quad ring|Backup ring|Wiper seal|Rod seal",
     "-010|-118|-214|-332|25x40x7|35x52x8|1-1/2 x 2-1/8 x 1/4|1 in shaft|2 in 150# flange"
     "|40x50x6",
     "nitrile 70A|Viton 75A|EPDM|silicone|PTFE|spring loaded|polyurethane", None),
    ("SAF", "Safety", 4, "EA", 0, 1.5, 450, 0.05, 5, "6506.10.6045",
     "Hard hat|Safety glasses|Cut resistant gloves|Ear muffs|Respirator|Safety harness"
     "|Hi-vis vest|Face shield|Spill kit|Eyewash station|Lockout padlock",
     "type I class E|ANSI Z87.1|ANSI A4|NRR 27|N95|half mask|class 2|size L|size XL|20 gal"
     "|keyed different",
     "white|yellow|clear anti-fog|gray|orange|ratchet suspension|universal fit", None),
    ("ABR", "Abrasives", 3, "EA", 0, 0.6, 95, 0.02, 3, "6805.20.0000",
     "Cut-off wheel|Flap disc|Grinding wheel|Sanding belt|Sanding disc|Wire brush"
     "|Surface conditioning disc|Quick-change disc",
     "4-1/2 x 0.045 x 7/8|4-1/2 x 7/8 60 grit|7 x 1/4 x 5/8-11|2 x 72|6 in hook and loop"
     "|4 in knot|2 in type R|36 grit|80 grit|120 grit",
     "aluminum oxide|zirconia|ceramic|silicon carbide|stainless|carbon steel", None),
    ("ADH", "Adhesives and sealants", 2, "EA", 0, 4, 260, 0.05, 5, "3506.91.5000",
     "Threadlocker|Epoxy adhesive|Silicone sealant|Instant adhesive|Pipe thread sealant"
     "|Construction adhesive|Retaining compound|Gasket maker",
     "10 ml|50 ml|250 ml|1 oz|10.1 oz cartridge|2 oz tube|50 g|1 lb can|400 ml dual cartridge",
     "medium strength blue|high strength red|clear|gray|black|food grade|high temperature",
     ("UN1133", "3")),
    ("LUB", "Lubricants", 3, "GAL", 2, 6, 90, 3.2, 4, "2710.19.3500",
     "Hydraulic oil|Gear oil|Way oil|Compressor oil|Cutting fluid|Food grade lubricant"
     "|Penetrating oil|Multi-purpose grease",
     "ISO 32|ISO 46|ISO 68|ISO 220|SAE 80W-90|NLGI 2|NLGI 1|ISO 100",
     "synthetic|mineral|H1 food grade|biodegradable|anti-wear|lithium complex",
     ("UN1268", "3")),
    ("TOL", "Tools", 5, "EA", 0, 3, 1200, 0.05, 12, "8205.59.8000",
     "Combination wrench set|Socket set|Torque wrench|Hex key set|Screwdriver set"
     "|Cordless drill|Impact driver|Pipe wrench|Tape measure|Digital caliper|Bolt cutter"
     "|Utility knife",
     "SAE 11 pc|metric 14 pc|3/8 drive|1/2 drive|20V|18V brushless|14 in|25 ft|6 in|24 in"
     "|1/4 hex",
     "chrome vanadium|with case|impact rated|insulated 1000V|cordless, 2 batteries"
     "|professional|cushion grip", None),
]  # fmt: skip


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


_VENDORS = _words(
    "Apex Bearing Co|Northfield Fastener|Keystone Valve|Brightline Electric|Summit Wire & Cable"
    "|Ridgeway Hose|Pacific Fittings|Hydra-Tek|Airflow Pneumatics|Ironside Motors"
    "|Delta Pump Works|ClearPath Filtration|Driveline PT|Titan Chain|SealPro|Guardian Safety"
    "|Grindmaster Abrasives|Bondline Adhesives|Lubrimax|Forge Tools|Midland Industrial"
    "|Orion Components|Cascade Manufacturing|Redstone Supply"
)
_ORIGINS = ("US",) * 9 + ("CN",) * 4 + ("DE", "DE", "MX", "MX", "JP", "TW", "IT")
_PART_SUFFIXES = ("",) * 12 + ("-SS", "-ZP", "-HD", "-A", "-B", "-XL", "-10", "-25")

#: city, region, postal code prefix, country, sales tax (basis points), warehouse (1-3)
_CITIES: list[tuple[str, str, str, str, int, int]] = [
    ("Chicago", "IL", "606", "US", 1025, 1), ("Houston", "TX", "770", "US", 825, 1),
    ("Dallas", "TX", "752", "US", 825, 1), ("Atlanta", "GA", "303", "US", 890, 3),
    ("Charlotte", "NC", "282", "US", 725, 3), ("Cleveland", "OH", "441", "US", 800, 1),
    ("Columbus", "OH", "432", "US", 750, 1), ("Cincinnati", "OH", "452", "US", 780, 1),
    ("Detroit", "MI", "482", "US", 600, 1), ("Grand Rapids", "MI", "495", "US", 600, 1),
    ("Indianapolis", "IN", "462", "US", 700, 1), ("Milwaukee", "WI", "532", "US", 550, 1),
    ("Minneapolis", "MN", "554", "US", 790, 1), ("St. Louis", "MO", "631", "US", 920, 1),
    ("Kansas City", "MO", "641", "US", 860, 1), ("Louisville", "KY", "402", "US", 600, 1),
    ("Nashville", "TN", "372", "US", 925, 3), ("Memphis", "TN", "381", "US", 975, 1),
    ("Birmingham", "AL", "352", "US", 1000, 3), ("Pittsburgh", "PA", "152", "US", 700, 3),
    ("Philadelphia", "PA", "191", "US", 800, 3), ("Allentown", "PA", "181", "US", 600, 3),
    ("Newark", "NJ", "071", "US", 663, 3), ("Albany", "NY", "122", "US", 800, 3),
    ("Buffalo", "NY", "142", "US", 875, 3), ("Hartford", "CT", "061", "US", 635, 3),
    ("Worcester", "MA", "016", "US", 625, 3), ("Baltimore", "MD", "212", "US", 600, 3),
    ("Richmond", "VA", "232", "US", 600, 3), ("Greenville", "SC", "296", "US", 600, 3),
    ("Jacksonville", "FL", "322", "US", 750, 3), ("Tampa", "FL", "336", "US", 750, 3),
    ("Denver", "CO", "802", "US", 881, 2), ("Salt Lake City", "UT", "841", "US", 775, 2),
    ("Phoenix", "AZ", "850", "US", 860, 2), ("Tucson", "AZ", "857", "US", 870, 2),
    ("Las Vegas", "NV", "891", "US", 838, 2), ("Reno", "NV", "895", "US", 826, 2),
    ("Los Angeles", "CA", "900", "US", 950, 2), ("Ontario", "CA", "917", "US", 775, 2),
    ("Fresno", "CA", "937", "US", 798, 2), ("Sacramento", "CA", "958", "US", 875, 2),
    ("San Jose", "CA", "951", "US", 938, 2), ("Portland", "OR", "972", "US", 0, 2),
    ("Seattle", "WA", "981", "US", 1035, 2), ("Spokane", "WA", "992", "US", 900, 2),
    ("Boise", "ID", "837", "US", 600, 2), ("Albuquerque", "NM", "871", "US", 788, 2),
    ("Oklahoma City", "OK", "731", "US", 863, 1), ("Omaha", "NE", "681", "US", 700, 1),
    ("Des Moines", "IA", "503", "US", 700, 1), ("Tulsa", "OK", "741", "US", 852, 1),
    ("Little Rock", "AR", "722", "US", 925, 1), ("New Orleans", "LA", "701", "US", 945, 1),
]  # fmt: skip
#: export customers: city, region, postal prefix, country, currency, incoterm
_FOREIGN: list[tuple[str, str, str, str, str, str]] = [
    ("Toronto", "ON", "M5V", "CA", "CAD", "DAP"),
    ("Mississauga", "ON", "L5T", "CA", "CAD", "DAP"),
    ("Montreal", "QC", "H4T", "CA", "CAD", "FCA"),
    ("Monterrey", "NL", "644", "MX", "USD", "FCA"),
    ("Stuttgart", "BW", "701", "DE", "EUR", "EXW"),
]
_STREETS = _words(
    "Industrial Pkwy|Commerce Dr|Enterprise Blvd|Main St|Oak St|Harbor Rd|Factory Ln"
    "|Technology Way|Distribution Ct|Airport Rd|Railroad Ave|Mill St|River Rd|Lincoln Hwy"
    "|Park Ave|Market St|Center St|Industrial Loop|Logistics Dr|Warehouse Rd|Foundry St"
    "|Progress Dr|Corporate Blvd|Freight Ln"
)
_COMPANY_A = _words(
    "Hartley|Brennan|Caldwell|Dawson|Ellison|Fairbanks|Garrison|Holloway|Iverson|Jennings"
    "|Kessler|Lindqvist|Mercer|Norwood|Oakridge|Pemberton|Quincy|Redfield|Sterling|Thornton"
    "|Underwood|Vance|Whitmore|Yardley|Ashford|Blackstone|Cedar Valley|Delmar|Eastgate"
    "|Frontier|Great Lakes|Heartland|Ironwood|Juniper|Keystone|Lakeshore|Midwest|Northstar"
    "|Old Dominion|Prairie|Riverbend|Summit|Tri-County|Upland|Valley|Westfield|Allied"
    "|Consolidated|Continental|Precision|Superior|United|Pioneer|Liberty|Patriot|Atlas|Beacon"
    "|Crescent|Granite|Harbor"
)
_COMPANY_B = _words(
    "Industrial Supply|Manufacturing|Machine Works|Fabrication|Packaging|Foods|Plastics"
    "|Metal Products|Automation|Tool & Die|Mechanical|Equipment|Controls|Engineering"
    "|Process Systems|Maintenance Services|Electric|Hydraulics|Paper Products|Textiles"
    "|Brewing|Mining|Energy|Logistics|Construction|Components|Castings|Coatings"
    "|Water Systems|Farms"
)
_COMPANY_C = ("Inc", "LLC", "Co", "Corp", "Ltd", "Group", "Company", "Industries", "", "")
_FIRST = _words(
    "James|Mary|Robert|Patricia|John|Jennifer|Michael|Linda|David|Elizabeth|William|Barbara"
    "|Richard|Susan|Joseph|Jessica|Thomas|Sarah|Carlos|Karen|Daniel|Lisa|Matthew|Nancy"
    "|Anthony|Sandra|Mark|Ashley|Kevin|Emily|Brian|Michelle|Luis|Amanda|Wei|Priya|Ahmed"
    "|Olga|Hiroshi|Fatima"
)
_LAST = _words(
    "Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Rodriguez|Martinez|Hernandez"
    "|Lopez|Gonzalez|Wilson|Anderson|Thomas|Taylor|Moore|Jackson|Martin|Lee|Perez|Thompson"
    "|White|Harris|Sanchez|Clark|Ramirez|Lewis|Robinson|Walker|Young|Allen|King|Wright|Scott"
    "|Torres|Nguyen|Hill|Flores|Green|Adams|Nelson|Baker|Hall|Rivera|Campbell|Mitchell"
    "|Carter|Roberts|Kowalski|Chen|Patel|Schmidt|O'Brien|Novak"
)
_TITLES = _words(
    "Purchasing Manager|Buyer|Senior Buyer|MRO Buyer|Maintenance Supervisor"
    "|Procurement Specialist|Plant Manager|Accounts Payable"
)
_GROUPS = ("OEM", "MRO", "MRO", "Distributor", "Contractor", "Government", "Food & Beverage")
#: terms, days (repeated by weight)
_TERMS = (
    [("NET30", 30)] * 11 + [("NET45", 45)] * 2 + [("NET60", 60)] * 2 + [("2% 10 NET 30", 30)] * 2
    + [("NET15", 15), ("COD", 0), ("PREPAID", 0)]
)  # fmt: skip
_FREIGHT = ("prepaid_add",) * 6 + ("prepaid", "prepaid", "collect", "third_party")
_SHIP_VIA = _words(
    "UPS Ground|UPS Ground|FedEx Ground|FedEx Ground|UPS Next Day Air|FedEx 2Day|LTL - Estes"
    "|LTL - Old Dominion|LTL - R+L Carriers|Will Call|Best Way|Customer Carrier"
)
_TIERS = ("platinum",) + ("gold",) * 3 + ("silver",) * 7 + ("standard",) * 19
#: discount in hundredths of a percent per service tier
_TIER_DISCOUNT = {"platinum": 2000, "gold": 1500, "silver": 1000, "standard": 0}
_COORDINATORS = (
    "jmartin", "akhan", "bsmith", "lchen", "rdiaz", "twilson", "mnguyen", "kpatel", "sobrien",
    "dgarcia",
)  # fmt: skip
_SUPERVISORS = ("ebrooks", "hfischer")
_PO_FORMATS = ("PO{:06d}", "45{:08d}", "PO-{:06d}", "MRO{:05d}", "P{:07d}", "{:07d}")
_DOCK_HOURS = (
    "Mon-Fri 7:00-15:30", "Mon-Fri 6:00-14:00", "24/7", "Mon-Thu 8:00-16:00", "", "",
)  # fmt: skip
_ROUTING = (
    "", "", "", "", "Appointment required: call 24h ahead", "No deliveries Friday afternoon",
    "Use north gate", "Liftgate required",
)  # fmt: skip
_ORDER_NOTES = ("",) * 17 + (
    "Call before delivery",
    "Deliver to dock 3",
    "Liftgate required",
    "Mark cartons with PO number",
    "Rush: line down",
)
_CANCEL_REASONS = (
    "Customer cancelled PO", "Duplicate order", "Price not accepted", "Lead time too long",
    "Ordered in error", "Replaced by new PO",
)  # fmt: skip
#: kind, reason, release reason, raised by the system?
_HOLDS = (
    [("credit", "Over credit limit", "Approved by credit manager", True)] * 4
    + [("credit", "Past due balance over grace period", "Payment received", True)] * 2
    + [("price", "Price below margin floor", "Price confirmed with customer", True)] * 2
    + [("stock", "Insufficient stock for ship-complete order", "Stock arrived", True)] * 2
    + [("compliance", "Export screening: denied party check", "Cleared by compliance", True)]
    + [("address", "Ship-to address failed validation", "Address corrected", False)]
    + [("edi", "Unknown customer part number in EDI 850", "Mapped customer part", True)]
    + [("erp", "ERP rejected order: customer not found", "Resent to ERP", True)]
)  # fmt: skip
#: lines per order, by weight (mean 4.85)
_LINES_PER_ORDER = [
    k for k, w in enumerate((0, 10, 10, 12, 14, 14, 12, 11, 9, 8)) for _ in range(w)
]

_WAREHOUSES = [
    (1, "MAIN", "Main DC - Columbus", "4100 Distribution Ct", "Columbus", "OH", "43217", "US", 1),
    (2, "WEST", "West DC - Reno", "1250 Freight Ln", "Reno", "NV", "89502", "US", 0),
    (3, "EAST", "East DC - Allentown", "780 Logistics Dr", "Allentown", "PA", "18106", "US", 1),
]
#: share of items stocked in each warehouse (MAIN stocks everything)
_STOCKED = (1.0, 0.55, 0.4)

_OPEN_STATES = frozenset(
    {OrderState.ENTERED, OrderState.ON_HOLD, OrderState.ACKNOWLEDGED, OrderState.RELEASED}
)

# -- table layouts (the order the tuples below are built in) -----------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "warehouses": (
        "id", "code", "name", "line1", "city", "region", "postal_code", "country",
        "hazmat_capable", "active", "version",
    ),
    "items": (
        "id", "part_number", "description", "category", "uom", "fractional_uom", "moq",
        "order_multiple", "list_price", "cost", "weight_kg", "upc", "hs_code",
        "country_of_origin", "eccn", "hazmat_un_number", "hazmat_class", "lead_time_days",
        "status", "replacement_item_id", "drop_ship_allowed", "warranty_months",
        "vendor_warranted", "vendor_name", "created_at", "updated_at", "version",
    ),
    "customers": (
        "id", "code", "name", "phone", "email", "currency", "payment_terms",
        "payment_terms_days", "credit_limit", "credit_status", "overdue_grace_days", "tax_id",
        "tax_id_type", "tax_exempt_certificate", "price_list_id", "customer_group",
        "freight_terms", "free_freight_threshold", "incoterm", "incoterm_place",
        "default_ship_via", "edi_qualifier", "edi_partner_id", "service_tier", "active",
        "created_at", "updated_at", "version",
    ),
    "addresses": (
        "id", "customer_id", "code", "kind", "name", "line1", "line2", "city", "region",
        "postal_code", "country", "phone", "dock_hours", "routing_notes", "is_default",
        "active", "version",
    ),
    "contacts": ("id", "customer_id", "name", "title", "email", "phone", "is_primary", "version"),
    "sales_orders": (
        "id", "number", "customer_id", "customer_po", "bill_to_id", "ship_to_id", "state",
        "source", "priority", "ship_via", "ship_complete", "freight_terms", "incoterm",
        "incoterm_place", "currency", "payment_terms", "notes", "received_at", "entered_at",
        "requested_date", "first_promised_date", "last_promised_date", "acknowledged_at",
        "released_at", "shipped_at", "invoiced_at", "closed_at", "cancelled_at",
        "cancel_reason", "entered_by", "assigned_to", "subtotal", "freight", "tax", "total",
        "erp_id", "erp_number", "created_at", "updated_at", "version",
    ),
    "sales_order_lines": (
        "id", "order_id", "line_no", "item_id", "part_number", "customer_part_number",
        "description", "quantity", "uom", "list_price", "unit_price", "price_source",
        "discount_percent", "override_reason", "extended", "warehouse_id",
        "quantity_allocated", "quantity_shipped", "quantity_backordered", "quantity_cancelled",
        "requested_date", "first_promised_date", "last_promised_date", "shipped_date",
        "drop_ship", "version",
    ),
    "holds": (
        "id", "order_id", "kind", "reason", "raised_by", "raised_at", "released_by",
        "released_at", "release_reason", "version",
    ),
    "stock_levels": (
        "id", "item_id", "warehouse_id", "on_hand", "allocated", "bin_location", "updated_at",
        "version",
    ),
}  # fmt: skip
#: Tables that must be empty before seeding (ids are assigned from 1).
FILLED = tuple(COLUMNS)


@dataclass
class ScaleSummary:
    """What `seed_scale` wrote and how long each phase took."""

    n: int
    items: int = 0
    customers: int = 0
    addresses: int = 0
    contacts: int = 0
    warehouses: int = 0
    stock_levels: int = 0
    orders: int = 0
    order_lines: int = 0
    holds: int = 0
    #: phase -> seconds (generation and writing together)
    seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return (
            self.items + self.customers + self.addresses + self.contacts + self.warehouses
            + self.stock_levels + self.orders + self.order_lines + self.holds
        )  # fmt: skip

    def __str__(self) -> str:
        return (
            f"{self.items:,} items, {self.customers:,} customers ({self.addresses:,} addresses, "
            f"{self.contacts:,} contacts), {self.warehouses} warehouses, "
            f"{self.stock_levels:,} stock levels, {self.orders:,} orders with "
            f"{self.order_lines:,} lines, {self.holds:,} holds"
        )


# -- storage forms -------------------------------------------------------------------------------


class _Clock:
    """Dates and timestamps in the form SQLModel's UTCDateTime / Date store them on SQLite.

    Times are whole seconds from `today` 00:00 UTC; text is 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC,
    no offset) and 'YYYY-MM-DD'. PostgreSQL reads the same text in a session set to UTC.
    """

    def __init__(self, today: date) -> None:
        self.base = today.toordinal()
        self._days: dict[int, str] = {}

    def day(self, offset: int) -> str:
        text = self._days.get(offset)
        if text is None:
            text = self._days[offset] = date.fromordinal(self.base + offset).isoformat()
        return text

    def ts(self, seconds: int) -> str:
        d, rest = divmod(seconds, DAY)
        h, rest = divmod(rest, HOUR)
        m, s = divmod(rest, 60)
        return f"{self.day(d)} {h:02d}:{m:02d}:{s:02d}.000000"

    def weekday(self, offset: int) -> int:
        return date.fromordinal(self.base + offset).weekday()


def _upc(i: int) -> str:
    """A UPC-A with a valid check digit, distinct for every i < 10**11."""
    body = f"{(i * 7_368_787_279 + 30_000_000_000) % 10**11:011d}"
    odd = sum(int(c) for c in body[0::2])
    even = sum(int(c) for c in body[1::2])
    return body + str((10 - (odd * 3 + even) % 10) % 10)


def _permutation(n: int, salt: int) -> tuple[int, int]:
    """(a, b) such that x -> (a*x + b) % n is a bijection of range(n)."""
    a = 1_000_003 + 2 * salt
    while gcd(a, n) != 1:
        a += 2
    return a, (salt * 7_919) % n


# -- the generator -----------------------------------------------------------------------------

NUMBER_PREFIX, NUMBER_WIDTH = NUMBER_DEFAULTS["order"]


class _Items:
    """What order lines and stock levels need to know of each generated item (by index)."""

    def __init__(self, n: int) -> None:
        self.part_number: list[str] = [""] * n
        self.description: list[str] = [""] * n
        self.uom: list[str] = [""] * n
        self.qty_kind: list[int] = [0] * n
        self.moq: list[int] = [0] * n
        self.multiple: list[int] = [0] * n
        self.list_price: list[int] = [0] * n
        self.drop_ship: list[bool] = [False] * n
        #: per warehouse: on hand (scaled) or -1 where the item is not stocked
        self.on_hand: list[list[int]] = [[-1] * n for _ in _WAREHOUSES]
        self.allocated: list[list[int]] = [[0] * n for _ in _WAREHOUSES]


@dataclass
class _Customers:
    count: int
    tier: list[str] = field(default_factory=list)
    bill_to: list[int] = field(default_factory=list)
    first_ship_to: list[int] = field(default_factory=list)
    ship_tos: list[int] = field(default_factory=list)
    #: (terms, days, freight terms, free freight threshold in cents or 0, incoterm, place,
    #:  currency, ship via, tax basis points)
    terms: list[tuple[Any, ...]] = field(default_factory=list)
    edi: list[bool] = field(default_factory=list)
    credit_hold: list[bool] = field(default_factory=list)
    coordinator: list[str] = field(default_factory=list)
    po_format: list[str] = field(default_factory=list)
    po_next: list[int] = field(default_factory=list)
    #: warehouse serving each address, by address id
    address_warehouse: dict[int, int] = field(default_factory=dict)


class _Generator:
    def __init__(self, n: int, rng_seed: int, today: date) -> None:
        self.n = n
        self.rng = random.Random(rng_seed)
        self.clock = _Clock(today)
        self.items = _Items(n)
        self.customers = _Customers(max(1, n // 10))
        self.orders = 0
        self.holds = 0
        cats = []
        for spec in _CATEGORY_SPECS:
            prefix, name, weight, uom, kind, plo, phi, klo, khi, hs, nouns, specs, fin, haz = spec
            cat = (
                prefix, name, uom, kind, plo, phi / plo, klo, khi - klo, hs,
                nouns.split("|"), specs.split("|"), fin.split("|"), haz,
            )  # fmt: skip
            cats.extend([cat] * weight)
        self.categories = cats

    # items ------------------------------------------------------------------------------------

    def item_rows(self) -> Iterator[tuple[list[tuple[Any, ...]]]]:
        rnd = self.rng.random
        clock = self.clock
        items = self.items
        cats, ncats = self.categories, len(self.categories)
        vendors, nvend = _VENDORS, len(_VENDORS)
        suffixes, nsuf = _PART_SUFFIXES, len(_PART_SUFFIXES)
        origins, norig = _ORIGINS, len(_ORIGINS)
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
            upc = _upc(i) if rnd() < 0.7 else ""
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
            for w, share in enumerate(_STOCKED):
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
            a = pick(_COMPANY_A)
            if rnd() < 0.2:
                a = f"{a} & {pick(_COMPANY_A)}"
            b = pick(_COMPANY_B)
            name = f"{a} {b} {pick(_COMPANY_C)}".rstrip()
            domain = "".join(ch for ch in f"{a}{b.split()[0]}".lower() if ch.isalnum()) + ".com"
            foreign = _FOREIGN[int(rnd() * len(_FOREIGN))] if rnd() < 0.04 else None
            home = pick(_CITIES)
            phone = self._phone()
            terms, days = pick(_TERMS)
            tier = pick(_TIERS)
            freight = pick(_FREIGHT)
            free_threshold = (50_000, 100_000, 250_000)[int(rnd() * 3)] if rnd() < 0.3 else None
            ship_via = pick(_SHIP_VIA)
            exempt = rnd() < 0.3
            group = pick(_GROUPS)
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
            cs.coordinator.append(pick(_COORDINATORS))
            cs.po_format.append(pick(_PO_FORMATS))
            cs.po_next.append(1 + int(rnd() * 50_000))
            # addresses: bill-to, then 1-3 ship-tos (the first the default)
            n_ship = 1 + int(rnd() ** 1.5 * 3)
            cs.ship_tos.append(n_ship)
            for k in range(n_ship + 1):
                address_id += 1
                where = home if k <= 1 else pick(_CITIES)
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
                line1 = f"{int(rnd() * 9_900) + 100} {pick(_STREETS)}"
                if k == 0:
                    code, kind, aname = "BILLTO", "bill_to", name
                    line2 = "Attn: Accounts Payable"
                    dock, routing = "", ""
                    cs.bill_to.append(address_id)
                else:
                    code, kind = f"ST{k:02d}", "ship_to"
                    aname = name if k == 1 else f"{name} - {city} plant"
                    line2 = pick(("", "", "", "Dock 4", "Building B", "Suite 200"))
                    dock, routing = pick(_DOCK_HOURS), pick(_ROUTING)
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
            first, last = pick(_FIRST), pick(_LAST)
            email_name = "".join(ch for ch in f"{first[0]}{last}".lower() if ch.isalpha())
            contacts.append(
                (cust_id, cust_id, f"{first} {last}", pick(_TITLES), f"{email_name}@{domain}",
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
            k = min(_LINES_PER_ORDER[int(rnd() * len(_LINES_PER_ORDER))], left)
            per_order.append(k)
            left -= k
        n_orders = len(per_order)
        self.orders = n_orders
        business_days = [d for d in range(-HISTORY_DAYS, 1) if clock.weekday(d) < 5]
        n_days = len(business_days)
        item_a, item_b = _permutation(n, 1)
        cust_a, cust_b = _permutation(cs.count, 2)
        n_cust = cs.count
        part_number, description, uoms = items.part_number, items.description, items.uom
        qty_kind, moqs, multiples = items.qty_kind, items.moq, items.multiple
        list_prices, drop_ships = items.list_price, items.drop_ship
        on_hand, allocated = items.on_hand, items.allocated
        holds_kinds, n_holds = _HOLDS, len(_HOLDS)
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
                entered_by = cs.coordinator[c] if rnd() < 0.7 else _COORDINATORS[int(r * 10)]
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
            allocating = state in _OPEN_STATES or state == OrderState.PARTIALLY_SHIPPED
            # -- lines
            tier_disc = _TIER_DISCOUNT[cs.tier[c]]
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
                    incoterm, place, currency, terms, _ORDER_NOTES[int(rnd() * len(_ORDER_NOTES))],
                    ts(received), None if draft else ts(entered), req_s, first_s, last_s,
                    ts(ack) if acked else None, ts(rel) if released else None,
                    None if shipped_at is None else ts(shipped_at),
                    ts(invoiced) if invoiced_done else None, ts(closed) if closed_done else None,
                    None if cancelled is None else ts(cancelled),
                    _CANCEL_REASONS[int(rnd() * len(_CANCEL_REASONS))] if cancelled else "",
                    entered_by, cs.coordinator[c], subtotal, freight, tax,
                    subtotal + freight + tax, f"{880_000_000 + order_id}" if released else "",
                    f"{40_000_000 + order_id}" if released else "",
                    ts(received if draft else entered), ts(max(events, default=received)),
                    len(events),
                )
            )  # fmt: skip
            if hold is not None:
                self.holds += 1
                kind, reason, release_reason, by_system = hold
                released_by = ""
                if not hold_open:
                    released_by = (
                        _SUPERVISORS[order_id % 2]
                        if kind in ("credit", "price", "compliance")
                        else cs.coordinator[c]
                    )
                if hold_cancelled:
                    released_by, release_reason = entered_by, "Order cancelled"
                holds.append(
                    (
                        self.holds, order_id, kind, reason, "system" if by_system else entered_by,
                        ts(entered), released_by, None if hold_open else ts(hold_end),
                        "" if hold_open else release_reason, 1 if hold_open else 2,
                    )
                )  # fmt: skip
            if len(lines) >= CHUNK:
                yield orders, lines, holds
                orders, lines, holds = [], [], []
        if orders:
            yield orders, lines, holds

    # stock ------------------------------------------------------------------------------------

    def stock_rows(self) -> Iterator[tuple[list[tuple[Any, ...]]]]:
        rnd = self.rng.random
        ts = self.clock.ts
        on_hand, allocated = self.items.on_hand, self.items.allocated
        rows: list[tuple[Any, ...]] = []
        stock_id = 0
        counted = [ts(-int(d * DAY + 7 * HOUR)) for d in range(1, 31)]
        for i in range(self.n):
            for w in range(len(_WAREHOUSES)):
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


# -- writers ----------------------------------------------------------------------------------


class _Writer:
    """One connection and one transaction for the whole load."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.counts: dict[str, int] = {}
        layout = _layout()
        self.columns = {t: cols for t, (cols, _extra) in layout.items()}
        self.extra = {t: extra for t, (_cols, extra) in layout.items()}

    def write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            extra = self.extra[table]
            if extra:
                rows = [row + extra for row in rows]
            self._write(table, rows)
            self.counts[table] = self.counts.get(table, 0) + len(rows)

    def _write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def begin(self) -> None:
        raise NotImplementedError

    def count(self, table: str) -> int:
        raise NotImplementedError

    def suspend_indexes(self) -> None:
        raise NotImplementedError

    def restore_indexes(self) -> None:
        raise NotImplementedError

    def rebuild_search(self) -> None:
        """Bring the free-text search up to date with the loaded rows (SQLite's FTS tables)."""

    def set_sequence(self, name: str, prefix: str, width: int, next_value: int) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """After the commit: checkpoint (SQLite) or refresh planner statistics (PostgreSQL)."""

    def close(self, ok: bool) -> None:
        raise NotImplementedError


class _SqliteWriter(_Writer):
    """executemany on one raw connection, in one transaction; FTS triggers off for the load."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.conn = store.engine.raw_connection()
        self.cur = self.conn.cursor()
        self.sql = {
            t: f"INSERT INTO {t} ({', '.join(c)}) VALUES ({', '.join('?' * len(c))})"
            for t, c in self.columns.items()
        }
        self.indexes: list[str] = []
        self.triggers: list[str] = []

    def begin(self) -> None:
        cur = self.cur
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute("PRAGMA cache_size=-262144")  # 256 MB of page cache for the load
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("BEGIN IMMEDIATE")

    def count(self, table: str) -> int:
        return int(self.cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def suspend_indexes(self) -> None:
        """Drop the secondary indexes of the loaded tables and the triggers that keep the FTS
        tables in step, keeping their stored SQL to recreate them exactly as they were."""
        tables = (*COLUMNS, *SEARCHED)
        marks = ", ".join("?" * len(tables))
        found = self.cur.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            f"AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY type, name",
            tables,
        ).fetchall()
        for kind, name, sql in found:
            self.cur.execute(f'DROP {kind.upper()} "{name}"')
            (self.indexes if kind == "index" else self.triggers).append(sql)

    def restore_indexes(self) -> None:
        for sql in self.indexes:
            self.cur.execute(sql)

    def rebuild_search(self) -> None:
        for table in SEARCHED:
            fts = f"{table}_fts"
            self.cur.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        for sql in self.triggers:
            self.cur.execute(sql)

    def _write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        self.cur.executemany(self.sql[table], rows)

    def set_sequence(self, name: str, prefix: str, width: int, next_value: int) -> None:
        self.cur.execute(
            "INSERT INTO number_sequences (name, prefix, next_value, width) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE "
            "SET next_value = max(number_sequences.next_value, excluded.next_value)",
            (name, prefix, next_value, width),
        )

    def commit(self) -> None:
        self.cur.execute("COMMIT")

    def finish(self) -> None:
        self.cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self, ok: bool) -> None:
        try:
            if not ok and self.conn.in_transaction:
                self.cur.execute("ROLLBACK")
            self.cur.execute("PRAGMA synchronous=NORMAL")
            self.cur.execute("PRAGMA cache_size=-2000")
            self.cur.execute("PRAGMA temp_store=DEFAULT")
        finally:
            self.cur.close()
            self.conn.close()


class _PostgresWriter(_Writer):
    """COPY on one psycopg connection, in one transaction; indexes and foreign keys after."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.conn = store.engine.raw_connection()
        self.raw = self.conn.driver_connection
        self.cur = self.raw.cursor()
        self.indexes: list[tuple[str, str]] = []
        self.foreign_keys: list[tuple[str, str, str]] = []
        self.converters: dict[str, list[tuple[int, int]]] = {}
        for table, columns in self.columns.items():
            sa_table = SQLModel.metadata.tables[table]
            self.converters[table] = [
                (pos, sa_table.c[col].type.scale)
                for pos, col in enumerate(columns)
                if isinstance(sa_table.c[col].type, ScaledDecimal)
            ]

    def begin(self) -> None:
        # psycopg (not autocommit) opens the transaction at the first statement
        self.cur.execute("SET LOCAL synchronous_commit = off")
        self.cur.execute("SET LOCAL TIME ZONE 'UTC'")
        self.cur.execute("SET LOCAL maintenance_work_mem = '512MB'")

    def count(self, table: str) -> int:
        self.cur.execute(f"SELECT count(*) FROM {table}")
        row = self.cur.fetchone()
        return int(row[0])

    def suspend_indexes(self) -> None:
        """Drop the secondary (non-constraint) indexes of the loaded tables, pg_trgm ones too,
        and their foreign keys (checked row by row they would dominate the COPY); both are
        recreated from their catalog definitions, the foreign keys validated in one pass. The
        tables' own triggers are off for the load (a store being seeded has no readers)."""
        self.cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) "
            "ORDER BY i.indexname",
            (list(COLUMNS),),
        )
        self.indexes = list(self.cur.fetchall())
        self.cur.execute(
            "SELECT r.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class r ON r.oid = c.conrelid "
            "WHERE c.contype = 'f' AND r.relnamespace = current_schema()::regnamespace "
            "AND r.relname = ANY(%s) ORDER BY r.relname, c.conname",
            (list(COLUMNS),),
        )
        self.foreign_keys = list(self.cur.fetchall())
        for table, name, _sql in self.foreign_keys:
            self.cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _sql in self.indexes:
            self.cur.execute(f'DROP INDEX "{name}"')
        for table in COLUMNS:  # the queue feed's row triggers and the change NOTIFYs
            self.cur.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')

    def restore_indexes(self) -> None:
        for table in COLUMNS:
            self.cur.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        for _name, sql in self.indexes:
            self.cur.execute(sql)
        for table, name, sql in self.foreign_keys:
            self.cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {sql}')

    def _write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        conv = self.converters[table]
        cols = ", ".join(self.columns[table])
        with self.cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            if not conv:
                for row in rows:
                    copy.write_row(row)
                return
            for row in rows:
                values = list(row)
                for pos, scale in conv:
                    v = values[pos]
                    if v is not None:
                        values[pos] = Decimal(v).scaleb(-scale)
                copy.write_row(values)

    def set_sequence(self, name: str, prefix: str, width: int, next_value: int) -> None:
        self.cur.execute(
            "INSERT INTO number_sequences (name, prefix, next_value, width) "
            "VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE "
            "SET next_value = GREATEST(number_sequences.next_value, excluded.next_value)",
            (name, prefix, next_value, width),
        )

    def commit(self) -> None:
        # explicit ids were written: move each serial past them
        for table in COLUMNS:
            self.cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce(max(id), 0) + 1, false) FROM {table}"
            )
        self.raw.commit()

    def finish(self) -> None:
        self.raw.autocommit = True
        try:
            for table in COLUMNS:
                self.cur.execute(f"ANALYZE {table}")
        finally:
            self.raw.autocommit = False

    def close(self, ok: bool) -> None:
        try:
            if not ok:
                self.raw.rollback()
        finally:
            self.cur.close()
            self.conn.close()


# -- entry point --------------------------------------------------------------------------------


def _storage_form(column: Any, value: Any) -> Any:
    """A model default in the form the tuples carry (scaled int for ScaledDecimal, 0/1 bools)."""
    if isinstance(column.type, ScaledDecimal):
        return int(column.type.quantize(value).scaleb(column.type.scale))
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return str(value)  # a StrEnum member as its plain value
    if isinstance(value, int) or value is None:
        return value
    raise TypeError(f"no storage form for default {value!r} of {column}")


def _layout() -> dict[str, tuple[tuple[str, ...], tuple[Any, ...]]]:
    """table -> (every column to write, values appended to each generated row).

    Columns this module does not generate (added to the models later) get their model default;
    one without a constant default that is NOT NULL stops the seed before it writes anything.
    """
    layout = {}
    for table, columns in COLUMNS.items():
        sa_table = SQLModel.metadata.tables[table]
        unknown = sorted(set(columns) - set(sa_table.c.keys()))
        if unknown:
            raise StoreError(f"seed --scale writes columns {table} no longer has: {unknown}")
        extra_names: list[str] = []
        extra_values: list[Any] = []
        for column in sa_table.c:
            if column.name in columns:
                continue
            default = column.default
            if default is not None and default.is_scalar:
                value = _storage_form(column, default.arg)
            elif column.nullable:
                value = None
            else:
                raise StoreError(
                    f"seed --scale does not know how to fill {table}.{column.name} (NOT NULL, "
                    "no constant default)"
                )
            extra_names.append(column.name)
            extra_values.append(value)
        layout[table] = ((*columns, *extra_names), tuple(extra_values))
    return layout


def seed_scale(
    store: Store,
    n: int,
    *,
    rng_seed: int = 1,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScaleSummary:
    """Fill an empty store with N items, N/10 customers and N order lines (see module doc)."""
    if n < 10:
        raise StoreError(f"seed --scale needs N >= 10 (got {n})")
    today = today or datetime.now(UTC).date()
    say = progress or (lambda _msg: None)
    summary = ScaleSummary(n=n)
    started = time.perf_counter()
    gen = _Generator(n, rng_seed, today)
    writer: _Writer = _SqliteWriter(store) if store.is_sqlite else _PostgresWriter(store)
    ok = False
    dbapi_error = store.engine.dialect.loaded_dbapi.Error
    try:
        writer.begin()
        filled = {t: writer.count(t) for t in FILLED}
        if any(filled.values()):
            held = ", ".join(f"{count:,} {t}" for t, count in filled.items() if count)
            raise StoreError(
                f"store {store.display_url} already has data ({held}); "
                "seed --scale only fills an empty store"
            )
        writer.suspend_indexes()

        tables = {
            "warehouses": ("warehouses",),
            "items": ("items",),
            "customers": ("customers", "addresses", "contacts"),
            "orders": ("sales_orders", "sales_order_lines", "holds"),
            "stock": ("stock_levels",),
        }
        plan: list[tuple[str, Callable[[], Iterable[tuple[list[Any], ...]]]]] = [
            ("warehouses", lambda: [([(*w, 1, 1) for w in _WAREHOUSES],)]),
            ("items", gen.item_rows),
            ("customers", gen.customer_rows),
            ("orders", gen.order_rows),
            ("stock", gen.stock_rows),
        ]
        for name, make in plan:
            t0 = time.perf_counter()
            written = tables[name]
            for chunk in make():
                for table, rows in zip(written, chunk, strict=True):
                    writer.write(table, rows)
            summary.seconds[name] = time.perf_counter() - t0
            counts = ", ".join(f"{writer.counts.get(t, 0):,} {t}" for t in written)
            say(f"{name}: {counts} in {summary.seconds[name]:.1f} s")
        prefix, width = NUMBER_DEFAULTS["order"]
        writer.set_sequence("order", prefix, width, gen.orders + 1)

        steps = [("indexes", writer.restore_indexes)]
        if store.is_sqlite:
            steps.append(("search", writer.rebuild_search))
        for name, step in steps:
            t0 = time.perf_counter()
            step()
            summary.seconds[name] = time.perf_counter() - t0
            say(f"{name}: rebuilt in {summary.seconds[name]:.1f} s")
        t0 = time.perf_counter()
        writer.commit()
        writer.finish()
        summary.seconds["commit"] = time.perf_counter() - t0
        say(f"commit: {summary.seconds['commit']:.1f} s")
        ok = True
    except dbapi_error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"seed --scale failed on {store.display_url}: {reason}") from None
    finally:
        writer.close(ok)
    counts = writer.counts
    summary.items = counts.get("items", 0)
    summary.customers = counts.get("customers", 0)
    summary.addresses = counts.get("addresses", 0)
    summary.contacts = counts.get("contacts", 0)
    summary.warehouses = counts.get("warehouses", 0)
    summary.stock_levels = counts.get("stock_levels", 0)
    summary.orders = counts.get("sales_orders", 0)
    summary.order_lines = counts.get("sales_order_lines", 0)
    summary.holds = counts.get("holds", 0)
    summary.total_seconds = time.perf_counter() - started
    return summary
