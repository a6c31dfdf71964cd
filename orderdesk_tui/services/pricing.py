"""Pricing use cases: load a customer's pricing inputs once, then price lines and orders with
the pure rules in `domain.pricing`, and put a price hold on an order whose prices are under the
margin floor.

    ctx = load_pricing_context(store, customer_id, date.today(), item_ids, "SPRING10")
    result = price_order(ctx, [LineRequest(item_id, "100"), ...])   # pure, no store
    with store.session() as session:
        apply_price_hold_if_needed(session, order, result, actor="casey")
"""

from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from orderdesk_tui.config import Settings
from orderdesk_tui.domain.pricing import line_price
from orderdesk_tui.domain.pricing import order as order_rules
from orderdesk_tui.domain.pricing.checks import check_promotion
from orderdesk_tui.domain.pricing.freight_tax import parse_tax_table
from orderdesk_tui.domain.pricing.inputs import (
    BreakRule,
    ContractPrice,
    CustomerTerms,
    FreightRates,
    ItemFacts,
    LineRequest,
    PriceListInfo,
    PriceListRule,
    PricingContext,
    PromotionRule,
    ShipTo,
    TaxTable,
)
from orderdesk_tui.domain.pricing.order import price_hold_reason
from orderdesk_tui.domain.pricing.results import LineResult, OrderPricing
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import (
    Address,
    Customer,
    Hold,
    Item,
    PriceAgreement,
    PriceList,
    PriceListEntry,
    Promotion,
    QuantityBreak,
    SalesOrder,
    SalesOrderLine,
)
from orderdesk_tui.models.base import HoldKind
from orderdesk_tui.paths import bundled
from orderdesk_tui.services.holds import place_hold
from orderdesk_tui.store import Store

#: Countries where this desk's company collects sales tax (US entity, Canadian DC). Everything
#: else is an export. A setting would be the natural home for this (see the pricing note).
DEFAULT_TAX_REGISTRATIONS = frozenset({"US", "CA"})


@lru_cache(maxsize=4)
def load_tax_table(path: Path | None = None) -> TaxTable:
    """The tax table (bundled `data/tax_rates.csv` unless a path is given), read once."""
    path = path or bundled("data/tax_rates.csv")
    return parse_tax_table(path.read_text(encoding="utf-8"))


def _item_facts(item: Item) -> ItemFacts:
    assert item.id is not None
    return ItemFacts(
        id=item.id,
        part_number=item.part_number,
        list_price=item.list_price,
        cost=item.cost,
        category=item.category,
        uom=item.uom,
        fractional_uom=item.fractional_uom,
        moq=item.moq,
        order_multiple=item.order_multiple,
        weight_kg=item.weight_kg,
    )


def _customer_terms(customer: Customer) -> CustomerTerms:
    assert customer.id is not None
    return CustomerTerms(
        id=customer.id,
        code=customer.code,
        currency=customer.currency,
        customer_group=customer.customer_group,
        tax_exempt_certificate=customer.tax_exempt_certificate,
        tax_id=customer.tax_id,
        tax_id_type=customer.tax_id_type,
        freight_terms=customer.freight_terms,
        free_freight_threshold=customer.free_freight_threshold,
        incoterm=customer.incoterm,
        incoterm_place=customer.incoterm_place,
    )


def load_pricing_context(
    store: Store,
    customer_id: int,
    order_date: date,
    item_ids: Iterable[int],
    promotion_code: str = "",
    *,
    ship_to_id: int | None = None,
    settings: Settings | None = None,
    tax_registrations: frozenset[str] = DEFAULT_TAX_REGISTRATIONS,
) -> PricingContext:
    """Read everything pricing needs for these items in one short read transaction.

    Raises FieldError for an unknown customer, item or ship-to, and for a promotion code that
    does not exist, is paused or is not running on `order_date`. Writes nothing.
    """
    with store.session() as session:
        return load_pricing_context_in(
            session,
            customer_id,
            order_date,
            item_ids,
            promotion_code,
            ship_to_id=ship_to_id,
            settings=settings,
            tax_registrations=tax_registrations,
        )


def load_pricing_context_in(
    session: Session,
    customer_id: int,
    order_date: date,
    item_ids: Iterable[int],
    promotion_code: str = "",
    *,
    ship_to_id: int | None = None,
    settings: Settings | None = None,
    tax_registrations: frozenset[str] = DEFAULT_TAX_REGISTRATIONS,
) -> PricingContext:
    """`load_pricing_context` in the caller's session (submit prices in its own transaction)."""
    settings = settings or Settings()
    ids = sorted(set(item_ids))
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise FieldError("customer", f"no customer with id {customer_id}")
    items = session.exec(select(Item).where(col(Item.id).in_(ids))).all() if ids else []
    missing = set(ids) - {item.id for item in items}
    if missing:
        raise FieldError("item", f"no item with id {', '.join(map(str, sorted(missing)))}")
    categories = sorted({item.category for item in items if item.category})

    contracts: dict[int, list[ContractPrice]] = {}
    if ids:
        for agreement in session.exec(
            select(PriceAgreement).where(
                PriceAgreement.customer_id == customer_id,
                col(PriceAgreement.item_id).in_(ids),
            )
        ):
            contracts.setdefault(agreement.item_id, []).append(
                ContractPrice(
                    item_id=agreement.item_id,
                    ref=agreement.contract_ref,
                    price=agreement.price,
                    valid_from=agreement.valid_from,
                    valid_to=agreement.valid_to,
                    min_quantity=agreement.min_quantity,
                )
            )

    price_list: PriceListInfo | None = None
    plist = session.get(PriceList, customer.price_list_id) if customer.price_list_id else None
    if plist is not None:
        assert plist.id is not None
        entries = session.exec(
            select(PriceListEntry).where(
                PriceListEntry.price_list_id == plist.id,
                or_(
                    col(PriceListEntry.item_id).in_(ids),
                    (col(PriceListEntry.item_id).is_(None))
                    & (col(PriceListEntry.category).in_(categories)),
                ),
            )
        ).all()
        price_list = PriceListInfo.of(
            plist.id,
            plist.code,
            (PriceListRule(e.item_id, e.category, e.fixed_price, e.percent_off) for e in entries),
        )

    breaks: dict[int, list[BreakRule]] = {}
    if ids:
        list_filter: ColumnElement[bool] = col(QuantityBreak.price_list_id).is_(None)
        if plist is not None:
            list_filter = or_(list_filter, col(QuantityBreak.price_list_id) == plist.id)
        for brk in session.exec(
            select(QuantityBreak)
            .where(col(QuantityBreak.item_id).in_(ids), list_filter)
            .order_by(col(QuantityBreak.min_quantity).desc())
        ):
            breaks.setdefault(brk.item_id, []).append(
                BreakRule(
                    item_id=brk.item_id,
                    min_quantity=brk.min_quantity,
                    price=brk.price,
                    percent_off=brk.percent_off,
                    price_list_id=brk.price_list_id,
                    price_list_code=plist.code if brk.price_list_id is not None and plist else "",
                )
            )

    promotion: PromotionRule | None = None
    code = promotion_code.strip().upper()
    if code:
        row = session.exec(select(Promotion).where(func.upper(Promotion.code) == code)).first()
        found = (
            None
            if row is None
            else PromotionRule(
                code=row.code,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                name=row.name,
                customer_group=row.customer_group,
                item_category=row.item_category,
                item_id=row.item_id,
                percent_off=row.percent_off,
                amount_off=row.amount_off,
                active=row.active,
            )
        )
        promotion = check_promotion(code, found, order_date)

    ship_to: ShipTo | None = None
    if ship_to_id is not None:
        address = session.get(Address, ship_to_id)
        if address is None or address.customer_id != customer_id:
            raise FieldError("ship_to", f"no ship-to {ship_to_id} for {customer.code}")
        ship_to = ShipTo(address.country, address.region)

    return PricingContext(
        customer=_customer_terms(customer),
        order_date=order_date,
        items={item.id: _item_facts(item) for item in items if item.id is not None},
        contracts={k: tuple(v) for k, v in contracts.items()},
        price_list=price_list,
        breaks={k: tuple(v) for k, v in breaks.items()},
        promotion=promotion,
        margin_floor_percent=settings.desk.margin_floor_percent,
        freight_rates=FreightRates(
            settings.pricing.freight_rate_per_kg, settings.pricing.freight_minimum
        ),
        tax_table=load_tax_table(),
        ship_to=ship_to,
        tax_registrations=tax_registrations,
    )


def price_line(ctx: PricingContext, request: LineRequest) -> LineResult:
    """Price one line on a loaded context (pure; see domain.pricing.line_price)."""
    return line_price.price_line(ctx, request)


def price_order(
    ctx: PricingContext,
    requests: Sequence[LineRequest],
    *,
    ship_to: ShipTo | None = None,
    freight_terms: str = "",
    incoterm: str | None = None,
    incoterm_place: str | None = None,
) -> OrderPricing:
    """Price lines, freight, tax and totals on a loaded context (pure; domain.pricing)."""
    return order_rules.price_order(
        ctx,
        requests,
        ship_to=ship_to,
        freight_terms=freight_terms,
        incoterm=incoterm,
        incoterm_place=incoterm_place,
    )


def request_for_line(line: SalesOrderLine) -> LineRequest:
    """A saved line as a pricing request: a line with an override reason keeps its price."""
    if line.item_id is None:
        raise FieldError("item", f"line {line.line_no} has no item")
    overridden = bool(line.override_reason.strip())
    return LineRequest(
        item_id=line.item_id,
        quantity=line.quantity,
        discount_percent=line.discount_percent,
        discount_amount=line.discount_amount,
        override_price=line.unit_price if overridden else None,
        override_reason=line.override_reason,
        line_no=line.line_no,
    )


def price_saved_order(
    store: Store,
    order_id: int,
    *,
    settings: Settings | None = None,
    order_date: date | None = None,
) -> OrderPricing:
    """Re-price an order as stored (its lines, ship-to, promotion, terms); writes nothing.

    Prices are as of `order_date`, else the day the order was entered, else today (a draft is
    priced as of now, so a contract that expired since the draft was started no longer applies).
    """
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        if order is None:
            raise FieldError("order", f"no order with id {order_id}")
        lines = session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
        return price_order_in(session, order, lines, settings=settings, order_date=order_date)


def price_order_in(
    session: Session,
    order: SalesOrder,
    lines: Sequence[SalesOrderLine],
    *,
    settings: Settings | None = None,
    order_date: date | None = None,
) -> OrderPricing:
    """`price_saved_order` for an order and lines the caller's transaction has loaded (submit
    prices what it writes, in one transaction)."""
    requests = [request_for_line(line) for line in lines]
    when = order_date or (order.entered_at.date() if order.entered_at else date.today())
    ctx = load_pricing_context_in(
        session,
        order.customer_id,
        when,
        [r.item_id for r in requests],
        order.promotion_code,
        ship_to_id=order.ship_to_id,
        settings=settings,
    )
    return order_rules.price_order(
        ctx,
        requests,
        freight_terms=order.freight_terms,
        incoterm=order.incoterm or None,
        incoterm_place=order.incoterm_place if order.incoterm else None,
    )


def apply_price_hold_if_needed(
    session: Session,
    order: SalesOrder,
    results: OrderPricing | Iterable[LineResult],
    actor: str,
) -> Hold | None:
    """Place a price hold (supervisor release) when any line is under the margin floor, inside
    the caller's transaction; None when no line is, or a price hold is already open."""
    lines = results.lines if isinstance(results, OrderPricing) else tuple(results)
    reason = price_hold_reason(lines)
    if not reason:
        return None
    return place_hold(session, order, HoldKind.PRICE, reason, actor=actor)
