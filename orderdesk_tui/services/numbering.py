"""Next document number (SO0001234, INV…, RMA…), taken inside the caller's transaction."""

from sqlalchemy import update
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


def next_number(session: Session, name: str) -> str:
    """Advance the sequence atomically and return the formatted number.

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
            return next_number(session, name)
    seq = session.get(NumberSequence, name, populate_existing=True)
    assert seq is not None
    return f"{seq.prefix}{seq.next_value - 1:0{seq.width}d}"
