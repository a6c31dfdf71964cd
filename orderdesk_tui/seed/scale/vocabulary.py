"""The words, places and mixes generated parts, customers and orders are made of."""

from typing import Any

from orderdesk_tui.models.base import OrderState

#: prefix, category, weight, uom, quantity kind (0 count, 1 by 0.5, 2 by 0.25), list price range,
#: kg range, HS code, nouns | specs | finishes, hazmat (UN number, class) or None
CATEGORY_SPECS: list[tuple[Any, ...]] = [
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


VENDORS = _words(
    "Apex Bearing Co|Northfield Fastener|Keystone Valve|Brightline Electric|Summit Wire & Cable"
    "|Ridgeway Hose|Pacific Fittings|Hydra-Tek|Airflow Pneumatics|Ironside Motors"
    "|Delta Pump Works|ClearPath Filtration|Driveline PT|Titan Chain|SealPro|Guardian Safety"
    "|Grindmaster Abrasives|Bondline Adhesives|Lubrimax|Forge Tools|Midland Industrial"
    "|Orion Components|Cascade Manufacturing|Redstone Supply"
)
ORIGINS = ("US",) * 9 + ("CN",) * 4 + ("DE", "DE", "MX", "MX", "JP", "TW", "IT")
PART_SUFFIXES = ("",) * 12 + ("-SS", "-ZP", "-HD", "-A", "-B", "-XL", "-10", "-25")

#: city, region, postal code prefix, country, sales tax (basis points), warehouse (1-3)
CITIES: list[tuple[str, str, str, str, int, int]] = [
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
FOREIGN: list[tuple[str, str, str, str, str, str]] = [
    ("Toronto", "ON", "M5V", "CA", "CAD", "DAP"),
    ("Mississauga", "ON", "L5T", "CA", "CAD", "DAP"),
    ("Montreal", "QC", "H4T", "CA", "CAD", "FCA"),
    ("Monterrey", "NL", "644", "MX", "USD", "FCA"),
    ("Stuttgart", "BW", "701", "DE", "EUR", "EXW"),
]
STREETS = _words(
    "Industrial Pkwy|Commerce Dr|Enterprise Blvd|Main St|Oak St|Harbor Rd|Factory Ln"
    "|Technology Way|Distribution Ct|Airport Rd|Railroad Ave|Mill St|River Rd|Lincoln Hwy"
    "|Park Ave|Market St|Center St|Industrial Loop|Logistics Dr|Warehouse Rd|Foundry St"
    "|Progress Dr|Corporate Blvd|Freight Ln"
)
COMPANY_A = _words(
    "Hartley|Brennan|Caldwell|Dawson|Ellison|Fairbanks|Garrison|Holloway|Iverson|Jennings"
    "|Kessler|Lindqvist|Mercer|Norwood|Oakridge|Pemberton|Quincy|Redfield|Sterling|Thornton"
    "|Underwood|Vance|Whitmore|Yardley|Ashford|Blackstone|Cedar Valley|Delmar|Eastgate"
    "|Frontier|Great Lakes|Heartland|Ironwood|Juniper|Keystone|Lakeshore|Midwest|Northstar"
    "|Old Dominion|Prairie|Riverbend|Summit|Tri-County|Upland|Valley|Westfield|Allied"
    "|Consolidated|Continental|Precision|Superior|United|Pioneer|Liberty|Patriot|Atlas|Beacon"
    "|Crescent|Granite|Harbor"
)
COMPANY_B = _words(
    "Industrial Supply|Manufacturing|Machine Works|Fabrication|Packaging|Foods|Plastics"
    "|Metal Products|Automation|Tool & Die|Mechanical|Equipment|Controls|Engineering"
    "|Process Systems|Maintenance Services|Electric|Hydraulics|Paper Products|Textiles"
    "|Brewing|Mining|Energy|Logistics|Construction|Components|Castings|Coatings"
    "|Water Systems|Farms"
)
COMPANY_C = ("Inc", "LLC", "Co", "Corp", "Ltd", "Group", "Company", "Industries", "", "")
FIRST = _words(
    "James|Mary|Robert|Patricia|John|Jennifer|Michael|Linda|David|Elizabeth|William|Barbara"
    "|Richard|Susan|Joseph|Jessica|Thomas|Sarah|Carlos|Karen|Daniel|Lisa|Matthew|Nancy"
    "|Anthony|Sandra|Mark|Ashley|Kevin|Emily|Brian|Michelle|Luis|Amanda|Wei|Priya|Ahmed"
    "|Olga|Hiroshi|Fatima"
)
LAST = _words(
    "Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Rodriguez|Martinez|Hernandez"
    "|Lopez|Gonzalez|Wilson|Anderson|Thomas|Taylor|Moore|Jackson|Martin|Lee|Perez|Thompson"
    "|White|Harris|Sanchez|Clark|Ramirez|Lewis|Robinson|Walker|Young|Allen|King|Wright|Scott"
    "|Torres|Nguyen|Hill|Flores|Green|Adams|Nelson|Baker|Hall|Rivera|Campbell|Mitchell"
    "|Carter|Roberts|Kowalski|Chen|Patel|Schmidt|O'Brien|Novak"
)
TITLES = _words(
    "Purchasing Manager|Buyer|Senior Buyer|MRO Buyer|Maintenance Supervisor"
    "|Procurement Specialist|Plant Manager|Accounts Payable"
)
GROUPS = ("OEM", "MRO", "MRO", "Distributor", "Contractor", "Government", "Food & Beverage")
#: terms, days (repeated by weight)
TERMS = (
    [("NET30", 30)] * 11 + [("NET45", 45)] * 2 + [("NET60", 60)] * 2 + [("2% 10 NET 30", 30)] * 2
    + [("NET15", 15), ("COD", 0), ("PREPAID", 0)]
)  # fmt: skip
FREIGHT = ("prepaid_add",) * 6 + ("prepaid", "prepaid", "collect", "third_party")
SHIP_VIA = _words(
    "UPS Ground|UPS Ground|FedEx Ground|FedEx Ground|UPS Next Day Air|FedEx 2Day|LTL - Estes"
    "|LTL - Old Dominion|LTL - R+L Carriers|Will Call|Best Way|Customer Carrier"
)
TIERS = ("platinum",) + ("gold",) * 3 + ("silver",) * 7 + ("standard",) * 19
#: discount in hundredths of a percent per service tier
TIER_DISCOUNT = {"platinum": 2000, "gold": 1500, "silver": 1000, "standard": 0}
COORDINATORS = (
    "jmartin", "akhan", "bsmith", "lchen", "rdiaz", "twilson", "mnguyen", "kpatel", "sobrien",
    "dgarcia",
)  # fmt: skip
SUPERVISORS = ("ebrooks", "hfischer")
PO_FORMATS = ("PO{:06d}", "45{:08d}", "PO-{:06d}", "MRO{:05d}", "P{:07d}", "{:07d}")
DOCK_HOURS = (
    "Mon-Fri 7:00-15:30", "Mon-Fri 6:00-14:00", "24/7", "Mon-Thu 8:00-16:00", "", "",
)  # fmt: skip
ROUTING = (
    "", "", "", "", "Appointment required: call 24h ahead", "No deliveries Friday afternoon",
    "Use north gate", "Liftgate required",
)  # fmt: skip
ORDER_NOTES = ("",) * 17 + (
    "Call before delivery",
    "Deliver to dock 3",
    "Liftgate required",
    "Mark cartons with PO number",
    "Rush: line down",
)
CANCEL_REASONS = (
    "Customer cancelled PO", "Duplicate order", "Price not accepted", "Lead time too long",
    "Ordered in error", "Replaced by new PO",
)  # fmt: skip
#: kind, reason, release reason, raised by the system?
HOLDS = (
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
LINES_PER_ORDER = [k for k, w in enumerate((0, 10, 10, 12, 14, 14, 12, 11, 9, 8)) for _ in range(w)]

WAREHOUSES = [
    (1, "MAIN", "Main DC - Columbus", "4100 Distribution Ct", "Columbus", "OH", "43217", "US", 1),
    (2, "WEST", "West DC - Reno", "1250 Freight Ln", "Reno", "NV", "89502", "US", 0),
    (3, "EAST", "East DC - Allentown", "780 Logistics Dr", "Allentown", "PA", "18106", "US", 1),
]
#: share of items stocked in each warehouse (MAIN stocks everything)
STOCKED = (1.0, 0.55, 0.4)

OPEN_STATES = frozenset(
    {OrderState.ENTERED, OrderState.ON_HOLD, OrderState.ACKNOWLEDGED, OrderState.RELEASED}
)
