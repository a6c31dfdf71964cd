"""The demo data set's fixed parameters: users, buying patterns, carriers, reasons, policies."""

from decimal import Decimal

from orderdesk_tui.config import DeskSettings, ReturnsSettings
from orderdesk_tui.models.base import OrderState, Role
from orderdesk_tui.services.returns import policy_from

#: The return policy the demo's RMAs follow (the defaults of `[returns]`).
RETURN_POLICY = policy_from(ReturnsSettings())
CENT = Decimal("0.01")
Q3 = Decimal("0.001")
Q4 = Decimal("0.0001")
ZERO = Decimal("0")
SYSTEM = "system"
#: Our interchange id towards the EDI partners (ISA08 on their 850s).
OUR_EDI_ID = "ORDERDESKDEMO"
#: GS1 company prefix used for SSCC-18 pallet labels and VICS bill-of-lading numbers.
GS1_PREFIX = "0845123"

#: Demo users with their demo desk passwords and override PINs (README lists them: a demo
#: store is for trying the desk out, never for real orders).
DEMO_USERS = (
    ("alice", "Alice Moreno", Role.COORDINATOR, "alice-demo", None),
    ("bob", "Bob Lindqvist", Role.COORDINATOR, "bob-demo", None),
    ("sam", "Sam Whitaker", Role.SUPERVISOR, "sam-demo", "246810"),
    ("admin", "Desk Administrator", Role.ADMIN, "admin-demo", "135790"),
)
COORDINATORS = ("alice", "bob")
SUPERVISOR = "sam"

#: What each customer group tends to buy (category -> weight).
GROUP_CATEGORIES: dict[str, dict[str, int]] = {
    "oem": {"fasteners": 5, "bearings": 3, "power_transmission": 3, "hydraulics": 2,
            "electrical": 2, "safety": 1, "chemicals": 1},
    "mro": {"bearings": 4, "power_transmission": 4, "safety": 3, "chemicals": 3,
            "electrical": 3, "hydraulics": 2, "fasteners": 2},
    "reseller": {"fasteners": 5, "bearings": 4, "hydraulics": 3, "power_transmission": 3,
                 "safety": 2, "electrical": 2, "chemicals": 1},
    "contractor": {"electrical": 6, "fasteners": 4, "safety": 3, "chemicals": 1},
    "utility": {"electrical": 5, "safety": 3, "hydraulics": 2, "chemicals": 2, "fasteners": 1},
}  # fmt: skip
TIER_WEIGHT = {"platinum": 12, "gold": 6, "silver": 4, "standard": 2}
#: The EDI trading partners send more orders than their tier alone suggests.
EDI_WEIGHT = 22
#: Default supplier per category for replenishment purchase orders.
#: Items bought for each order that wants them (special buys), not kept in stock.
NON_STOCK = frozenset({"VFD-25HP-480V"})

CATEGORY_VENDOR = {
    "fasteners": "Midwest Fastener Mfg. Co.",
    "bearings": "Kaizen Bearing Co.",
    "power_transmission": "Ridgeline Power Transmission Inc.",
    "electrical": "Northfield Electric Mfg.",
    "hydraulics": "Tri-State Fluid Power Inc.",
    "safety": "Guardline Safety Products",
    "chemicals": "Crestline Chemical Co.",
}
FRACTIONAL_QTY = {
    "FT": ("10", "25", "25", "50", "50", "75", "100", "150", "250", "12.5", "37.5"),
    "LB": ("5", "10", "10", "25", "50", "7.5"),
    "GAL": ("5", "10", "15", "25", "55", "7.5"),
}
#: States whose uninvoiced value a credit check counts as open orders (domain.credit).
OPEN_ORDER_STATES = (
    OrderState.ENTERED,
    OrderState.ON_HOLD,
    OrderState.ACKNOWLEDGED,
    OrderState.RELEASED,
    OrderState.PARTIALLY_SHIPPED,
)
WEST = frozenset({"WA", "OR", "CA", "NV", "AZ", "UT", "CO", "ID", "NM", "MT", "WY"})
#: The margin floor price holds are raised under (the desk's default setting).
MARGIN_FLOOR_PERCENT = DeskSettings().margin_floor_percent
#: Countries where the desk's company collects tax; elsewhere is an export (zero-rated).
TAX_REGISTRATIONS = frozenset({"US", "CA"})
#: ship_via -> (carrier, service, mode)
SHIP_VIA = {
    "UPS Ground": ("UPS", "Ground", "parcel"),
    "UPS Next Day Air": ("UPS", "Next Day Air", "air"),
    "UPS Worldwide Expedited": ("UPS", "Worldwide Expedited", "intl"),
    "FedEx Ground": ("FedEx", "Ground", "parcel"),
    "FedEx Priority Overnight": ("FedEx", "Priority Overnight", "air"),
    "FedEx International Economy": ("FedEx", "International Economy", "intl"),
    "FedEx International Priority": ("FedEx", "International Priority", "intl"),
    "Purolator Ground": ("Purolator", "Ground", "parcel"),
    "Purolator Express": ("Purolator", "Express", "air"),
    "Purolator Freight": ("Purolator", "Freight", "ltl"),
    "XPO LTL": ("XPO", "LTL Standard", "ltl"),
    "XPO cross-border LTL": ("XPO", "Cross-border LTL", "ltl"),
    "Old Dominion LTL": ("Old Dominion", "LTL Standard", "ltl"),
    "Estes LTL": ("Estes", "LTL Standard", "ltl"),
    "Day & Ross LTL": ("Day & Ross", "LTL Standard", "ltl"),
    "Day & Ross LTL (collect)": ("Day & Ross", "LTL (collect)", "ltl"),
    "DHL Global Forwarding (air)": ("DHL Global Forwarding", "Air freight", "intl"),
}
CANCEL_REASONS = (
    "customer cancelled: bought locally, line was down",
    "duplicate of a customer PO already on order",
    "customer did not accept the quoted price",
    "buyer cancelled the PO (project postponed)",
    "lead time too long for the customer",
    "entered in error (wrong customer)",
)
OVERRIDE_REASONS = (
    "match competitor quote on file",
    "long-standing price per sales manager",
    "project pricing approved by sales",
    "damaged-box discount agreed with buyer",
)
