"""Property tests for pricing arithmetic: totals add up from rounded lines, MOQ/multiple
proposals are always valid, prices are never negative and discounts never raise a price."""

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from orderdesk_tui.domain.money import round_money
from orderdesk_tui.domain.pricing.checks import check_quantity, quantity_step
from orderdesk_tui.domain.pricing.freight_tax import parse_tax_table
from orderdesk_tui.domain.pricing.inputs import (
    BreakRule,
    ContractPrice,
    CustomerTerms,
    ItemFacts,
    LineRequest,
    PriceListInfo,
    PriceListRule,
    PricingContext,
    PromotionRule,
    ShipTo,
)
from orderdesk_tui.domain.pricing.line_price import price_line
from orderdesk_tui.domain.pricing.order import price_order
from orderdesk_tui.domain.pricing.results import Step
from orderdesk_tui.paths import bundled

TODAY = date(2026, 11, 27)
TAX = parse_tax_table(bundled("data/tax_rates.csv").read_text(encoding="utf-8"))


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False
    )


prices = decimals("0", "5000", 4)
percents = decimals("0", "100", 2)
quantities = st.integers(min_value=1, max_value=100_000).map(Decimal)


@st.composite
def items(draw: st.DrawFn, item_id: int = 1) -> ItemFacts:
    fractional = draw(st.booleans())
    places = 3 if fractional else 0
    return ItemFacts(
        id=item_id,
        part_number=f"P-{item_id}",
        list_price=draw(prices),
        cost=draw(prices),
        category=draw(st.sampled_from(["bearings", "fasteners", ""])),
        fractional_uom=fractional,
        moq=draw(decimals("0", "500", places)),
        order_multiple=draw(decimals("0", "250", places)),
        weight_kg=draw(decimals("0", "50", 3)),
    )


@st.composite
def contexts(draw: st.DrawFn, n_items: int = 1) -> PricingContext:
    facts = [draw(items(i)) for i in range(1, n_items + 1)]
    contracts = {
        f.id: tuple(
            ContractPrice(
                f.id,
                f"C-{k}",
                draw(prices),
                valid_from=date(2026, draw(st.integers(1, 12)), 1),
                valid_to=draw(st.sampled_from([None, date(2026, 11, 1), date(2027, 1, 1)])),
                min_quantity=draw(decimals("1", "200", 0)),
            )
            for k in range(draw(st.integers(0, 2)))
        )
        for f in facts
    }
    rules = [
        PriceListRule(
            item_id=draw(st.sampled_from([None, *[f.id for f in facts]])),
            category=draw(st.sampled_from(["bearings", "fasteners"])),
            fixed_price=draw(st.none() | prices),
            percent_off=draw(st.none() | percents),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    breaks = {
        f.id: tuple(
            BreakRule(
                f.id,
                draw(decimals("1", "1000", 0)),
                price=draw(st.none() | prices),
                percent_off=draw(st.none() | percents),
                price_list_id=draw(st.sampled_from([None, 7])),
                price_list_code="DIST",
            )
            for _ in range(draw(st.integers(0, 3)))
        )
        for f in facts
    }
    promotion = draw(
        st.none()
        | st.builds(
            PromotionRule,
            code=st.just("PROMO"),
            valid_from=st.just(date(2026, 11, 1)),
            valid_to=st.just(date(2026, 12, 31)),
            item_category=st.sampled_from(["", "bearings"]),
            percent_off=st.none() | percents,
            amount_off=st.none() | decimals("0", "10000", 2),
        )
    )
    return PricingContext(
        customer=CustomerTerms(
            1,
            "C1",
            currency=draw(st.sampled_from(["USD", "JPY", "KWD"])),
            freight_terms=draw(st.sampled_from(["prepaid", "collect", "prepaid_add"])),
            free_freight_threshold=draw(st.none() | decimals("0", "100000", 2)),
        ),
        order_date=TODAY,
        items={f.id: f for f in facts},
        contracts=contracts,
        price_list=PriceListInfo.of(7, "DIST", rules) if draw(st.booleans()) else None,
        breaks=breaks,
        promotion=promotion,
        margin_floor_percent=draw(percents),
        tax_table=TAX,
        ship_to=draw(st.sampled_from([None, ShipTo("US", "IL"), ShipTo("CA", "QC")])),
    )


def _valid_qty(item: ItemFacts, qty: Decimal) -> Decimal:
    """The smallest valid quantity at or above `qty` (so lines are accepted as input)."""
    check = check_quantity(item, qty)
    return qty if check.ok else check.propose_up  # type: ignore[return-value]


@settings(max_examples=200, deadline=None)
@given(data=st.data(), n=st.integers(1, 6))
def test_order_totals_are_the_sum_of_rounded_lines(data: st.DataObject, n: int) -> None:
    ctx = data.draw(contexts(n))
    requests = [
        LineRequest(
            item_id=item_id,
            quantity=_valid_qty(ctx.items[item_id], data.draw(quantities)),
            discount_percent=data.draw(percents),
        )
        for item_id in ctx.items
    ]
    order = price_order(ctx, requests)
    for line in order.lines:
        assert line.extended == round_money(line.quantity * line.net_price, ctx.currency)
        assert line.extended == round_money(line.extended, ctx.currency)
    assert order.subtotal == sum((line.extended for line in order.lines), Decimal(0))
    assert order.tax.amount == sum((t.amount for t in order.tax.lines), Decimal(0))
    assert order.total == order.subtotal + order.freight.charge + order.tax.amount
    assert order.total == round_money(order.total, ctx.currency)


@settings(max_examples=400, deadline=None)
@given(item=items(), qty=decimals("0.001", "100000", 3))
def test_quantity_proposals_satisfy_moq_and_multiple(item: ItemFacts, qty: Decimal) -> None:
    if not item.fractional_uom:
        qty = qty.to_integral_value() or Decimal(1)
    check = check_quantity(item, qty)
    step = quantity_step(item)
    proposals = [p for p in (check.propose_up, check.propose_down) if p is not None]
    if check.ok:
        assert not proposals
        assert qty >= item.moq and qty % step == 0
        return
    assert check.propose_up is not None and check.propose_up >= qty
    for proposal in proposals:
        assert proposal >= item.moq
        assert proposal % step == 0
        assert check_quantity(item, proposal).ok
        if not item.fractional_uom:
            assert proposal == proposal.to_integral_value()
    if check.propose_down is not None:
        assert check.propose_down < qty
        # nothing valid lies strictly between the two proposals and the asked quantity
        assert check.propose_up - check.propose_down == step


@settings(max_examples=300, deadline=None)
@given(ctx=contexts(), qty=quantities, pct=percents, amount=decimals("0", "50", 2))
def test_price_never_negative_and_discounts_never_raise_it(
    ctx: PricingContext, qty: Decimal, pct: Decimal, amount: Decimal
) -> None:
    plain = price_line(ctx, LineRequest(1, qty))
    assert plain.unit_price >= 0 and plain.net_price == plain.unit_price
    for rule in plain.rules:
        assert rule.price is None or rule.price >= 0
    discounted_pct = price_line(ctx, LineRequest(1, qty, discount_percent=pct))
    assert 0 <= discounted_pct.net_price <= plain.unit_price
    if amount <= discounted_pct.net_price:
        both = price_line(ctx, LineRequest(1, qty, discount_percent=pct, discount_amount=amount))
        assert 0 <= both.net_price <= discounted_pct.net_price <= both.unit_price
        assert both.extended >= 0


@settings(max_examples=300, deadline=None)
@given(ctx=contexts(), qty=quantities)
def test_without_a_contract_the_lowest_applicable_price_wins(
    ctx: PricingContext, qty: Decimal
) -> None:
    result = price_line(ctx, LineRequest(1, qty))
    assert [r.won for r in result.rules].count(True) == 1
    if result.step in (Step.PRICE_LIST, Step.BREAK, Step.PROMOTION):
        applicable = [
            r.price
            for r in result.rules
            if r.price is not None
            and r.step in (Step.PRICE_LIST, Step.BREAK, Step.PROMOTION)
            and ("above" in r.reason or "ties" in r.reason or r.won)
        ]
        assert result.unit_price == min(applicable)
