"""Pricing: which unit price a line gets and why, line discounts and overrides, the margin floor,
MOQ and order multiples, freight terms and estimate, Incoterms, and tax by ship-to region.

Pure rules: plain frozen dataclasses in (loaded once by `services.pricing`), frozen dataclasses
and named tuples out. Pricing a line touches no store, so a 100-line order prices in a few ms.

Precedence of the base unit price (every rule looked at is kept, with why it won or lost):

1. **Contract** (`ContractPrice`): for this customer and item, valid on the order date, minimum
   quantity met. A contract ends the search: it is a negotiated net price, so neither the price
   list, a quantity break nor a promotion is applied to it (they are listed as "contract takes
   precedence"). If several contracts apply, the lowest price wins. A contract referenced
   explicitly on the line must apply, else the line is refused (`FieldError`).
2. **Customer price list** (`PriceListRule`): the entry for the item, else the entry for the
   item's category; a fixed price or a % off list.
3. **Quantity breaks** (`BreakRule`): breaks of the customer's own price list and general breaks
   (no price list), each a price or a % off list, from their minimum quantity up.
4. **Promotion** (`PromotionRule`, the order's promotion code): a % or an amount off **list**,
   for the customer group / item category / item it names (all it names must match).
5. **List price**, when none of 2-4 applies.

Steps 2-4 are not stacked: each is computed from list on its own and the **lowest** applicable
price wins; on a tie the earlier step wins. This is how a distributor keeps promotions from
eroding net pricing twice: a promotion helps a customer only when it beats the price they already
have ("promo SPRING10 11.3850: 10% off list; above price list DIST -30% bearings 8.8550"), and
a customer on a price list never pays more than the general volume break at that quantity.

On top of the base price: an **override** (the coordinator's price, reason mandatory) replaces
it; then the **line discount** % and then the amount off the unit (as `SalesOrderLine` stores
them). A net price under cost * (1 + margin floor %) marks the line `below_floor`, which puts a
supervisor-only price hold on the order (`services.pricing.apply_price_hold_if_needed`).

Money: unit prices are kept to 4 places (the store's UnitPrice scale); each line's extended
amount is rounded half-up to the currency's minor unit; the subtotal is the sum of the rounded
lines; freight and each tax component are rounded once, on the order; total = subtotal + freight
+ tax. So an order always adds up.

Tax scope: tax is charged only for ship-tos in a country where the seller collects tax
(`PricingContext.tax_registrations`, US and CA for this desk). A ship-to elsewhere is an export:
zero-rated here, import VAT/IVA and duty are settled at the border (with DDP the seller pays them
there as a landed cost; they are not invoiced as tax). If the seller is registered in an EU
country and ships to another EU country to a customer with a VAT id, the supply is intra-EU and
reverse-charged (no VAT). Customers with a tax exemption certificate pay none. US rates are the
state-level rates only (no county/city/district taxes).

The modules, in the order they build on each other: `units` (places, rounding), `inputs`
(`PricingContext`, `LineRequest`), `results` (`LineResult`, `OrderPricing`), `checks` (typed
values, MOQ/multiples, promotion code, Incoterm, freight terms), `line_price` (the precedence),
`freight_tax`, `order` (`price_order`).
"""
