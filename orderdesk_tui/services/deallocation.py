"""Giving allocated stock back: a quantity cut, a cancelled line or order, a rush taking units.

`free_allocation_in` runs inside the caller's transaction (which holds the order row, or the
SQLite write lock). The stock rows are locked in one statement in id order, as submit's
allocation locks them, so a free and an allocation of the same items queue up rather than
deadlock. Every row written is audited.

A split line (parts in several warehouses, services.line_parts) gives back from its parts:
the latest promised first, and of parts promised the same day the last allocated first; each
unit goes back to the stock row of the warehouse its part holds it in.
"""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import tuple_
from sqlmodel import Session, col, select

from orderdesk_tui.domain.availability.quantities import fmt_qty
from orderdesk_tui.domain.money import ZERO
from orderdesk_tui.models import SalesOrderLine, StockLevel
from orderdesk_tui.services.audit import VersionedUpdate, apply_updates
from orderdesk_tui.services.line_parts import line_parts, plan_free


def free_allocation_in(
    session: Session,
    frees: Sequence[tuple[SalesOrderLine, Decimal]],
    *,
    actor: str,
    order_id: int | None,
    reason: str,
) -> dict[int, Decimal]:
    """Free up to `quantity` of each line's allocation (never more than it holds) and give it
    back to the stock of the warehouses its parts hold it in (latest promised part first, then
    the last allocated; see services.line_parts.plan_free). Writes the parts, the lines'
    `quantity_allocated` (the caller writes any other field of the line afterwards, at the
    line's new version) and the stock rows' `allocated`, audited with `reason`. Returns {line
    id: quantity freed} for the lines that gave something back. A line and its stock row must
    not be written elsewhere in the same call."""
    wanted: list[tuple[SalesOrderLine, Decimal]] = []
    for line, quantity in frees:
        give = min(max(quantity, ZERO), line.quantity_allocated)
        if give > 0 and line.item_id is not None:
            wanted.append((line, give))
    if not wanted:
        return {}
    parts = line_parts(session, [line.id for line, _ in wanted if line.id is not None])
    back: dict[tuple[int | None, int | None], Decimal] = defaultdict(lambda: ZERO)
    part_updates: list[VersionedUpdate] = []
    line_updates: list[VersionedUpdate] = []
    freed: dict[int, Decimal] = {}
    for line, give in wanted:
        assert line.id is not None
        returns, updates = plan_free(line, parts.get(line.id, ()), give, reason)
        returns = [(wid, qty) for wid, qty in returns if wid is not None]
        give = sum((qty for _, qty in returns), ZERO)
        if give <= 0:
            continue
        part_updates.extend(updates)
        freed[line.id] = give
        for wid, qty in returns:
            back[(line.item_id, wid)] += qty
        line_updates.append(
            VersionedUpdate(
                line,
                {"quantity_allocated": line.quantity_allocated - give},
                line.version,
                "line.deallocated",
                f"{fmt_qty(give)} freed: {reason}"[:400],
            )
        )
    if not freed:
        return {}
    keys = sorted(back, key=lambda k: (k[0] or 0, k[1] or 0))
    stock_rows = {
        (stock.item_id, stock.warehouse_id): stock
        for stock in session.exec(
            select(StockLevel)
            .where(tuple_(col(StockLevel.item_id), col(StockLevel.warehouse_id)).in_(keys))
            .order_by(col(StockLevel.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    apply_updates(session, part_updates, actor=actor, order_id=order_id)
    apply_updates(session, line_updates, actor=actor, order_id=order_id)
    stock_updates = [
        VersionedUpdate(
            stock,
            {"allocated": max(stock.allocated - back[key], ZERO)},
            stock.version,
            "stock.deallocated",
            reason[:400],
        )
        for key, stock in sorted(stock_rows.items(), key=lambda kv: kv[1].id or 0)
        if back.get(key)
    ]
    apply_updates(session, stock_updates, actor=actor, order_id=order_id)
    return freed
