"""Next document number (SO0001234, INV…, RMA…), taken inside the caller's transaction."""

from sqlalchemy import update
from sqlmodel import Session

from orderdesk_tui.models import NumberSequence

#: name -> (prefix, width)
DEFAULTS = {
    "order": ("SO", 7),
    "invoice": ("IN", 7),
    "credit": ("CM", 7),
    "rma": ("RMA", 6),
    "shipment": ("SH", 7),
    "purchase": ("PO", 6),
}


def next_number(session: Session, name: str) -> str:
    """Advance the sequence atomically and return the formatted number."""
    seq = session.get(NumberSequence, name, with_for_update=True)
    if seq is None:
        prefix, width = DEFAULTS[name]
        seq = NumberSequence(name=name, prefix=prefix, width=width, next_value=1)
        session.add(seq)
        session.flush()
    value = seq.next_value
    session.execute(
        update(NumberSequence)
        .where(NumberSequence.name == name)
        .values(next_value=NumberSequence.next_value + 1)
    )
    session.refresh(seq)
    return f"{seq.prefix}{value:0{seq.width}d}"
