"""Next document number (SO0001234, INV…, RMA…), taken inside the caller's transaction.

Which numbers may have gaps (a business decision, README "Deployment"): an order, RMA, return
request, shipment or purchase order number only has to be unique, as in most ERPs, so on
PostgreSQL it comes from a sequence of its own (migration 0019): no row lock, so terminals
starting drafts at once never wait for each other, and a number drawn by a transaction that
rolls back is skipped. Invoice and credit memo numbers must not have gaps (tax authorities ask
for an unbroken series), so they are counted in their `number_sequences` row: the UPDATE locks
it until the transaction ends, and a rolled-back draw gives its number back. On SQLite every
name is counted in its row (its writers hold the database lock anyway). The row keeps each
name's prefix and width in either case.
"""

from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from orderdesk_tui.models import NumberSequence
from orderdesk_tui.store import rows_changed

#: name -> (prefix, width)
DEFAULTS = {
    "order": ("SO", 7),
    "invoice": ("IN", 7),
    "credit": ("CM", 7),
    "rma": ("RMA", 6),
    "rma_req": ("RQ", 6),
    "shipment": ("SH", 7),
    "purchase": ("PO", 6),
}
#: The numbers that may have gaps: a PostgreSQL sequence each (see the module docstring).
SEQUENCED = ("order", "rma", "rma_req", "shipment", "purchase")


def sequence_name(name: str) -> str:
    """The PostgreSQL sequence that numbers `name` (one of SEQUENCED)."""
    return f"number_{name}_seq"


def next_number(session: Session, name: str) -> str:
    """The next number of `name`, formatted; never the same one twice."""
    if name in SEQUENCED and session.get_bind().dialect.name == "postgresql":
        value = session.execute(
            text("SELECT nextval(CAST(:seq AS regclass))"), {"seq": sequence_name(name)}
        ).scalar_one()
        row = session.get(NumberSequence, name)
        prefix, width = (row.prefix, row.width) if row is not None else DEFAULTS[name]
        return f"{prefix}{value:0{width}d}"
    return _counted(session, name)


def _counted(session: Session, name: str) -> str:
    """Advance the name's row atomically and return the formatted number.

    The UPDATE comes first so that it takes the write lock (SQLite) or the row lock (PostgreSQL)
    before the value is read: two terminals can never draw the same number.
    """
    bumped = session.execute(
        update(NumberSequence)
        .where(col(NumberSequence.name) == name)
        .values(next_value=NumberSequence.next_value + 1)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(bumped) == 0:
        prefix, width = DEFAULTS[name]
        try:
            with session.begin_nested():
                session.add(NumberSequence(name=name, prefix=prefix, width=width, next_value=2))
            return f"{prefix}{1:0{width}d}"
        except IntegrityError:  # another terminal drew the very first number just now
            return _counted(session, name)
    seq = session.get(NumberSequence, name, populate_existing=True)
    assert seq is not None
    return f"{seq.prefix}{seq.next_value - 1:0{seq.width}d}"
