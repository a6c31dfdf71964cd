"""Draft orders: every committed field is written at once, so a crash loses nothing.

A draft is a SalesOrder in state `draft` with its lines. The entry screen writes through one
`DraftWriter` (a single background thread), so writes land in the order they were typed without
the keyboard ever waiting for the store. A draft belongs to the coordinator who keys it; its
writes use the row's current version (last write wins within the draft), and every change is
audited like any other order change.
"""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, func, select

from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import Address, Customer, SalesOrder, SalesOrderLine
from orderdesk_tui.models.base import AddressKind, OrderSource, OrderState, utcnow
from orderdesk_tui.services import field_limits
from orderdesk_tui.services.audit import apply_update, record, record_insert
from orderdesk_tui.services.numbering import next_number
from orderdesk_tui.store import Store

HEADER_FIELDS = frozenset(
    {
        "customer_id",
        "customer_po",
        "bill_to_id",
        "ship_to_id",
        "requested_date",
        "ship_via",
        "freight_terms",
        "priority",
        "notes",
        "promotion_code",
        "incoterm",
        "incoterm_place",
        "payment_terms",
        "currency",
        "received_at",
        "source",
        "ship_complete",
        "subtotal",
        "total",
    }
)
LINE_FIELDS = frozenset(
    {
        "item_id",
        "part_number",
        "customer_part_number",
        "description",
        "quantity",
        "uom",
        "list_price",
        "unit_price",
        "price_source",
        "discount_percent",
        "discount_amount",
        "override_reason",
        "extended",
        "warehouse_id",
        "requested_date",
        "drop_ship",
        "split_warehouses",
    }
)

#: How the entry screen names the columns it writes, for a value a column cannot hold.
LABELS = {
    "customer_po": "customer PO",
    "notes": "order notes",
    "unit_price": "price",
    "list_price": "list price",
    "override_reason": "override reason",
}


def check_header(values: dict[str, Any]) -> None:
    """FieldError if a header column cannot hold its value (services.field_limits)."""
    field_limits.check(SalesOrder, values, LABELS)


def check_line(line_no: int, values: dict[str, Any]) -> None:
    """FieldError, naming line `line_no`, if a line column cannot hold its value."""
    labels = {name: f"line {line_no} {LABELS.get(name, name.replace('_', ' '))}" for name in values}
    field_limits.check(SalesOrderLine, values, labels)


def customer_defaults(session: Session, customer: Customer) -> dict[str, Any]:
    """What an order takes from its customer: terms, addresses, freight, Incoterm, ship via."""
    addresses = session.exec(
        select(Address).where(Address.customer_id == customer.id, Address.active == True)  # noqa: E712
    ).all()

    def pick(kind: str) -> int | None:
        of_kind = [a for a in addresses if a.kind == kind]
        chosen = next((a for a in of_kind if a.is_default), of_kind[0] if of_kind else None)
        return chosen.id if chosen else None

    return {
        "customer_id": customer.id,
        "bill_to_id": pick(AddressKind.BILL_TO),
        "ship_to_id": pick(AddressKind.SHIP_TO),
        "payment_terms": customer.payment_terms,
        "currency": customer.currency,
        "freight_terms": customer.freight_terms,
        "incoterm": customer.incoterm,
        "incoterm_place": customer.incoterm_place,
        "ship_via": customer.default_ship_via,
    }


def create_draft(store: Store, *, actor: str, customer_id: int) -> SalesOrder:
    with store.immediate() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise RuleViolation(f"customer {customer_id} no longer exists")
        now = utcnow()
        defaults = customer_defaults(session, customer)
        # The number last: drawing it locks the sequence row until commit, and every
        # terminal starting a draft wants that row.
        order = SalesOrder(
            number=next_number(session, "order"),
            state=OrderState.DRAFT,
            source=OrderSource.KEYBOARD,
            received_at=now,
            entered_by=actor,
            assigned_to=actor,
            **defaults,
        )
        session.add(order)
        session.flush()
        assert order.id is not None
        record(
            session,
            actor=actor,
            entity="sales_orders",
            entity_id=order.id,
            action="order.draft_started",
            changes={"customer": (None, customer.code)},
            order_id=order.id,
        )
        return order


def update_header(store: Store, order_id: int, values: dict[str, Any], *, actor: str) -> int:
    """Write header fields of a draft; returns the new version."""
    unknown = set(values) - HEADER_FIELDS
    if unknown:
        raise ValueError(f"not header fields: {sorted(unknown)}")
    check_header(values)
    with store.immediate() as session:
        order = _draft(session, order_id)
        if "customer_id" in values and values["customer_id"] != order.customer_id:
            customer = session.get(Customer, values["customer_id"])
            if customer is None:
                raise RuleViolation("customer: no longer exists")
            values = {**customer_defaults(session, customer), **values}
        apply_update(
            session,
            order,
            values,
            expected_version=order.version,
            actor=actor,
            action="draft.header",
            order_id=order_id,
        )
        return order.version


def save_line(
    store: Store, order_id: int, line_no: int, values: dict[str, Any], *, actor: str
) -> None:
    """Create or change line `line_no` of a draft."""
    unknown = set(values) - LINE_FIELDS
    if unknown:
        raise ValueError(f"not line fields: {sorted(unknown)}")
    check_line(line_no, values)
    with store.immediate() as session:
        _draft(session, order_id)
        line = session.exec(
            select(SalesOrderLine).where(
                SalesOrderLine.order_id == order_id, SalesOrderLine.line_no == line_no
            )
        ).first()
        if line is None:
            line = SalesOrderLine(order_id=order_id, line_no=line_no, **values)
            record_insert(
                session, line, values, actor=actor, action="draft.line_added", order_id=order_id
            )
        else:
            apply_update(
                session,
                line,
                values,
                expected_version=line.version,
                actor=actor,
                action="draft.line",
                order_id=order_id,
            )


def delete_line(store: Store, order_id: int, line_no: int, *, actor: str) -> None:
    """Remove a line and close the gap (lines are numbered 1..n on screen and in the store)."""
    with store.immediate() as session:
        _draft(session, order_id)
        lines = session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
        victim = next((ln for ln in lines if ln.line_no == line_no), None)
        if victim is not None:  # a line never saved (no part yet) only closes the gap
            assert victim.id is not None
            record(
                session,
                actor=actor,
                entity="sales_order_lines",
                entity_id=victim.id,
                action="draft.line_deleted",
                order_id=order_id,
                changes={
                    "part_number": (victim.part_number, None),
                    "quantity": (victim.quantity, None),
                },
            )
            session.delete(victim)
            session.flush()
        moved = [line for line in lines if line.line_no > line_no]
        for line in moved:
            line.line_no -= 1
            line.version += 1
            session.flush()
        if victim is None and moved:  # an inserted line taken out before it had a part
            record(
                session,
                actor=actor,
                entity="sales_orders",
                entity_id=order_id,
                action="draft.line_removed",
                order_id=order_id,
                changes={"line_no": (line_no, None)},
            )


def insert_line(store: Store, order_id: int, line_no: int, *, actor: str) -> None:
    """Make room for a new line `line_no`: the lines from it on move down one number.

    The new line itself is stored when its part is entered (`save_line`), like any line.
    """
    with store.immediate() as session:
        _draft(session, order_id)
        lines = session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id, SalesOrderLine.line_no >= line_no)
            .order_by(col(SalesOrderLine.line_no).desc())
        ).all()
        for line in lines:  # from the last one, so no two lines ever share a number
            line.line_no += 1
            line.version += 1
            session.flush()
        record(
            session,
            actor=actor,
            entity="sales_orders",
            entity_id=order_id,
            action="draft.line_inserted",
            order_id=order_id,
            changes={"line_no": (None, line_no)},
        )


def _draft(session: Session, order_id: int) -> SalesOrder:
    order = session.get(SalesOrder, order_id)
    if order is None:
        raise RuleViolation(f"draft {order_id} no longer exists")
    if order.state != OrderState.DRAFT:
        raise RuleViolation(f"order {order.number} is {order.state}, no longer a draft")
    return order


@dataclass(frozen=True)
class DraftSummary:
    order_id: int
    number: str
    customer_code: str
    customer_name: str
    customer_po: str
    lines: int
    total: Decimal
    updated_at: datetime


def open_drafts(store: Store, user: str) -> list[DraftSummary]:
    """This coordinator's drafts, newest first (offered back after a crash or a park)."""
    with store.session() as session:
        line_count = (
            select(func.count()).where(SalesOrderLine.order_id == SalesOrder.id).scalar_subquery()
        )
        rows = session.exec(
            select(SalesOrder, Customer.code, Customer.name, line_count)
            .join(Customer, col(Customer.id) == col(SalesOrder.customer_id))
            .where(SalesOrder.state == OrderState.DRAFT, SalesOrder.entered_by == user)
            .order_by(col(SalesOrder.updated_at).desc())
        ).all()
        return [
            DraftSummary(o.id or 0, o.number, code, name, o.customer_po, n, o.total, o.updated_at)
            for o, code, name, n in rows
        ]


def load_draft(store: Store, order_id: int) -> tuple[SalesOrder, list[SalesOrderLine]]:
    with store.session() as session:
        order = _draft(session, order_id)
        lines = session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order_id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
        return order, list(lines)


class DraftWriter:
    """Runs store writes one at a time, in the order given, off the UI thread."""

    def __init__(self, on_error: Callable[[BaseException], None]) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="draft-writer")
        self._on_error = on_error

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        future = self._pool.submit(fn, *args, **kwargs)
        future.add_done_callback(self._report)
        return future

    def _report(self, future: Future[Any]) -> None:
        error = future.exception()
        if error is not None:
            self._on_error(error)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait for every write given so far."""
        self._pool.submit(lambda: None).result(timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def shutdown_soon(self) -> None:
        """Close from inside a write: the writes queued before this one still run."""
        self._pool.shutdown(wait=False)
