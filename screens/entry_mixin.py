"""The base of the entry screen's mixins (submit, offers, writes, lookup, line keys).

Each mixin's methods run on the entry screen they are mixed into; `entry` is that screen,
typed, so the mixins are checked against it (mypy takes no subclass as the type of `self`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from screens.order_entry import OrderEntryScreen


class EntryMixin:
    """Mixed into `OrderEntryScreen` only."""

    @property
    def entry(self) -> OrderEntryScreen:
        return cast("OrderEntryScreen", self)
