"""Document number sequences (SO, INV, RMA, SH, PO), advanced inside the writing transaction."""

from sqlmodel import SQLModel

from orderdesk_tui.models.base import string


class NumberSequence(SQLModel, table=True):
    __tablename__ = "number_sequences"

    name: str = string(10, primary_key=True)
    prefix: str = string(6)
    next_value: int = 1
    width: int = 7
