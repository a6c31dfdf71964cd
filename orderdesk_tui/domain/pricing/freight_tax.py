"""Freight (the carrier estimate and what the invoice carries under each freight term) and tax
by ship-to region, on the order's rounded subtotal (see the package doc for the tax scope), and
the tax table CSV reader."""

import csv
import io
from decimal import Decimal

from orderdesk_tui.domain.money import ZERO, round_money, to_decimal
from orderdesk_tui.domain.pricing.checks import check_freight_terms
from orderdesk_tui.domain.pricing.inputs import (
    FreightRates,
    FreightTerms,
    ShipTo,
    TaxRate,
    TaxTable,
)
from orderdesk_tui.domain.pricing.results import FreightQuote, TaxLine, TaxQuote
from orderdesk_tui.domain.pricing.units import HUNDRED, plain_number
from orderdesk_tui.errors import FieldError

#: EU member states (ISO 3166-1 alpha-2; Greece is GR here, not EL).
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()  # noqa: SIM905
)


def estimate_freight(
    *,
    terms: FreightTerms | str,
    weight_kg: Decimal,
    subtotal: Decimal,
    free_threshold: Decimal | None,
    rates: FreightRates,
    currency: str,
) -> FreightQuote:
    """The carrier estimate (rate per kg, with a minimum) and what the invoice carries:
    prepaid - ours, not invoiced; collect - the customer pays the carrier; third_party - billed
    to a third party's carrier account; prepaid_add - we pay and add it, unless the subtotal
    reaches the customer's free-freight threshold."""
    terms = check_freight_terms(str(terms))
    none = round_money(ZERO, currency)
    estimate = none
    if weight_kg > 0 or subtotal > 0:
        estimate = round_money(max(weight_kg * rates.rate_per_kg, rates.minimum), currency)
    weight = f"{plain_number(weight_kg)} kg"
    if terms is FreightTerms.PREPAID:
        return FreightQuote(
            terms, weight_kg, estimate, none, f"prepaid: freight is ours (est. {estimate})"
        )
    if terms is FreightTerms.COLLECT:
        return FreightQuote(
            terms, weight_kg, estimate, none, "collect: the customer pays the carrier"
        )
    if terms is FreightTerms.THIRD_PARTY:
        return FreightQuote(
            terms, weight_kg, estimate, none, "third party: billed to the third party's account"
        )
    if free_threshold is not None and subtotal >= free_threshold:
        return FreightQuote(
            terms,
            weight_kg,
            estimate,
            none,
            f"prepaid & add, free freight: subtotal {subtotal} reaches {free_threshold}",
        )
    text = f"prepaid & add: {weight} at {rates.rate_per_kg}/kg, min {rates.minimum}"
    if free_threshold is not None:
        text += f"; free from {free_threshold} ({free_threshold - subtotal} to go)"
    return FreightQuote(terms, weight_kg, estimate, estimate, text)


def compute_tax(
    *,
    table: TaxTable,
    ship_to: ShipTo | None,
    goods: Decimal,
    freight: Decimal,
    currency: str,
    exempt_certificate: str = "",
    vat_id: str = "",
    registrations: frozenset[str] = frozenset({"US", "CA"}),
) -> TaxQuote:
    """Tax of an order on its rounded subtotal (+ freight where the component taxes it), one
    rounding per component. FieldError when a taxable ship-to region has no rate."""
    none = round_money(ZERO, currency)
    if exempt_certificate.strip():
        return TaxQuote((), none, f"exempt: certificate {exempt_certificate.strip()}", True)
    if ship_to is None:
        return TaxQuote((), none, "no ship-to yet: tax not computed")
    country = ship_to.country.strip().upper()
    region = ship_to.region.strip().upper()
    if country not in registrations:
        eu_home = (registrations & EU_COUNTRIES) - {country}
        if country in EU_COUNTRIES and eu_home and vat_id.strip():
            return TaxQuote(
                (), none, f"intra-EU supply to {country} VAT id {vat_id.strip()}: reverse charge"
            )
        return TaxQuote(
            (), none, f"export to {country}: zero-rated here; import taxes are due at the border"
        )
    rates = table.lookup(country, region)
    if rates is None:
        raise FieldError(
            "ship_to.region", f"no tax rate for {country}-{region or '?'} in the tax table"
        )
    lines = []
    for rate in rates:
        base = goods + freight if rate.freight_taxable else goods
        lines.append(
            TaxLine(
                rate.name,
                rate.rate_percent,
                base,
                round_money(base * rate.rate_percent / HUNDRED, currency),
            )
        )
    amount = sum((line.amount for line in lines), none)
    where = f"{country}-{region}" if region else country
    names = " + ".join(f"{line.name} {plain_number(line.rate_percent)}%" for line in lines)
    return TaxQuote(tuple(lines), amount, f"{where}: {names or 'no tax'}")


def parse_tax_table(text: str) -> TaxTable:
    """The tax table CSV (country,region,tax,rate_percent,freight_taxable[,note]); lines starting
    with '#' are comments. Raises ValueError naming the bad line."""
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rates: dict[tuple[str, str], list[TaxRate]] = {}
    reader = csv.DictReader(io.StringIO("\n".join(rows)))
    needed = {"country", "region", "tax", "rate_percent", "freight_taxable"}
    if reader.fieldnames is None or not needed <= set(reader.fieldnames):
        raise ValueError(f"tax table needs the columns {', '.join(sorted(needed))}")
    for n, row in enumerate(reader, start=2):
        rate = to_decimal(row["rate_percent"] or "")
        if rate is None or not ZERO <= rate < HUNDRED:
            raise ValueError(f"tax table row {n}: rate_percent '{row['rate_percent']}'")
        flag = row["freight_taxable"].strip().lower()
        if flag not in {"true", "false"}:
            raise ValueError(f"tax table row {n}: freight_taxable '{row['freight_taxable']}'")
        key = (row["country"].strip().upper(), row["region"].strip().upper() or "*")
        rates.setdefault(key, []).append(
            TaxRate(key[0], key[1], row["tax"].strip(), rate, flag == "true")
        )
    return TaxTable({key: tuple(value) for key, value in rates.items()})
