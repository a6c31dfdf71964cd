"""Pricing one line: the precedence of contract, price list, quantity breaks, promotion and list
(see the package doc), then the coordinator's override, the line discount and the margin floor.
Every rule looked at is kept, with why it won or lost."""

from datetime import date
from decimal import Decimal

from orderdesk_tui.domain.money import ZERO, round_money
from orderdesk_tui.domain.pricing.checks import (
    check_quantity,
    fail_field,
    parse_percent,
    parse_price,
    parse_quantity,
)
from orderdesk_tui.domain.pricing.inputs import (
    ContractPrice,
    ItemFacts,
    LineRequest,
    PriceListInfo,
    PriceListRule,
    PricingContext,
    PromotionRule,
)
from orderdesk_tui.domain.pricing.results import LineResult, RuleConsidered, Step
from orderdesk_tui.domain.pricing.units import HUNDRED, off_list, plain_number, round_price
from orderdesk_tui.errors import RuleViolation


def _contract_problem(contract: ContractPrice, on: date, qty: Decimal) -> str:
    if on < contract.valid_from:
        return f"starts {contract.valid_from}"
    if contract.valid_to is not None and on > contract.valid_to:
        return f"expired {contract.valid_to}"
    if qty < contract.min_quantity:
        return f"needs qty {plain_number(contract.min_quantity)}"
    return ""


def _contract_label(contract: ContractPrice) -> str:
    return f"contract {contract.ref}" if contract.ref else "contract"


def _price_list_candidate(
    price_list: PriceListInfo, rule: PriceListRule, item: ItemFacts
) -> tuple[Decimal, str, str] | None:
    scope = "" if rule.item_id is not None else f" {rule.category}"
    if rule.fixed_price is not None:
        return (
            round_price(rule.fixed_price),
            f"price list {price_list.code}{scope} net",
            "fixed price",
        )
    if rule.percent_off is not None:
        pct = plain_number(rule.percent_off)
        return (
            off_list(item.list_price, rule.percent_off),
            f"price list {price_list.code} -{pct}%{scope}",
            f"{pct}% off list {item.list_price}",
        )
    return None


def _promotion_miss(promo: PromotionRule, ctx: PricingContext, item: ItemFacts) -> str:
    if not promo.active:
        return "not active"
    if ctx.order_date < promo.valid_from:
        return f"starts {promo.valid_from}"
    if ctx.order_date > promo.valid_to:
        return f"ended {promo.valid_to}"
    if promo.customer_group and promo.customer_group != ctx.customer.customer_group:
        return f"for customer group {promo.customer_group}"
    if promo.item_category and promo.item_category != item.category:
        return f"for category {promo.item_category}"
    if promo.item_id is not None and promo.item_id != item.id:
        return "for another item"
    if promo.percent_off is None and promo.amount_off is None:
        return "gives no discount"
    return ""


def _promotion_price(promo: PromotionRule, list_price: Decimal) -> tuple[Decimal, str]:
    price = list_price
    parts = []
    if promo.percent_off is not None:
        price = price * (HUNDRED - promo.percent_off) / HUNDRED
        parts.append(f"{plain_number(promo.percent_off)}% off list")
    if promo.amount_off is not None:
        price = price - promo.amount_off
        parts.append(f"{promo.amount_off} off list")
    return round_price(max(price, ZERO)), " and ".join(parts)


#: A price a step offers, before the lowest one is chosen: (price, step, label, detail).
_Candidate = tuple[Decimal, Step, str, str]


def _contract_step(
    ctx: PricingContext,
    item: ItemFacts,
    qty: Decimal,
    contract_ref: str,
    line_no: int | None,
    considered: list[RuleConsidered | _Candidate],
) -> ContractPrice | None:
    """The lowest contract that applies (None if none does); the others go to `considered`.
    A contract referenced on the line must apply, else FieldError."""
    on = ctx.order_date
    contracts = ctx.contracts.get(item.id, ())
    ref = contract_ref.strip()
    if ref:
        contracts = tuple(c for c in contracts if c.ref == ref)
        if not contracts:
            fail_field(
                line_no,
                "contract_ref",
                f"no contract {ref} for {ctx.customer.code} on {item.part_number}",
            )
        problems = [_contract_problem(c, on, qty) for c in contracts]
        if all(problems):
            fail_field(line_no, "contract_ref", f"contract {ref} {problems[0]}")
    if not contracts:
        considered.append(
            RuleConsidered(Step.CONTRACT, "contract", None, False, "none for this customer/item")
        )
        return None
    best: ContractPrice | None = None
    for c in contracts:
        if not _contract_problem(c, on, qty) and (best is None or c.price < best.price):
            best = c
    for c in contracts:
        if c is best:
            continue
        problem = _contract_problem(c, on, qty)
        if not problem:
            assert best is not None
            problem = f"{_contract_label(best)} {best.price} is lower or equal"
        considered.append(
            RuleConsidered(Step.CONTRACT, _contract_label(c), c.price, False, problem)
        )
    return best


def _price_list_step(
    ctx: PricingContext, item: ItemFacts, considered: list[RuleConsidered | _Candidate]
) -> None:
    """The customer's price list: the item's own entry, else its category's."""
    price_list = ctx.price_list
    if price_list is None:
        considered.append(
            RuleConsidered(Step.PRICE_LIST, "price list", None, False, "customer has none")
        )
        return
    item_rule = price_list.by_item.get(item.id)
    cat_rule = price_list.by_category.get(item.category) if item.category else None
    if item_rule is None and cat_rule is None:
        considered.append(
            RuleConsidered(
                Step.PRICE_LIST,
                f"price list {price_list.code}",
                None,
                False,
                f"no entry for {item.part_number} or category {item.category or '-'}",
            )
        )
        return
    if item_rule is not None:
        found = _price_list_candidate(price_list, item_rule, item)
        if found is not None:
            considered.append((found[0], Step.PRICE_LIST, found[1], found[2]))
    if cat_rule is not None:
        found = _price_list_candidate(price_list, cat_rule, item)
        if found is not None:
            if item_rule is not None:
                considered.append(
                    RuleConsidered(
                        Step.PRICE_LIST,
                        found[1],
                        found[0],
                        False,
                        "the item's own entry comes first",
                    )
                )
            else:
                considered.append((found[0], Step.PRICE_LIST, found[1], found[2]))


def _break_step(
    ctx: PricingContext,
    item: ItemFacts,
    qty: Decimal,
    considered: list[RuleConsidered | _Candidate],
) -> None:
    """Quantity breaks of the customer's price list and general ones, each tier reached."""
    list_id = ctx.price_list.id if ctx.price_list is not None else None
    seen = False
    for brk in ctx.breaks.get(item.id, ()):
        if brk.price_list_id is not None and brk.price_list_id != list_id:
            continue
        percent_off: Decimal | None = None
        if brk.price is not None:
            price = round_price(brk.price)
        elif brk.percent_off is not None:
            percent_off = brk.percent_off
            price = off_list(item.list_price, percent_off)
        else:
            continue
        seen = True
        if qty < brk.min_quantity:
            considered.append(RuleConsidered(Step.BREAK, brk.label, price, False, brk.needs))
        else:
            detail = (
                "break price"
                if percent_off is None
                else f"{plain_number(percent_off)}% off list {item.list_price}"
            )
            considered.append((price, Step.BREAK, brk.label, detail))
    if not seen:
        considered.append(RuleConsidered(Step.BREAK, "break", None, False, "none for this item"))


def _promotion_step(
    ctx: PricingContext, item: ItemFacts, considered: list[RuleConsidered | _Candidate]
) -> None:
    promo = ctx.promotion
    if promo is None:
        considered.append(
            RuleConsidered(Step.PROMOTION, "promo", None, False, "no promotion code on the order")
        )
        return
    label = f"promo {promo.code}"
    miss = _promotion_miss(promo, ctx, item)
    if miss:
        considered.append(RuleConsidered(Step.PROMOTION, label, None, False, miss))
    else:
        price, detail = _promotion_price(promo, item.list_price)
        considered.append((price, Step.PROMOTION, label, detail))


def _base_price(
    ctx: PricingContext, item: ItemFacts, qty: Decimal, contract_ref: str, line_no: int | None
) -> tuple[Decimal, str, Step, list[RuleConsidered]]:
    """The precedence: (price, label of the winner, its step, every rule considered with the
    winner first and the others in the order of the steps)."""
    considered: list[RuleConsidered | _Candidate] = []
    contract = _contract_step(ctx, item, qty, contract_ref, line_no, considered)
    _price_list_step(ctx, item, considered)
    _break_step(ctx, item, qty, considered)
    _promotion_step(ctx, item, considered)

    best: _Candidate | None = None
    for entry in considered:
        if not isinstance(entry, RuleConsidered) and (best is None or entry[0] < best[0]):
            best = entry

    if contract is not None:
        price, step, label = round_price(contract.price), Step.CONTRACT, _contract_label(contract)
        valid_to = contract.valid_to or "open"
        winner = RuleConsidered(
            step,
            label,
            price,
            True,
            f"valid {contract.valid_from}..{valid_to}, min qty "
            f"{plain_number(contract.min_quantity)}; a contract price is net",
        )
    elif best is not None:
        price, step, label, detail = best
        winner = RuleConsidered(step, label, price, True, f"{detail}; lowest that applies")
    else:
        price, step, label = round_price(item.list_price), Step.LIST, "list"
        winner = RuleConsidered(step, label, price, True, "no other rule applies")

    rules = [winner]
    for entry in considered:
        if isinstance(entry, RuleConsidered):
            rules.append(entry)
            continue
        if entry is best and contract is None:
            continue
        c_price, c_step, c_label, c_detail = entry
        if contract is not None:
            reason = (
                "contract prices are net: no promotion on top"
                if c_step is Step.PROMOTION
                else f"{label} takes precedence"
            )
        elif c_price == price:
            reason = f"{c_detail}; ties with {label}, which comes first"
        else:
            reason = f"{c_detail}; above {label} {price}"
        rules.append(RuleConsidered(c_step, c_label, c_price, False, reason))
    if step is not Step.LIST:
        rules.append(RuleConsidered(Step.LIST, "list", item.list_price, False, f"{label} applies"))
    return price, label, step, rules


def price_line(
    ctx: PricingContext, request: LineRequest, *, line_no: int | None = None
) -> LineResult:
    """Price one line: the precedence, then the override, then the line discount; the margin
    floor and the MOQ/multiple check. Raises FieldError (or LineFieldError) for bad input."""
    line_no = request.line_no if line_no is None else line_no
    item = ctx.items.get(request.item_id)
    if item is None:
        raise RuleViolation(
            f"item {request.item_id} is not in the pricing context (load it with the order)"
        )
    currency = ctx.customer.currency
    qty = parse_quantity(request.quantity, item, line_no=line_no)
    pct = (
        ZERO
        if request.discount_percent is ZERO
        else parse_percent(request.discount_percent, line_no)
    )
    amount = (
        ZERO
        if request.discount_amount is ZERO
        else parse_price(request.discount_amount, currency, line_no, "discount_amount")
    )
    override: Decimal | None = None
    if request.override_price is not None and str(request.override_price).strip():
        override = parse_price(request.override_price, currency, line_no, "unit_price")
        if not request.override_reason.strip():
            fail_field(line_no, "override_reason", "a price override needs a reason")

    base, source, step, rules = _base_price(ctx, item, qty, request.contract_ref, line_no)

    unit = base
    if override is not None:
        replaced = rules[0]._replace(won=False, reason=f"{rules[0].reason}; overridden")
        reason = f"replaces {source} {base}: {request.override_reason.strip()}"
        rules = [
            RuleConsidered(Step.OVERRIDE, "override", override, True, reason),
            replaced,
            *rules[1:],
        ]
        unit, source, step = override, Step.OVERRIDE.value, Step.OVERRIDE

    net = unit
    if pct:
        net = round_price(net * (HUNDRED - pct) / HUNDRED)
    if amount:
        if amount > net:
            fail_field(line_no, "discount_amount", f"{amount} is more than the unit price {net}")
        net = net - amount
    if pct or amount:
        parts = [f"{plain_number(pct)}%"] if pct else []
        if amount:
            parts.append(f"{amount} off")
        label = "line discount " + " then ".join(parts)
        rules.insert(1, RuleConsidered(Step.DISCOUNT, label, net, True, f"{unit} -> {net}"))

    floor = item.cost * (HUNDRED + ctx.margin_floor_percent) / HUNDRED
    return LineResult(
        line_no=line_no,
        item_id=item.id,
        part_number=item.part_number,
        quantity=qty,
        uom=item.uom,
        currency=currency,
        list_price=item.list_price,
        base_price=base,
        unit_price=unit,
        net_price=net,
        discount_percent=pct,
        discount_amount=amount,
        price_source=source,
        step=step,
        override_reason=request.override_reason.strip() if override is not None else "",
        extended=round_money(qty * net, currency),
        rules=tuple(rules),
        cost=item.cost,
        floor_price=floor,
        margin_floor_percent=ctx.margin_floor_percent,
        below_floor=net < floor,
        quantity_check=check_quantity(item, qty),
        weight_kg=qty * item.weight_kg,
    )
