"""What pricing is given: the item, the customer's terms, contracts, price lists, quantity
breaks, a promotion, freight rates, the tax table, all in one `PricingContext` loaded once per
customer and date by `services.pricing`, and the lines as typed (`LineRequest`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from orderdesk_tui.domain.money import ZERO
from orderdesk_tui.domain.pricing.units import plain_number


class FreightTerms(StrEnum):
    PREPAID = "prepaid"
    COLLECT = "collect"
    PREPAID_ADD = "prepaid_add"
    THIRD_PARTY = "third_party"


@dataclass(frozen=True, slots=True)
class ItemFacts:
    id: int
    part_number: str
    list_price: Decimal
    cost: Decimal = ZERO
    category: str = ""
    uom: str = "EA"
    fractional_uom: bool = False
    moq: Decimal = Decimal(1)
    order_multiple: Decimal = Decimal(1)
    weight_kg: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class CustomerTerms:
    id: int
    code: str
    currency: str = "USD"
    customer_group: str = ""
    tax_exempt_certificate: str = ""
    tax_id: str = ""
    tax_id_type: str = ""
    freight_terms: str = FreightTerms.PREPAID_ADD
    free_freight_threshold: Decimal | None = None
    incoterm: str = ""
    incoterm_place: str = ""


@dataclass(frozen=True, slots=True)
class ContractPrice:
    item_id: int
    ref: str
    price: Decimal
    valid_from: date
    valid_to: date | None = None
    min_quantity: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class PriceListRule:
    """One price list entry: for `item_id`, or for a whole `category` when item_id is None."""

    item_id: int | None = None
    category: str = ""
    fixed_price: Decimal | None = None
    percent_off: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PriceListInfo:
    id: int
    code: str
    by_item: Mapping[int, PriceListRule] = field(default_factory=dict)
    by_category: Mapping[str, PriceListRule] = field(default_factory=dict)

    @classmethod
    def of(cls, id: int, code: str, rules: Iterable[PriceListRule]) -> PriceListInfo:
        by_item: dict[int, PriceListRule] = {}
        by_category: dict[str, PriceListRule] = {}
        for rule in rules:
            if rule.item_id is not None:
                by_item[rule.item_id] = rule
            elif rule.category:
                by_category[rule.category] = rule
        return cls(id, code, by_item, by_category)


@dataclass(frozen=True, slots=True)
class BreakRule:
    item_id: int
    min_quantity: Decimal
    price: Decimal | None = None
    percent_off: Decimal | None = None
    #: The price list this break belongs to (its code in `price_list_code`); None = general.
    price_list_id: int | None = None
    price_list_code: str = ""
    #: "break 100+" / "break 20+ (DIST)", made once when the rule is loaded.
    label: str = field(init=False, default="", compare=False, repr=False)
    needs: str = field(init=False, default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        owner = f" ({self.price_list_code})" if self.price_list_id is not None else ""
        min_qty = plain_number(self.min_quantity)
        object.__setattr__(self, "label", f"break {min_qty}+{owner}")
        object.__setattr__(self, "needs", f"needs qty {min_qty}")


@dataclass(frozen=True, slots=True)
class PromotionRule:
    code: str
    valid_from: date
    valid_to: date
    name: str = ""
    customer_group: str = ""
    item_category: str = ""
    item_id: int | None = None
    percent_off: Decimal | None = None
    amount_off: Decimal | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class FreightRates:
    rate_per_kg: Decimal = Decimal("1.85")
    minimum: Decimal = Decimal("12.50")


@dataclass(frozen=True, slots=True)
class ShipTo:
    country: str
    region: str = ""


@dataclass(frozen=True, slots=True)
class TaxRate:
    country: str
    region: str
    name: str
    rate_percent: Decimal
    freight_taxable: bool = True


@dataclass(frozen=True, slots=True)
class TaxTable:
    """Tax components by (country, region); region "*" covers the whole country."""

    rates: Mapping[tuple[str, str], tuple[TaxRate, ...]] = field(default_factory=dict)

    def lookup(self, country: str, region: str) -> tuple[TaxRate, ...] | None:
        found = self.rates.get((country, region))
        if found is None:
            found = self.rates.get((country, "*"))
        return found


@dataclass(frozen=True, slots=True)
class PricingContext:
    """Everything pricing needs for one customer on one date, loaded once."""

    customer: CustomerTerms
    order_date: date
    items: Mapping[int, ItemFacts]
    contracts: Mapping[int, tuple[ContractPrice, ...]] = field(default_factory=dict)
    price_list: PriceListInfo | None = None
    breaks: Mapping[int, tuple[BreakRule, ...]] = field(default_factory=dict)
    promotion: PromotionRule | None = None
    margin_floor_percent: Decimal = Decimal(8)
    freight_rates: FreightRates = FreightRates()
    tax_table: TaxTable = TaxTable()
    ship_to: ShipTo | None = None
    #: Countries where the seller is registered to collect sales tax / VAT.
    tax_registrations: frozenset[str] = frozenset({"US", "CA"})

    @property
    def currency(self) -> str:
        return self.customer.currency


@dataclass(frozen=True, slots=True)
class LineRequest:
    """One line as typed or received: values may be text straight from the grid or EDI."""

    item_id: int
    quantity: Decimal | int | str
    discount_percent: Decimal | int | str = ZERO
    discount_amount: Decimal | int | str = ZERO
    #: The coordinator's unit price; needs `override_reason`.
    override_price: Decimal | int | str | None = None
    override_reason: str = ""
    #: A contract the customer quoted on the PO; it must apply.
    contract_ref: str = ""
    line_no: int | None = None
