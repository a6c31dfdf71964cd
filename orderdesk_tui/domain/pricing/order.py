"""Pricing a whole order: every line, then freight, tax and the total, with the order-level
values checked first; and the reason text of a margin-floor price hold."""

from collections.abc import Iterable, Sequence

from orderdesk_tui.domain.money import ZERO, round_money
from orderdesk_tui.domain.pricing.checks import check_freight_terms, check_incoterm
from orderdesk_tui.domain.pricing.freight_tax import compute_tax, estimate_freight
from orderdesk_tui.domain.pricing.inputs import LineRequest, PricingContext, ShipTo
from orderdesk_tui.domain.pricing.line_price import price_line
from orderdesk_tui.domain.pricing.results import LineResult, OrderPricing


def price_order(
    ctx: PricingContext,
    requests: Sequence[LineRequest],
    *,
    ship_to: ShipTo | None = None,
    freight_terms: str = "",
    incoterm: str | None = None,
    incoterm_place: str | None = None,
) -> OrderPricing:
    """Price every line, then freight, tax and the total. Order-level values default to the
    customer's (freight terms, Incoterm and place) and the context's ship-to. Any bad input
    raises before anything is returned."""
    customer = ctx.customer
    currency = customer.currency
    terms = check_freight_terms(freight_terms or customer.freight_terms)
    code, place = check_incoterm(
        customer.incoterm if incoterm is None else incoterm,
        customer.incoterm_place if incoterm_place is None else incoterm_place,
    )
    lines = tuple(
        price_line(ctx, req, line_no=req.line_no if req.line_no is not None else n)
        for n, req in enumerate(requests, start=1)
    )
    subtotal = round_money(sum((line.extended for line in lines), ZERO), currency)
    weight = sum((line.weight_kg for line in lines), ZERO)
    freight = estimate_freight(
        terms=terms,
        weight_kg=weight,
        subtotal=subtotal,
        free_threshold=customer.free_freight_threshold,
        rates=ctx.freight_rates,
        currency=currency,
    )
    vat_id = customer.tax_id if customer.tax_id_type.upper() == "VAT" else ""
    tax = compute_tax(
        table=ctx.tax_table,
        ship_to=ship_to or ctx.ship_to,
        goods=subtotal,
        freight=freight.charge,
        currency=currency,
        exempt_certificate=customer.tax_exempt_certificate,
        vat_id=vat_id,
        registrations=ctx.tax_registrations,
    )
    return OrderPricing(
        currency=currency,
        lines=lines,
        subtotal=subtotal,
        freight=freight,
        tax=tax,
        total=subtotal + freight.charge + tax.amount,
        incoterm=code,
        incoterm_place=place,
    )


def price_hold_reason(lines: Iterable[LineResult], *, limit: int = 400) -> str:
    """One line for the Hold's reason: which lines are under the margin floor, within `limit`
    characters ("...; and 3 more")."""
    parts = [
        f"line {line.line_no or '?'} {line.part_number}: {line.margin_message}"
        for line in lines
        if line.below_floor
    ]
    text = ""
    for kept, part in enumerate(parts):
        longer = f"{text}; {part}" if text else part
        rest = len(parts) - kept - 1
        tail = f"; and {rest} more" if rest else ""
        if len(longer) + len(tail) > limit:
            more = len(parts) - kept
            return f"{text}; and {more} more" if text else f"{more} lines under the margin floor"
        text = longer
    return text
