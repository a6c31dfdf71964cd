"""Orders, RMAs and purchase orders by document number, for the command palette's jumps
(screens/palette.py).

What was typed is read as the start of a number (`SO00012`, `rma0004`) — a range on the
number's unique index — or, all digits, as the number itself without its prefix and zeros
(`1234` is SO0001234, and RQ/RMA000012 for `12`): a few index seeks whatever the store's size,
so it can run on every keystroke.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col
from sqlmodel import select as select_rows

from orderdesk_tui.models import RMA, Customer, NumberSequence, PurchaseOrder, SalesOrder
from orderdesk_tui.services.lookup import prefix
from orderdesk_tui.services.numbering import DEFAULTS
from orderdesk_tui.store import Store


@dataclass(frozen=True)
class NumberHit:
    id: int
    number: str
    customer_code: str
    customer_name: str
    state: str


def _numbers(session: Session, typed: str, sequences: tuple[str, ...]) -> list[str]:
    """The prefixes to look for: what was typed, or (all digits) the whole numbers it is in
    each of `sequences` (their prefix and width as the store has them)."""
    upper = "".join(typed.split()).upper()
    if not upper.isdigit():
        return [upper] if any(ch.isdigit() for ch in upper) else []
    kept = {
        seq.name: (seq.prefix, seq.width)
        for seq in session.exec(
            select_rows(NumberSequence).where(col(NumberSequence.name).in_(sequences))
        )
    }
    numbers = []
    for name in sequences:
        lead, width = kept.get(name, DEFAULTS[name])
        numbers.append(f"{lead}{int(upper):0{width}d}")
    return numbers


def _document_columns(model: type[SalesOrder] | type[RMA]) -> Any:
    """An order's or an RMA's id, number, customer code and name, and state."""
    return select(
        col(model.id), col(model.number), col(Customer.code), col(Customer.name), col(model.state)
    ).join(Customer, col(Customer.id) == col(model.customer_id))


def _find(
    store: Store,
    typed: str,
    model: type[SalesOrder] | type[RMA] | type[PurchaseOrder],
    columns: Any,
    sequences: tuple[str, ...],
    limit: int,
) -> list[NumberHit]:
    """Rows of `columns` (id, number, two words of whom, state) whose number starts with one of
    the numbers `typed` stands for."""
    hits: list[NumberHit] = []
    with store.read_session() as session:
        for number in _numbers(session, typed, sequences):
            if len(hits) >= limit:
                break
            rows = session.connection().execute(
                columns.where(prefix(model.number, number))
                .order_by(col(model.number))
                .limit(limit - len(hits))
            )
            hits += [NumberHit(rid or 0, num, code, name, st) for rid, num, code, name, st in rows]
    return hits


def orders_by_number(store: Store, typed: str, *, limit: int = 8) -> list[NumberHit]:
    """Orders whose number starts with what was typed (or is it, typed as digits alone)."""
    return _find(store, typed, SalesOrder, _document_columns(SalesOrder), ("order",), limit)


def rmas_by_number(store: Store, typed: str, *, limit: int = 8) -> list[NumberHit]:
    """RMAs, and requests not yet authorised, whose number starts with what was typed."""
    return _find(store, typed, RMA, _document_columns(RMA), ("rma", "rma_req"), limit)


def purchases_by_number(store: Store, typed: str, *, limit: int = 8) -> list[NumberHit]:
    """Purchase orders whose number starts with what was typed; the kind and the vendor stand
    where a customer's code and name do."""
    columns = select(
        col(PurchaseOrder.id),
        col(PurchaseOrder.number),
        func.replace(col(PurchaseOrder.kind), "_", " "),
        col(PurchaseOrder.vendor_name),
        col(PurchaseOrder.state),
    )
    return _find(store, typed, PurchaseOrder, columns, ("purchase",), limit)
