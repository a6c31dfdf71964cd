"""Pricing rules (domain.pricing), table-driven: every precedence step winning and losing, line
discounts and overrides, the margin floor, rounding, MOQ/multiples, freight, Incoterms, tax and
bad input."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from orderdesk_tui.domain.money import round_money
from orderdesk_tui.domain.pricing.checks import (
    INCOTERMS_2020,
    LineFieldError,
    check_incoterm,
    check_promotion,
    check_quantity,
)
from orderdesk_tui.domain.pricing.freight_tax import compute_tax, estimate_freight, parse_tax_table
from orderdesk_tui.domain.pricing.inputs import (
    BreakRule,
    ContractPrice,
    CustomerTerms,
    FreightRates,
    FreightTerms,
    ItemFacts,
    LineRequest,
    PriceListInfo,
    PriceListRule,
    PricingContext,
    PromotionRule,
    ShipTo,
    TaxRate,
    TaxTable,
)
from orderdesk_tui.domain.pricing.line_price import price_line
from orderdesk_tui.domain.pricing.order import price_hold_reason, price_order
from orderdesk_tui.domain.pricing.results import Step
from orderdesk_tui.errors import FieldError, RuleViolation
from orderdesk_tui.paths import bundled

D = Decimal
TODAY = date(2026, 11, 27)
DIST = 3

BEARING = ItemFacts(
    1, "6204-ZZ", D("12.6500"), D("6.0000"), "bearings", weight_kg=D("0.110")
)  # list 12.65
SCREW = ItemFacts(
    2,
    "HHCS-0250-20X050-ZP",
    D("0.0804"),
    D("0.0345"),
    "fasteners",
    moq=D(100),
    order_multiple=D(100),
    weight_kg=D("0.005"),
)
CHAIN = ItemFacts(
    3,
    "CHN-G70-0375",
    D("4.2000"),
    D("2.0000"),
    "rigging",
    uom="FT",
    fractional_uom=True,
    moq=D(5),
    order_multiple=D("0.5"),
    weight_kg=D("0.450"),
)
ITEMS = {i.id: i for i in (BEARING, SCREW, CHAIN)}
TAX = parse_tax_table(bundled("data/tax_rates.csv").read_text(encoding="utf-8"))


def contract(ref: str, price: str, **kw: Any) -> ContractPrice:
    kw.setdefault("valid_from", date(2026, 1, 1))
    return ContractPrice(item_id=BEARING.id, ref=ref, price=D(price), **kw)


def dist(*rules: PriceListRule) -> PriceListInfo:
    return PriceListInfo.of(DIST, "DIST", rules)


def brk(min_qty: int, *, price: str | None = None, pct: str | None = None, own: bool = False):
    return BreakRule(
        item_id=BEARING.id,
        min_quantity=D(min_qty),
        price=D(price) if price else None,
        percent_off=D(pct) if pct else None,
        price_list_id=DIST if own else None,
        price_list_code="DIST" if own else "",
    )


def promo(code: str = "SPRING10", **kw: Any) -> PromotionRule:
    kw.setdefault("valid_from", date(2026, 11, 1))
    kw.setdefault("valid_to", date(2026, 12, 31))
    return PromotionRule(code=code, **kw)


def make_ctx(
    *,
    contracts: tuple[ContractPrice, ...] = (),
    price_list: PriceListInfo | None = None,
    breaks: tuple[BreakRule, ...] = (),
    promotion: PromotionRule | None = None,
    group: str = "reseller",
    currency: str = "USD",
    floor: str = "8",
    **customer: Any,
) -> PricingContext:
    return PricingContext(
        customer=CustomerTerms(1, "GLMS01", currency=currency, customer_group=group, **customer),
        order_date=TODAY,
        items=ITEMS,
        contracts={BEARING.id: contracts} if contracts else {},
        price_list=price_list,
        breaks={BEARING.id: breaks} if breaks else {},
        promotion=promotion,
        margin_floor_percent=D(floor),
        tax_table=TAX,
    )


# --------------------------------------------------------------------------- precedence

CAT_30 = PriceListRule(category="bearings", percent_off=D(30))  # 8.8550
ITEM_FIXED = PriceListRule(item_id=BEARING.id, fixed_price=D("9.1000"))
ITEM_12 = PriceListRule(item_id=BEARING.id, percent_off=D(12))  # 11.1320

PRECEDENCE = [
    pytest.param(
        {},
        20,
        "12.6500",
        "list",
        {"list": "no other rule applies", "price list": "customer has none"},
        id="list-when-nothing-else",
    ),
    pytest.param(
        {
            "contracts": (contract("C-1042", "7.5000"),),
            "price_list": dist(CAT_30),
            "breaks": (brk(10, price="7.0000"),),
            "promotion": promo(percent_off=D(50)),
        },
        20,
        "7.5000",
        "contract C-1042",
        {
            "contract C-1042": "a contract price is net",
            "price list DIST -30% bearings": "contract C-1042 takes precedence",
            "break 10+": "contract C-1042 takes precedence",
            "promo SPRING10": "contract prices are net",
            "list": "contract C-1042 applies",
        },
        id="contract-wins-even-over-lower-prices",
    ),
    pytest.param(
        {
            "contracts": (contract("C-77", "7.0000", valid_to=date(2026, 10, 31)),),
            "price_list": dist(CAT_30),
        },
        20,
        "8.8550",
        "price list DIST -30% bearings",
        {"contract C-77": "expired 2026-10-31", "price list DIST -30% bearings": "lowest"},
        id="contract-expired-price-list-wins",
    ),
    pytest.param(
        {
            "contracts": (contract("C-90", "7.0000", valid_from=date(2026, 12, 1)),),
            "price_list": dist(CAT_30),
        },
        20,
        "8.8550",
        "price list DIST -30% bearings",
        {"contract C-90": "starts 2026-12-01"},
        id="contract-not-yet-valid",
    ),
    pytest.param(
        {"contracts": (contract("C-50", "7.0000", min_quantity=D(50)),)},
        20,
        "12.6500",
        "list",
        {"contract C-50": "needs qty 50", "list": "no other rule applies"},
        id="contract-min-qty-not-met",
    ),
    pytest.param(
        {"contracts": (contract("C-50", "7.0000", min_quantity=D(50)),)},
        50,
        "7.0000",
        "contract C-50",
        {"contract C-50": "min qty 50"},
        id="contract-min-qty-met",
    ),
    pytest.param(
        {"contracts": (contract("C-1", "8.0000"), contract("C-2", "7.2500"))},
        5,
        "7.2500",
        "contract C-2",
        {"contract C-1": "contract C-2 7.2500 is lower"},
        id="lowest-of-two-contracts",
    ),
    pytest.param(
        {"price_list": dist(ITEM_FIXED, CAT_30)},
        5,
        "9.1000",
        "price list DIST net",
        {
            "price list DIST net": "fixed price",
            "price list DIST -30% bearings": "the item's own entry comes first",
        },
        id="price-list-item-entry-before-category",
    ),
    pytest.param(
        {"price_list": dist(ITEM_12)},
        5,
        "11.1320",
        "price list DIST -12%",
        {"price list DIST -12%": "12% off list 12.6500", "list": "price list DIST -12% applies"},
        id="price-list-percent-off-item",
    ),
    pytest.param(
        {"price_list": dist(PriceListRule(category="safety", percent_off=D(20)))},
        5,
        "12.6500",
        "list",
        {"price list DIST": "no entry for 6204-ZZ or category bearings"},
        id="price-list-without-entry-loses",
    ),
    pytest.param(
        {"price_list": dist(CAT_30), "breaks": (brk(20, price="8.0000", own=True),)},
        20,
        "8.0000",
        "break 20+ (DIST)",
        {"price list DIST -30% bearings": "above break 20+ (DIST) 8.0000"},
        id="price-list-break-beats-price-list",
    ),
    pytest.param(
        {"price_list": dist(CAT_30), "breaks": (brk(20, price="8.0000", own=True),)},
        19,
        "8.8550",
        "price list DIST -30% bearings",
        {"break 20+ (DIST)": "needs qty 20"},
        id="break-not-reached-loses",
    ),
    pytest.param(
        {"breaks": (brk(500, pct="50"), brk(100, pct="40"), brk(10, pct="5"))},
        150,
        "7.5900",
        "break 100+",
        {
            "break 100+": "40% off list",
            "break 500+": "needs qty 500",
            "break 10+": "above break 100+ 7.5900",
        },
        id="general-break-highest-tier-reached",
    ),
    pytest.param(
        {"price_list": dist(CAT_30), "breaks": (brk(100, pct="5"),)},
        150,
        "8.8550",
        "price list DIST -30% bearings",
        {"break 100+": "above price list DIST -30% bearings 8.8550"},
        id="general-break-loses-to-better-price-list",
    ),
    pytest.param(
        {
            "breaks": (
                BreakRule(BEARING.id, D(1), price=D("1.0000"), price_list_id=99),
                brk(1, pct="10"),
            )
        },
        5,
        "11.3850",
        "break 1+",
        {},
        id="break-of-another-price-list-ignored",
    ),
    pytest.param(
        {"price_list": dist(CAT_30), "promotion": promo("BIG35", percent_off=D(35))},
        5,
        "8.2225",
        "promo BIG35",
        {"promo BIG35": "35% off list", "price list DIST -30% bearings": "above promo BIG35"},
        id="promotion-beats-price-list",
    ),
    pytest.param(
        {"price_list": dist(CAT_30), "promotion": promo(percent_off=D(10))},
        5,
        "8.8550",
        "price list DIST -30% bearings",
        {"promo SPRING10": "above price list DIST -30% bearings 8.8550"},
        id="promotion-not-stacked-loses-when-higher",
    ),
    pytest.param(
        {"price_list": dist(CAT_30), "promotion": promo(percent_off=D(30))},
        5,
        "8.8550",
        "price list DIST -30% bearings",
        {"promo SPRING10": "ties with price list DIST -30% bearings"},
        id="tie-goes-to-earlier-step",
    ),
    pytest.param(
        {"promotion": promo(percent_off=D(15), customer_group="mro")},
        5,
        "12.6500",
        "list",
        {"promo SPRING10": "for customer group mro"},
        id="promotion-for-another-group",
    ),
    pytest.param(
        {"promotion": promo(percent_off=D(15), item_category="safety")},
        5,
        "12.6500",
        "list",
        {"promo SPRING10": "for category safety"},
        id="promotion-for-another-category",
    ),
    pytest.param(
        {"promotion": promo("HB-2OFF", item_id=BEARING.id, amount_off=D("2.00"))},
        5,
        "10.6500",
        "promo HB-2OFF",
        {"promo HB-2OFF": "2.00 off list"},
        id="promotion-amount-off-for-item",
    ),
    pytest.param(
        {"promotion": promo(percent_off=D(10), valid_to=date(2026, 11, 26))},
        5,
        "12.6500",
        "list",
        {"promo SPRING10": "ended 2026-11-26"},
        id="promotion-out-of-dates-loses",
    ),
]


@pytest.mark.parametrize(("setup", "qty", "price", "source", "reasons"), PRECEDENCE)
def test_precedence(
    setup: dict[str, Any], qty: int, price: str, source: str, reasons: dict[str, str]
) -> None:
    result = price_line(make_ctx(**setup), LineRequest(BEARING.id, qty))
    assert result.unit_price == D(price)
    assert result.price_source == source
    winner = result.rules[0]
    assert winner.won and winner.label == source and winner.price == D(price)
    assert [r.label for r in result.rules if r.won] == [source]
    by_label = {r.label: r.reason for r in result.rules}
    for label, fragment in reasons.items():
        assert fragment in by_label[label], (label, by_label[label])


def test_every_step_is_explained_even_when_absent() -> None:
    result = price_line(make_ctx(), LineRequest(BEARING.id, 1))
    steps = {r.step for r in result.rules}
    assert steps == {Step.CONTRACT, Step.PRICE_LIST, Step.BREAK, Step.PROMOTION, Step.LIST}


def test_explain_answers_why_this_price() -> None:
    ctx = make_ctx(
        contracts=(contract("C-77", "7.0000", valid_to=date(2026, 10, 31)),),
        price_list=dist(CAT_30),
        breaks=(brk(500, pct="45"),),
    )
    text = price_line(ctx, LineRequest(BEARING.id, 20, discount_percent="5")).explain()
    lines = text.splitlines()
    assert lines[0] == (
        "6204-ZZ x 20 EA: 8.8550 from price list DIST -30% bearings, net 8.4123 after line discount"
    )
    assert "✗ contract C-77 7.0000: expired 2026-10-31" in text
    assert "✗ break 500+ 6.9575: needs qty 500" in text
    assert "✓ line discount 5% 8.4123" in text


# --------------------------------------------------------------------------- explicit contract


def test_explicit_contract_is_used_even_if_another_is_lower() -> None:
    ctx = make_ctx(contracts=(contract("C-1", "9.0000"), contract("C-2", "7.0000")))
    result = price_line(ctx, LineRequest(BEARING.id, 5, contract_ref="C-1"))
    assert (result.unit_price, result.price_source) == (D("9.0000"), "contract C-1")


@pytest.mark.parametrize(
    ("ref", "rule"),
    [
        ("C-404", "no contract C-404 for GLMS01 on 6204-ZZ"),
        ("C-77", "contract C-77 expired 2026-10-31"),
        ("C-90", "contract C-90 starts 2026-12-01"),
        ("C-50", "contract C-50 needs qty 50"),
    ],
)
def test_explicit_contract_that_does_not_apply_is_refused(ref: str, rule: str) -> None:
    ctx = make_ctx(
        contracts=(
            contract("C-77", "7.0000", valid_to=date(2026, 10, 31)),
            contract("C-90", "7.0000", valid_from=date(2026, 12, 1)),
            contract("C-50", "7.0000", min_quantity=D(50)),
        )
    )
    with pytest.raises(FieldError) as err:
        price_line(ctx, LineRequest(BEARING.id, 5, contract_ref=ref))
    assert (err.value.field, err.value.rule) == ("contract_ref", rule)


# --------------------------------------------------------------------------- discounts, override


@pytest.mark.parametrize(
    ("pct", "amount", "net"),
    [
        ("0", "0", "12.6500"),
        ("7.5", "0", "11.7013"),  # 11.70125 rounds half-up at 4 places
        ("0", "0.65", "12.0000"),
        ("10", "1.00", "10.3850"),  # % first, then the amount off
        ("100", "0", "0.0000"),
    ],
)
def test_line_discount_percent_then_amount(pct: str, amount: str, net: str) -> None:
    result = price_line(
        make_ctx(), LineRequest(BEARING.id, 3, discount_percent=pct, discount_amount=amount)
    )
    assert result.unit_price == D("12.6500")
    assert result.net_price == D(net)
    assert result.extended == round_money(3 * D(net))
    assert result.price_source == "list"


def test_override_replaces_the_precedence_price_and_keeps_the_reason() -> None:
    ctx = make_ctx(price_list=dist(CAT_30))
    result = price_line(
        ctx,
        LineRequest(BEARING.id, 10, override_price="8.25", override_reason=" match quote Q-118 "),
    )
    assert (result.unit_price, result.base_price) == (D("8.2500"), D("8.8550"))
    assert result.price_source == "override" and result.overridden
    assert result.override_reason == "match quote Q-118"
    first, replaced = result.rules[0], result.rules[1]
    assert first.step is Step.OVERRIDE and first.won
    assert "replaces price list DIST -30% bearings 8.8550: match quote Q-118" in first.reason
    assert replaced.label == "price list DIST -30% bearings" and not replaced.won
    assert "overridden" in replaced.reason


def test_override_then_discount() -> None:
    result = price_line(
        make_ctx(),
        LineRequest(
            BEARING.id, 4, override_price="10", override_reason="quote", discount_percent="10"
        ),
    )
    assert (result.unit_price, result.net_price, result.extended) == (
        D("10.0000"),
        D("9.0000"),
        D("36.00"),
    )


# --------------------------------------------------------------------------- margin floor


@pytest.mark.parametrize(
    ("price", "floor", "below"),
    [
        ("6.4800", "8", False),  # exactly cost 6.00 + 8 %
        ("6.4799", "8", True),
        ("6.0000", "0", False),
        ("5.9999", "0", True),
        ("7.0000", "20", True),
    ],
)
def test_margin_floor(price: str, floor: str, below: bool) -> None:
    result = price_line(
        make_ctx(floor=floor),
        LineRequest(BEARING.id, 1, override_price=price, override_reason="test"),
    )
    assert result.below_floor is below
    if below:
        assert "under the margin floor" in result.margin_message
        assert f"cost 6.0000 + {floor}%" in result.margin_message


def test_a_discount_can_push_a_line_under_the_floor() -> None:
    ctx = make_ctx(price_list=dist(CAT_30))  # 8.8550, floor 6.48
    assert not price_line(ctx, LineRequest(BEARING.id, 1)).below_floor
    assert price_line(ctx, LineRequest(BEARING.id, 1, discount_percent="30")).below_floor


def test_order_needs_price_hold_and_says_why() -> None:
    ctx = make_ctx()
    order = price_order(
        ctx,
        [
            LineRequest(BEARING.id, 1),
            LineRequest(BEARING.id, 2, override_price="5.00", override_reason="damaged box"),
        ],
    )
    assert order.needs_price_hold
    assert [line.line_no for line in order.below_floor] == [2]
    assert price_hold_reason(order.lines) == (
        "line 2 6204-ZZ: net 5.0000 is under the margin floor 6.4800 (cost 6.0000 + 8%)"
    )


def test_price_hold_reason_fits_the_hold_column() -> None:
    ctx = make_ctx()
    lines = price_order(
        ctx,
        [LineRequest(BEARING.id, 1, override_price="1", override_reason="x")] * 30,
    ).lines
    reason = price_hold_reason(lines)
    assert len(reason) <= 400
    assert reason.startswith("line 1 6204-ZZ: net 1.0000")
    assert reason.endswith("more")


# --------------------------------------------------------------------------- rounding and totals


def test_rounding_half_up_per_line_then_totals() -> None:
    ctx = make_ctx()
    # 0.0805 x 100 = 8.05 exactly; 0.0804 x 150... SCREW list 0.0804
    order = price_order(
        ctx,
        [
            LineRequest(SCREW.id, 100, override_price="0.0805", override_reason="r"),  # 8.05
            LineRequest(SCREW.id, 50, override_price="0.0805", override_reason="r"),  # 4.025
            LineRequest(SCREW.id, 50, override_price="0.0805", override_reason="r"),  # 4.025
        ],
        ship_to=ShipTo("US", "OR"),
    )
    assert [line.extended for line in order.lines] == [D("8.05"), D("4.03"), D("4.03")]
    assert order.subtotal == D("16.11")  # not round(16.10) of the unrounded sum
    assert order.total == order.subtotal + order.freight.charge + order.tax.amount


def test_zero_decimal_currency_rounds_to_whole_units() -> None:
    ctx = make_ctx(currency="JPY")
    result = price_line(
        ctx, LineRequest(BEARING.id, 3, override_price="1234.5", override_reason="yen quote")
    )
    assert result.extended == D("3704")  # 3703.5 rounds half-up


# --------------------------------------------------------------------------- MOQ and multiples

MOQ_CASES = [
    # moq, multiple, fractional, qty, problems, up, down
    ("1", "1", False, "7", 0, None, None),
    ("100", "100", False, "100", 0, None, None),
    ("100", "100", False, "150", 1, "200", "100"),
    ("100", "100", False, "50", 2, "100", None),
    ("100", "100", False, "100", 0, None, None),
    ("250", "100", False, "250", 1, "300", None),  # multiples count from zero
    ("250", "100", False, "420", 1, "500", "400"),
    ("12", "1", False, "5", 1, "12", None),
    ("5", "0.5", True, "7.25", 1, "7.5", "7"),
    ("5", "0.5", True, "2.5", 1, "5", None),
    ("0.5", "0", True, "0.125", 1, "0.5", None),  # no multiple: any quantity from the MOQ
    ("1", "0.5", False, "3", 0, None, None),  # whole units: the step becomes 1
]


@pytest.mark.parametrize(("moq", "mult", "frac", "qty", "problems", "up", "down"), MOQ_CASES)
def test_moq_and_multiples(
    moq: str, mult: str, frac: bool, qty: str, problems: int, up: str | None, down: str | None
) -> None:
    item = replace(CHAIN, moq=D(moq), order_multiple=D(mult), fractional_uom=frac)
    check = check_quantity(item, D(qty))
    assert len(check.problems) == problems
    assert check.ok is (problems == 0)
    assert check.propose_up == (D(up) if up else None)
    assert check.propose_down == (D(down) if down else None)


def test_quantity_message_on_the_line() -> None:
    result = price_line(make_ctx(), LineRequest(SCREW.id, 150))
    assert result.quantity_check.message == "not a multiple of 100 EA; order 200 or 100"
    assert "! quantity: not a multiple of 100 EA" in result.explain()
    result = price_line(make_ctx(), LineRequest(SCREW.id, 40))
    assert result.quantity_check.message == (
        "below the minimum order quantity 100 EA; not a multiple of 100 EA; order 100"
    )


def test_fractional_quantity_where_the_unit_allows() -> None:
    result = price_line(make_ctx(), LineRequest(CHAIN.id, "12.5"))
    assert result.quantity == D("12.5") and result.quantity_check.ok
    assert result.extended == D("52.50")
    assert result.weight_kg == D("5.6250")


# --------------------------------------------------------------------------- freight


@pytest.mark.parametrize(
    ("terms", "weight", "subtotal", "threshold", "charge", "estimate", "says"),
    [
        ("prepaid", "100", "500.00", None, "0.00", "185.00", "prepaid: freight is ours"),
        ("collect", "100", "500.00", None, "0.00", "185.00", "collect"),
        ("third_party", "100", "500.00", None, "0.00", "185.00", "third party"),
        ("prepaid_add", "100", "500.00", None, "185.00", "185.00", "100 kg at 1.85/kg"),
        ("prepaid_add", "2", "500.00", None, "12.50", "12.50", "min 12.50"),
        ("prepaid_add", "100", "1499.99", "1500.00", "185.00", "185.00", "0.01 to go"),
        ("prepaid_add", "100", "1500.00", "1500.00", "0.00", "185.00", "free freight"),
        ("PREPAID_ADD", "0.333", "10.00", None, "12.50", "12.50", "prepaid & add"),
    ],
)
def test_freight(
    terms: str,
    weight: str,
    subtotal: str,
    threshold: str | None,
    charge: str,
    estimate: str,
    says: str,
) -> None:
    quote = estimate_freight(
        terms=terms,
        weight_kg=D(weight),
        subtotal=D(subtotal),
        free_threshold=D(threshold) if threshold else None,
        rates=FreightRates(D("1.85"), D("12.50")),
        currency="USD",
    )
    assert (quote.charge, quote.estimate) == (D(charge), D(estimate))
    assert says in quote.explanation


def test_order_freight_uses_customer_terms_and_threshold() -> None:
    ctx = make_ctx(freight_terms="prepaid_add", free_freight_threshold=D("100.00"))
    small = price_order(ctx, [LineRequest(BEARING.id, 2)])
    assert small.freight.terms is FreightTerms.PREPAID_ADD
    assert small.freight.charge == D("12.50")
    big = price_order(ctx, [LineRequest(BEARING.id, 10)])  # 126.50 >= 100
    assert big.freight.charge == D("0.00")
    collect = price_order(ctx, [LineRequest(BEARING.id, 2)], freight_terms="collect")
    assert collect.freight.charge == D("0.00")


# --------------------------------------------------------------------------- Incoterms


def test_the_eleven_incoterms_2020() -> None:
    assert sorted(INCOTERMS_2020) == sorted(
        ["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"]
    )
    for code in INCOTERMS_2020:
        assert check_incoterm(code.lower(), " Laredo, TX ") == (code, "Laredo, TX")
    assert check_incoterm("", "") == ("", "")


@pytest.mark.parametrize(
    ("code", "place", "field", "fragment"),
    [
        ("XYZ", "Chicago", "incoterm", "'XYZ' is not an Incoterms 2020 rule"),
        ("DAT", "Rotterdam", "incoterm", "DAT was replaced by DPU"),
        ("FCA", "  ", "incoterm_place", "FCA (Free Carrier) needs a named place"),
        ("", "Stuttgart", "incoterm", "needs an Incoterm"),
    ],
)
def test_bad_incoterm(code: str, place: str, field: str, fragment: str) -> None:
    with pytest.raises(FieldError) as err:
        check_incoterm(code, place)
    assert err.value.field == field and fragment in err.value.rule


def test_order_carries_the_incoterm() -> None:
    ctx = make_ctx(incoterm="DAP", incoterm_place="Stuttgart, DE")
    assert (price_order(ctx, []).incoterm, price_order(ctx, []).incoterm_place) == (
        "DAP",
        "Stuttgart, DE",
    )
    order = price_order(ctx, [], incoterm="fca", incoterm_place="Laredo, TX")
    assert (order.incoterm, order.incoterm_place) == ("FCA", "Laredo, TX")
    with pytest.raises(FieldError, match="incoterm_place"):
        price_order(ctx, [], incoterm="EXW", incoterm_place="")


# --------------------------------------------------------------------------- tax


def test_bundled_tax_table() -> None:
    table = parse_tax_table(bundled("data/tax_rates.csv").read_text(encoding="utf-8"))
    us = [k for k in table.rates if k[0] == "US"]
    assert len(us) == 51  # 50 states + DC
    for state in ("OR", "MT", "NH", "DE", "AK"):
        assert table.lookup("US", state)[0].rate_percent == 0  # type: ignore[index]
    assert [r.rate_percent for r in table.lookup("CA", "QC") or ()] == [D("5"), D("9.975")]
    assert [r.name for r in table.lookup("CA", "ON") or ()] == ["HST"]
    provinces = {k[1] for k in table.rates if k[0] == "CA"}
    assert len(provinces) == 13
    assert table.lookup("MX", "NLE")[0].rate_percent == 16  # type: ignore[index]
    assert table.lookup("DE", "BW")[0].rate_percent == 19  # type: ignore[index]


@pytest.mark.parametrize(
    ("ship_to", "goods", "freight", "amount", "says"),
    [
        (("US", "IL"), "1000.00", "50.00", "62.50", "US-IL: State sales tax 6.25%"),
        (("US", "OR"), "1000.00", "50.00", "0.00", "US-OR"),
        (("us", " tx "), "99.99", "0", "6.25", "US-TX"),  # 6.249375 -> 6.25
        (("CA", "QC"), "1000.00", "50.00", "157.24", "GST 5% + QST 9.975%"),  # 52.50 + 104.74
        (("CA", "ON"), "1000.00", "50.00", "136.50", "HST 13%"),
        (("DE", "BW"), "1000.00", "50.00", "0.00", "export to DE"),
        (("MX", "NLE"), "1000.00", "50.00", "0.00", "export to MX"),
    ],
)
def test_tax_by_ship_to(
    ship_to: tuple[str, str], goods: str, freight: str, amount: str, says: str
) -> None:
    quote = compute_tax(
        table=make_ctx().tax_table,
        ship_to=ShipTo(*ship_to),
        goods=D(goods),
        freight=D(freight),
        currency="USD",
    )
    assert quote.amount == D(amount)
    assert says in quote.explanation
    assert quote.amount == sum((line.amount for line in quote.lines), D("0.00"))


def test_tax_components_round_separately() -> None:
    quote = compute_tax(
        table=make_ctx().tax_table,
        ship_to=ShipTo("CA", "QC"),
        goods=D("10.10"),
        freight=D("0"),
        currency="USD",
    )
    assert [line.amount for line in quote.lines] == [D("0.51"), D("1.01")]  # 0.505, 1.007475


def test_exempt_customer_pays_no_tax() -> None:
    quote = compute_tax(
        table=make_ctx().tax_table,
        ship_to=ShipTo("US", "MI"),
        goods=D("1000.00"),
        freight=D("0"),
        currency="USD",
        exempt_certificate="MI-IND-PROC-55120",
    )
    assert quote.exempt and quote.amount == 0
    assert quote.explanation == "exempt: certificate MI-IND-PROC-55120"


def test_registered_abroad_charges_local_tax_and_reverse_charges_intra_eu() -> None:
    table = make_ctx().tax_table
    mx = compute_tax(
        table=table,
        ship_to=ShipTo("MX", "JAL"),
        goods=D("100.00"),
        freight=D("10.00"),
        currency="MXN",
        registrations=frozenset({"MX"}),
    )
    assert mx.amount == D("17.60")
    nl_to_de = compute_tax(
        table=table,
        ship_to=ShipTo("DE", "BW"),
        goods=D("100.00"),
        freight=D("0"),
        currency="EUR",
        vat_id="DE814392765",
        registrations=frozenset({"NL"}),
    )
    assert nl_to_de.amount == 0 and "reverse charge" in nl_to_de.explanation
    nl_domestic = compute_tax(
        table=table,
        ship_to=ShipTo("NL", "ZH"),
        goods=D("100.00"),
        freight=D("0"),
        currency="EUR",
        vat_id="NL859312746B01",
        registrations=frozenset({"NL"}),
    )
    assert nl_domestic.amount == D("21.00")


def test_tax_needs_a_rate_for_a_taxable_region() -> None:
    with pytest.raises(FieldError) as err:
        compute_tax(
            table=TaxTable({("US", "IL"): (TaxRate("US", "IL", "sales", D("6.25")),)}),
            ship_to=ShipTo("US", "ZZ"),
            goods=D("1"),
            freight=D("0"),
            currency="USD",
        )
    assert err.value.field == "ship_to.region"


def test_no_ship_to_yet_means_no_tax() -> None:
    order = price_order(make_ctx(), [LineRequest(BEARING.id, 1)])
    assert order.tax.amount == 0 and "not computed" in order.tax.explanation


def test_whole_order() -> None:
    ctx = make_ctx(
        price_list=dist(CAT_30),
        freight_terms="prepaid_add",
        free_freight_threshold=D("1500.00"),
    )
    order = price_order(
        ctx,
        [
            LineRequest(BEARING.id, 20),  # 8.8550 x 20 = 177.10
            LineRequest(SCREW.id, 1000),  # list 0.0804 x 1000 = 80.40
            LineRequest(CHAIN.id, "7.5", discount_amount="0.20"),  # 4.00 x 7.5 = 30.00
        ],
        ship_to=ShipTo("CA", "ON"),
    )
    assert [line.extended for line in order.lines] == [D("177.10"), D("80.40"), D("30.00")]
    assert order.subtotal == D("287.50")
    assert order.freight.weight_kg == D("2.2") + D("5") + D("3.375")
    assert order.freight.charge == D("19.56")  # 10.575 kg x 1.85 = 19.56375
    assert order.tax.amount == D("39.92")  # HST 13 % of 287.50 + 19.56 = 39.9178
    assert order.total == D("346.98")
    assert not order.needs_price_hold
    assert [line.line_no for line in order.quantity_problems] == []


# --------------------------------------------------------------------------- bad input

BAD_LINES = [
    (LineRequest(BEARING.id, "abc"), "quantity", "'abc' is not a number"),
    (LineRequest(BEARING.id, ""), "quantity", "is not a number"),
    (LineRequest(BEARING.id, "NaN"), "quantity", "is not a number"),
    (LineRequest(BEARING.id, "Infinity"), "quantity", "is not a number"),
    (LineRequest(BEARING.id, "-5"), "quantity", "must be more than zero (got -5)"),
    (LineRequest(BEARING.id, 0), "quantity", "must be more than zero"),
    (LineRequest(BEARING.id, "2.5"), "quantity", "sold in whole EA; 2.5 is a fraction"),
    (LineRequest(CHAIN.id, "1.2345"), "quantity", "at most 3 decimal places"),
    (LineRequest(BEARING.id, "2000000000"), "quantity", "at most 1,000,000,000"),
    (
        LineRequest(BEARING.id, 1, override_price="12.34567", override_reason="x"),
        "unit_price",
        "at most 4 decimal places for USD",
    ),
    (
        LineRequest(BEARING.id, 1, override_price="-1", override_reason="x"),
        "unit_price",
        "must not be negative",
    ),
    (
        LineRequest(BEARING.id, 1, override_price="ten", override_reason="x"),
        "unit_price",
        "not a number",
    ),
    (LineRequest(BEARING.id, 1, override_price="9.99"), "override_reason", "needs a reason"),
    (
        LineRequest(BEARING.id, 1, override_price="9.99", override_reason="   "),
        "override_reason",
        "needs a reason",
    ),
    (LineRequest(BEARING.id, 1, discount_percent="120"), "discount_percent", "between 0 and 100"),
    (LineRequest(BEARING.id, 1, discount_percent="-1"), "discount_percent", "between 0 and 100"),
    (LineRequest(BEARING.id, 1, discount_percent="5.125"), "discount_percent", "2 decimal"),
    (LineRequest(BEARING.id, 1, discount_amount="13"), "discount_amount", "more than the unit"),
    (LineRequest(BEARING.id, 1, discount_amount="-0.5"), "discount_amount", "negative"),
]


@pytest.mark.parametrize(("request_", "field", "fragment"), BAD_LINES)
def test_bad_line_input(request_: LineRequest, field: str, fragment: str) -> None:
    with pytest.raises(FieldError) as err:
        price_line(make_ctx(), request_)
    assert err.value.field == field
    assert fragment in err.value.rule
    assert str(err.value).startswith(f"{field}: ")


def test_bad_line_in_an_order_names_the_line() -> None:
    with pytest.raises(LineFieldError) as err:
        price_order(make_ctx(), [LineRequest(BEARING.id, 1), LineRequest(BEARING.id, "x")])
    assert err.value.line_no == 2 and err.value.field == "quantity"
    assert str(err.value) == "line 2 quantity: 'x' is not a number"


def test_more_decimals_allowed_for_unit_prices_than_for_amounts_but_per_currency() -> None:
    ctx = make_ctx(currency="JPY")
    ok = price_line(ctx, LineRequest(BEARING.id, 1, override_price="0.25", override_reason="r"))
    assert ok.unit_price == D("0.2500")
    with pytest.raises(FieldError, match="at most 2 decimal places for JPY"):
        price_line(ctx, LineRequest(BEARING.id, 1, override_price="0.125", override_reason="r"))


def test_float_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        price_line(make_ctx(), LineRequest(BEARING.id, 2.5))  # type: ignore[arg-type]


def test_item_not_loaded() -> None:
    with pytest.raises(RuleViolation, match="not in the pricing context"):
        price_line(make_ctx(), LineRequest(999, 1))


def test_bad_freight_terms() -> None:
    with pytest.raises(FieldError) as err:
        price_order(make_ctx(), [], freight_terms="fob")
    assert err.value.field == "freight_terms"


@pytest.mark.parametrize(
    ("code", "found", "fragment"),
    [
        ("NOPE", None, "no promotion NOPE"),
        ("spring10", promo(percent_off=D(10), active=False), "is not active"),
        ("SPRING10", promo(percent_off=D(10), valid_to=date(2026, 11, 26)), "ended 2026-11-26"),
        ("SPRING10", promo(percent_off=D(10), valid_from=date(2026, 12, 1)), "starts 2026-12-01"),
    ],
)
def test_bad_promotion_code(code: str, found: PromotionRule | None, fragment: str) -> None:
    with pytest.raises(FieldError) as err:
        check_promotion(code, found, TODAY)
    assert err.value.field == "promotion_code" and fragment in err.value.rule


def test_good_and_empty_promotion_code() -> None:
    running = promo(percent_off=D(10))
    assert check_promotion(" spring10 ", running, TODAY) is running
    assert check_promotion("", None, TODAY) is None
