"""Promising an order (`promise_order`): the lines in order, each seeing the stock and supply the
lines before it took (`consume`), every quantity checked before anything is promised."""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from orderdesk_tui.domain.availability.inputs import Demand, ItemSupply, LineRequest
from orderdesk_tui.domain.availability.line_promise import promise_line
from orderdesk_tui.domain.availability.quantities import parse_quantity
from orderdesk_tui.domain.availability.results import LineAvailability
from orderdesk_tui.errors import FieldError


def consume(supply: ItemSupply, line: LineAvailability) -> ItemSupply:
    """The item's supply after `line` was promised: what ships now is allocated, what is
    promised later becomes open demand on its date (so later lines queue behind it)."""
    stock = list(supply.stock)
    for piece in line.ship_now:
        for i, s in enumerate(stock):
            if s.warehouse_id == piece.warehouse_id:
                stock[i] = replace(s, allocated=s.allocated + piece.quantity)
                break
    demand = list(supply.demand)
    for piece in line.later:
        wid = piece.warehouse_id
        if wid is None:
            wid = supply.default_warehouse_id
        if wid is None:
            continue
        demand.append(Demand(wid, piece.quantity, piece.day, "this order"))
    return replace(supply, stock=tuple(stock), demand=tuple(demand))


def promise_order(
    lines: Sequence[LineRequest],
    supplies: Mapping[int, ItemSupply],
    today: date,
    *,
    single_warehouse: bool = False,
    ship_complete: bool = False,
    alternatives: bool = True,
) -> list[LineAvailability]:
    """Promise the lines in order; each line sees what the lines before it took (two lines of
    the same item never promise the same stock twice). Every quantity is checked first, so a
    bad one raises FieldError before anything is promised. With `single_warehouse`, a line
    that allows a split (`LineRequest.split_warehouses`) still takes several warehouses, unless
    the order ships complete: a ship-complete order never splits a line."""
    quantities = []
    for req in lines:
        item = supplies[req.item_id].item if req.item_id in supplies else None
        quantities.append(
            parse_quantity(
                req.quantity,
                field=req.field,
                fractional=item.fractional_uom if item is not None else True,
                uom=item.uom if item is not None else "",
            )
        )
    current = dict(supplies)
    results: list[LineAvailability] = []
    for req, qty in zip(lines, quantities, strict=True):
        if req.item_id not in current:
            raise FieldError("item", f"no item with id {req.item_id}")
        supply = current[req.item_id]
        repl_id = supply.item.replacement_item_id
        result = promise_line(
            supply,
            qty,
            today,
            preferred_warehouse_id=req.preferred_warehouse_id,
            only_warehouse_id=req.only_warehouse_id,
            single_warehouse=single_warehouse and (ship_complete or not req.split_warehouses),
            ship_complete=ship_complete,
            replacement=current.get(repl_id) if repl_id is not None else None,
            field=req.field,
            alternatives=alternatives,
        )
        current[req.item_id] = consume(supply, result)
        results.append(result)
    return results
