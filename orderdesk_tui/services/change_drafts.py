"""The working copy of a change (models.change_draft), written field by field as it is typed.

`open_change` starts one from the order as it is (or gives back the coordinator's own copy
left by a crash or F10: `ChangeDraft.resumed`); `update_header`, `save_line` and `remove_line`
take what the entry grid writes (the same calls the entry screen makes of a draft, so the
grid's autosave works unchanged); `apply_change_draft` turns the copy into an `OrderChange`
and applies it (services.order_change) in the same transaction that deletes the copy.

The copy's lines are in screen order. Each names the order's line it is (`line_no`) or none
(added); the order's lines come first in line-number order, so screen row n is line n of an
order numbered 1..n. A removed line stays on the copy at quantity 0, so the rows below keep
their numbers; an added line taken out again goes. Edits of the copy are not audited: the
applied change is (the order is not touched before).
"""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from orderdesk_tui.config import Settings
from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import Address, OrderChangeDraft, SalesOrder, SalesOrderLine, User
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.services import drafts, order_diff
from orderdesk_tui.services.change_plan import LineChange, OrderChange
from orderdesk_tui.services.contention import run_again_on_conflict
from orderdesk_tui.services.order_change import ChangeResult, apply_change_in, change_refusal
from orderdesk_tui.services.order_diff import OrderSnapshot
from orderdesk_tui.services.users import Approval
from orderdesk_tui.store import Store

#: Header fields a change can set, as the copy keeps them.
HEADER = ("customer_po", "ship_to_id", "requested_date", "freight_terms", "ship_via", "notes")
#: What the copy keeps of a line.
LINE_KEYS = (
    "item_id",
    "part_number",
    "quantity",
    "unit_price",
    "override_reason",
    "requested_date",
)


@dataclass(frozen=True)
class ChangeDraft:
    id: int
    order_id: int
    number: str
    customer_id: int
    base_version: int
    #: The order's version now: a copy older than the order was overtaken (resume or discard).
    order_version: int
    revision: int
    priority: str
    header: dict[str, Any]
    #: In screen order: {"line_no": n | None, "orig": {...} | None, "item_id", "quantity", ...}
    lines: list[dict[str, Any]]
    resumed: bool

    @property
    def overtaken(self) -> bool:
        return self.order_version != self.base_version


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return order_diff.plain(value)
    return value


def _line_entry(line: SalesOrderLine) -> dict[str, Any]:
    values = {
        "item_id": line.item_id,
        "part_number": line.part_number,
        "quantity": _plain(line.quantity - line.quantity_cancelled),
        "unit_price": _plain(line.unit_price) if line.override_reason else None,
        "override_reason": line.override_reason,
        "requested_date": _plain(line.requested_date),
        "extended": _plain(line.extended),
        "price_source": line.price_source,
        "unit_price_as_ordered": _plain(line.unit_price),
    }
    return {"line_no": line.line_no, "orig": dict(values), **values}


def open_change(store: Store, order_id: int, *, actor: str) -> ChangeDraft:
    """The coordinator's working copy of a change to `order_id`: theirs left open, else a new
    one from the order as it is. RuleViolation for an order that cannot be changed."""
    with store.immediate() as session:
        order = session.get(SalesOrder, order_id)
        if order is None:
            raise RuleViolation(f"order {order_id} no longer exists")
        if (refusal := change_refusal(order.state)) is not None:
            raise RuleViolation(f"order {order.number} cannot be changed: {refusal}")
        row = session.exec(
            select(OrderChangeDraft).where(
                OrderChangeDraft.order_id == order_id, OrderChangeDraft.actor == actor
            )
        ).first()
        if row is not None:
            return _loaded(row, order, resumed=True)
        lines = session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
        ship_to = session.get(Address, order.ship_to_id) if order.ship_to_id else None
        base = order_diff.snapshot(order, lines, ship_to.code if ship_to else "")
        header = {name: _plain(getattr(order, name)) for name in HEADER}
        row = OrderChangeDraft(
            order_id=order_id,
            actor=actor,
            base_version=order.version,
            base=base.to_json(),
            header=json.dumps({"orig": header, "now": header}),
            lines=json.dumps([_line_entry(line) for line in lines]),
        )
        session.add(row)
        session.flush()
        return _loaded(row, order, resumed=False)


def _loaded(row: OrderChangeDraft, order: SalesOrder, *, resumed: bool) -> ChangeDraft:
    header = json.loads(row.header)
    return ChangeDraft(
        id=row.id or 0,
        order_id=order.id or 0,
        number=order.number,
        customer_id=order.customer_id,
        base_version=row.base_version,
        order_version=order.version,
        revision=order.revision,
        priority=order.priority,
        header=dict(header["now"]),
        lines=list(json.loads(row.lines)),
        resumed=resumed,
    )


def discard(store: Store, change_id: int) -> None:
    with store.immediate() as session:
        row = session.get(OrderChangeDraft, change_id)
        if row is not None:
            session.delete(row)


def _row(session: Session, change_id: int) -> OrderChangeDraft:
    row = session.get(OrderChangeDraft, change_id)
    if row is None:
        raise RuleViolation("this change was applied or discarded meanwhile")
    return row


def _touch(row: OrderChangeDraft, session: Session) -> None:
    row.updated_at = utcnow()
    row.version += 1
    session.add(row)


def update_header(store: Store, change_id: int, values: dict[str, Any]) -> None:
    """Keep the header fields a change can set; the rest the entry grid writes (its running
    totals) is not the change's."""
    kept = {k: _plain(v) for k, v in values.items() if k in HEADER}
    if not kept:
        return
    drafts.check_header({k: v for k, v in values.items() if k in HEADER and k != "ship_to_id"})
    with store.immediate() as session:
        row = _row(session, change_id)
        header = json.loads(row.header)
        header["now"].update(kept)
        row.header = json.dumps(header)
        _touch(row, session)


def save_line(store: Store, change_id: int, line_no: int, values: dict[str, Any]) -> None:
    """Row `line_no` of the grid as typed. A price is an override only with its reason (or
    `price_source` "override"); a quoted price the grid saves is not the change's."""
    drafts.check_line(line_no, {k: v for k, v in values.items() if k in drafts.LINE_FIELDS})
    with store.immediate() as session:
        row = _row(session, change_id)
        lines = json.loads(row.lines)
        while len(lines) < line_no:
            lines.append({"line_no": None, "orig": None, "quantity": None, "unit_price": None})
        entry = lines[line_no - 1]
        overridden = "override_reason" in values or values.get("price_source") == "override"
        for key in ("item_id", "part_number", "quantity", "requested_date"):
            if key in values:
                entry[key] = _plain(values[key])
        if overridden:
            entry["unit_price"] = _plain(values.get("unit_price"))
            entry["override_reason"] = values.get("override_reason", "")
        elif "item_id" in values:  # the line as typed, with no override (any is cleared)
            entry["unit_price"], entry["override_reason"] = None, ""
        row.lines = json.dumps(lines)
        _touch(row, session)


def remove_line(store: Store, change_id: int, line_no: int) -> None:
    """Remove grid row `line_no`: an order line goes to quantity 0 (it stays, numbered), an
    added line is taken out (the added lines below move up)."""
    with store.immediate() as session:
        row = _row(session, change_id)
        lines = json.loads(row.lines)
        if not 0 < line_no <= len(lines):
            return
        if lines[line_no - 1]["line_no"] is None:
            del lines[line_no - 1]
        else:
            lines[line_no - 1]["quantity"] = "0"
        row.lines = json.dumps(lines)
        _touch(row, session)


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def as_date(value: Any) -> date | None:
    """A date as the copy keeps it (ISO text), or None."""
    return None if not value else date.fromisoformat(str(value))


_date = as_date


def preview(store: Store, change_id: int) -> str:
    """What the copy would change, as the revision will say it ("" for nothing)."""
    with store.session() as session:
        row = _row(session, change_id)
        base = OrderSnapshot.from_json(row.base)
        header = dict(base.header)
        now = json.loads(row.header)["now"]
        for name in HEADER:
            if name == "ship_to_id":
                address = session.get(Address, now.get(name)) if now.get(name) else None
                header["ship_to"] = address.code if address else ""
            else:
                header[name] = str(now.get(name) or "")
        lines: dict[int, dict[str, str]] = {}
        next_no = max(base.lines, default=0) + 1
        for entry in json.loads(row.lines):
            if not entry.get("item_id"):
                continue
            n = entry["line_no"]
            if n is None:
                n, next_no = next_no, next_no + 1
            price = entry.get("unit_price") or (entry.get("orig") or {}).get(
                "unit_price_as_ordered", ""
            )
            lines[n] = {
                "part": str(entry.get("part_number") or ""),
                "quantity": str(entry.get("quantity") or ""),
                "unit_price": str(price or "") if entry.get("orig") else "",
                "requested_date": str(entry.get("requested_date") or ""),
            }
            if n in base.lines and not entry.get("unit_price"):
                lines[n]["unit_price"] = base.lines[n]["unit_price"]
    return order_diff.summary(order_diff.diff(base, OrderSnapshot(header, lines)))


def order_change(row: OrderChangeDraft) -> OrderChange:
    """What the copy changes, as services.order_change takes it."""
    header = json.loads(row.header)
    orig, now = header["orig"], header["now"]
    values: dict[str, Any] = {}
    for name in HEADER:
        if now.get(name) != orig.get(name):
            value = now.get(name)
            if name == "requested_date":
                value = _date(value)
            values[name] = value
    changes: list[LineChange] = []
    for entry in json.loads(row.lines):
        before = entry.get("orig")
        if before is None:
            if entry.get("item_id") and _decimal(entry.get("quantity")):
                changes.append(_line_change(None, entry, {}))
            continue
        if _decimal(entry.get("quantity")) == 0 and _decimal(before["quantity"]) != 0:
            changes.append(LineChange(entry["line_no"], remove=True))
            continue
        change = _line_change(entry["line_no"], entry, before)
        if change != LineChange(entry["line_no"]):
            changes.append(change)
    return OrderChange(header=values, lines=tuple(changes))


def _line_change(line_no: int | None, entry: dict[str, Any], before: dict[str, Any]) -> LineChange:
    def moved(key: str) -> bool:
        return entry.get(key) != before.get(key)

    price = _decimal(entry.get("unit_price")) if moved("unit_price") else None
    return LineChange(
        line_no,
        quantity=_decimal(entry.get("quantity")) if moved("quantity") else None,
        item_id=entry.get("item_id") if moved("item_id") else None,
        unit_price=price,
        override_reason=str(entry.get("override_reason") or "") if price is not None else "",
        requested_date=_date(entry.get("requested_date")) if moved("requested_date") else None,
    )


def pending_change(store: Store, change_id: int) -> OrderChange:
    with store.session() as session:
        return order_change(_row(session, change_id))


def apply_change_draft(
    store: Store,
    change_id: int,
    *,
    actor: User,
    reason: str,
    settings: Settings,
    approval: Approval | None = None,
) -> ChangeResult:
    """Apply the working copy to its order and delete it, in one transaction; a refusal or a
    conflict keeps both the order and the copy as they were."""

    def once() -> ChangeResult:
        with store.immediate() as session:
            row = _row(session, change_id)
            result = apply_change_in(
                session,
                row.order_id,
                order_change(row),
                expected_version=row.base_version,
                actor=actor,
                reason=reason,
                settings=settings,
                approval=approval,
                base=OrderSnapshot.from_json(row.base),
            )
            session.delete(row)
            return result

    return run_again_on_conflict(once, what=f"change {change_id}")
