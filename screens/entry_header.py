"""The order header of the entry screen: its fields, what each resolves to, the PO checks.

`EntryHeader` lays out the eight header fields with what they resolved to beside them (the
customer's name and terms, the ship-to address, the requested weekday). `commit` validates
one field as the cursor leaves it and returns the draft columns it changed, for the screen to
write; the check for a PO the customer already sent runs in this widget's worker and is said
through a `Notice` message, as is a PO not in the customer's format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from orderdesk_tui.domain import po_format
from orderdesk_tui.domain.entry_shorthand import parse_date
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import Address, SalesOrder
from orderdesk_tui.models.base import FreightTerms, Priority
from orderdesk_tui.services import order_entry
from orderdesk_tui.store import Store
from screens.markup import escape
from screens.widgets.entry_field import EntryField

#: Header fields Enter walks through before the lines (the quick path); Tab visits them all.
QUICK_HEADER = ("customer", "po", "requested")
#: Header fields an order cannot be submitted without (see `EntryHeader.missing`).
REQUIRED = ("customer", "po", "ship_to")
FREIGHT_CHOICES = {
    "pp": FreightTerms.PREPAID,
    "prepaid": FreightTerms.PREPAID,
    "col": FreightTerms.COLLECT,
    "collect": FreightTerms.COLLECT,
    "ppa": FreightTerms.PREPAID_ADD,
    "prepaid_add": FreightTerms.PREPAID_ADD,
    "3p": FreightTerms.THIRD_PARTY,
    "third_party": FreightTerms.THIRD_PARTY,
}


@dataclass
class DraftRef:
    """The draft being written; `id` is filled in by the writer thread when it is created."""

    id: int | None = None


class EntryHeader(Vertical):
    """The header fields and what they resolved to (customer, ship-to, requested date)."""

    class Notice(Message):
        """Something to tell the typist about the header (said, not refused)."""

        def __init__(self, markup: str) -> None:
            super().__init__()
            self.markup = markup

    def __init__(self, store: Store, draft: DraftRef, today: date) -> None:
        super().__init__(id="entry-header")
        self.store = store
        self.draft = draft
        self.today = today
        self.customer: order_entry.CustomerInfo | None = None
        self.ship_to_id: int | None = None
        self.requested: date | None = None
        #: The date of an order being changed: it stays as it is even once past.
        self.kept_date: date | None = None
        self.fields = {
            "customer": EntryField("customer", width=12, upper=True, label="customer"),
            "po": EntryField("po", width=18, label="customer PO"),
            "ship_to": EntryField("ship_to", width=12, upper=True, label="ship-to"),
            "requested": EntryField("requested", width=12, label="requested date"),
            "ship_via": EntryField("ship_via", width=14, upper=True, label="ship via"),
            "freight": EntryField("freight", width=12, label="freight terms"),
            "priority": EntryField("priority", width=8, label="priority"),
            "notes": EntryField("notes", width=60, label="order notes"),
        }

    def compose(self) -> ComposeResult:
        h = self.fields
        with Horizontal(classes="hrow"):
            yield Static("Customer", classes="lbl")
            yield h["customer"]
            yield Static("", id="customer-info", classes="info")
        with Horizontal(classes="hrow"):
            yield Static("PO", classes="lbl")
            yield h["po"]
            yield Static("Ship-to", classes="lbl2")
            yield h["ship_to"]
            yield Static("", id="ship-to-info", classes="info")
        with Horizontal(classes="hrow"):
            yield Static("Requested", classes="lbl")
            yield h["requested"]
            yield Static("", id="requested-info", classes="info-short")
            yield Static("Ship via", classes="lbl2")
            yield h["ship_via"]
            yield Static("Freight", classes="lbl2")
            yield h["freight"]
            yield Static("Priority", classes="lbl2")
            yield h["priority"]
        with Horizontal(classes="hrow"):
            yield Static("Notes", classes="lbl")
            yield h["notes"]

    # -- committing a field ----------------------------------------------------------------------

    def commit(self, f: EntryField) -> dict[str, object]:
        """Validate `f` and show what it resolved to; the draft columns it changed (a new
        customer: `customer_id` and `ship_to_id`). Raises FieldError."""
        value = f.value.strip()
        if f.field == "customer":
            if not value:
                raise FieldError("customer", "is required")
            if self.customer is not None and value == self.customer.code:
                return {}
            return self.set_customer(order_entry.resolve_customer(self.store, value))
        if f.field == "po":
            self._check_po_format(value)
            self._check_duplicate_po(value)
            return {"customer_po": value}
        if f.field == "ship_to":
            if self.customer is None:
                raise FieldError("ship-to", "enter the customer first")
            if not value:
                raise FieldError("ship-to", "is required (the customer's ship-to code)")
            self._set_ship_to(order_entry.resolve_ship_to(self.store, self.customer.id, value))
            return {"ship_to_id": self.ship_to_id}
        if f.field == "requested":
            when = parse_date(value, self.today, field="requested date") if value else None
            if when is not None and when < self.today and when != self.kept_date:
                raise FieldError("requested date", f"{when:%a %Y-%m-%d} is in the past")
            self._set_requested(when)
            return {"requested_date": when}
        if f.field == "ship_via":
            return {"ship_via": value.upper()}
        if f.field == "freight":
            return self._commit_freight(f, value)
        if f.field == "priority":
            return self._commit_priority(f, value)
        return {"notes": value}

    def _commit_freight(self, f: EntryField, value: str) -> dict[str, object]:
        if not value:
            return {}
        terms = FREIGHT_CHOICES.get(value.lower())
        if terms is None:
            raise FieldError(
                "freight terms", "pp prepaid, col collect, ppa prepaid & add, 3p third party"
            )
        f.set_value(terms.value)
        return {"freight_terms": terms.value}

    def _commit_priority(self, f: EntryField, value: str) -> dict[str, object]:
        if not value:
            return {}
        choice = {"n": Priority.NORMAL, "r": Priority.RUSH}.get(value[0].lower())
        if choice is None:
            raise FieldError("priority", "n normal or r rush")
        f.set_value(choice.value)
        return {"priority": choice.value}

    def set_customer(self, customer: order_entry.CustomerInfo) -> dict[str, object]:
        """Put `customer` on the order, with its defaults where nothing was typed yet."""
        self.customer = customer
        h = self.fields
        h["customer"].set_value(customer.code)
        self._show_customer(customer)
        if not h["freight"].value:
            h["freight"].set_value(customer.freight_terms)
        if not h["ship_via"].value:
            h["ship_via"].set_value(customer.ship_via)
        if not h["priority"].value:
            h["priority"].set_value(Priority.NORMAL.value)
        if customer.default_ship_to is not None:
            self._set_ship_to(customer.default_ship_to)
        return {"customer_id": customer.id, "ship_to_id": self.ship_to_id}

    def load(
        self, order: SalesOrder, customer: order_entry.CustomerInfo, ship_to: Address | None
    ) -> None:
        """Fill the header from a stored draft."""
        self.customer = customer
        h = self.fields
        h["customer"].set_value(customer.code)
        self._show_customer(customer)
        h["po"].set_value(order.customer_po)
        h["ship_via"].set_value(order.ship_via)
        h["freight"].set_value(order.freight_terms)
        h["priority"].set_value(order.priority)
        h["notes"].set_value(order.notes)
        if order.requested_date is not None:
            self._set_requested(order.requested_date)
        if ship_to is not None:
            self._set_ship_to(ship_to)

    # -- what is shown beside the fields --------------------------------------------------------

    def _show_customer(self, customer: order_entry.CustomerInfo) -> None:
        info = f"[b]{escape(customer.name)}[/b] · {customer.payment_terms} · {customer.currency}"
        if customer.credit_status != "ok":
            info += f" · [b $error]CREDIT {customer.credit_status.upper()}[/]"
        self.query_one("#customer-info", Static).update(info)

    def _set_ship_to(self, address: Address) -> None:
        self.ship_to_id = address.id
        self.fields["ship_to"].set_value(address.code)
        a = address
        text = f"{escape(a.name)}, {escape(a.city)} {a.region} {a.country}"
        self.query_one("#ship-to-info", Static).update(text)

    def _set_requested(self, when: date | None) -> None:
        self.requested = when
        if when is not None:
            self.fields["requested"].set_value(when.isoformat())
        self.query_one("#requested-info", Static).update(f"{when:%a %d %b}" if when else "")

    # -- the PO checks --------------------------------------------------------------------------

    def _check_po_format(self, po: str) -> None:
        """A PO not in the customer's format: said (a typo, or another customer's PO), not
        refused (a customer may change its numbering)."""
        customer = self.customer
        if customer is None or not po or not customer.po_format:
            return
        if not po_format.matches(customer.po_format, po):
            warning = (
                f"[b $warning]PO {escape(po)} is not in {escape(customer.code)}'s PO format "
                f"{escape(customer.po_format)}: check it[/]"
            )
            self.post_message(self.Notice(warning))  # after the field's commit clears the line

    @work(thread=True, exclusive=True, group="po-check")
    def _check_duplicate_po(self, po: str) -> None:
        if self.customer is None:
            return
        other = order_entry.duplicate_po(self.store, self.customer.id, po, self.draft.id)
        if other is not None:
            warning = f"[b $warning]this customer already sent PO {escape(po)}: order {other}[/]"
            self.post_message(self.Notice(warning))

    def missing(self) -> list[str]:
        """What the header still needs before the order can be submitted."""
        todo = []
        if self.customer is None:
            todo.append("customer")
        if not self.fields["po"].value.strip():
            todo.append("customer PO")
        if self.customer is not None and self.ship_to_id is None:
            todo.append("ship-to")
        return todo
