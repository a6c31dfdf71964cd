"""README's key tables say the keys the screens really have: every key a screen binds (its
legend, and the keys it does not show) is written, in backticks, in that screen's section of
README.md; the keys of every screen (app, tables, dialogs) somewhere that fits."""

import re
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.screen import Screen

from orderdesk_tui.keymap.key_specs import format_key
from screens.customer_lookup import CustomerLookupScreen
from screens.customer_view import CustomerViewScreen
from screens.keys import default_keymap
from screens.order_entry import OrderEntryScreen
from screens.order_list import OrderListScreen
from screens.order_view import OrderViewScreen
from screens.purchase_order_view import PurchaseOrderViewScreen
from screens.purchase_orders import PurchaseOrdersScreen
from screens.queue import QueueScreen
from screens.reports import ReportOrdersScreen, ReportsScreen
from screens.rma import RmaScreen
from screens.rma_list import RmaListScreen
from screens.rma_new import RmaNewScreen

README = Path(__file__).resolve().parents[1] / "README.md"
RETURNS = "### Returns and warranty claims"
PURCHASES = "### Purchase orders"
#: Each screen with a legend -> the README section (a heading, by its start) that documents it.
SCREENS: dict[type[Screen[None]], str] = {
    OrderListScreen: "### Order list",
    OrderEntryScreen: "### Order entry",
    OrderViewScreen: "### Order view",
    RmaListScreen: RETURNS,
    RmaNewScreen: RETURNS,
    RmaScreen: RETURNS,
    QueueScreen: "### Queue",
    PurchaseOrdersScreen: PURCHASES,
    PurchaseOrderViewScreen: PURCHASES,
    CustomerLookupScreen: "### Customer lookup",
    CustomerViewScreen: "### Customer view",
    ReportsScreen: "### Reports",
    ReportOrdersScreen: "### Reports",
}
#: Scopes of keys that work on more than one screen -> where README says them ("": anywhere;
#: the app's keys are named where they lead, "Order entry (`Ctrl+N` from anywhere)").
SHARED = {
    "app": [""],
    "table": ["### Order list"],
    "dialog": ["### Order view", "### Customer view"],
    "change_request": ["### Queue"],
}


#: Key names as README spells them out, as `format_key` writes them.
SPELLED_OUT = {"Delete": "Del", "Insert": "Ins", "Escape": "Esc"}


def section(heading: str) -> str:
    """The heading that starts with `heading` and its text, up to the next heading of the
    same or a higher level ("": the whole README). Sections are `##` and `###` headings (a
    `#` line may be a comment in a code block)."""
    text = README.read_text(encoding="utf-8")
    if not heading:
        return text
    found = next(m for m in re.finditer(r"^(##+) .*$", text, re.M) if m[0].startswith(heading))
    end = re.compile(rf"^#{{2,{len(found[1])}}} ", re.M).search(text, found.end())
    return text[found.start() : end.start() if end else len(text)]


def keys_written(text: str) -> set[str]:
    """Every key written in backticks: `F3`, `↑ ↓ PgUp`, `Ctrl+G 3 Enter`, `Ctrl+Delete` ..."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # code blocks are no keys
    words = {word for span in re.findall(r"`([^`\n]+)`", prose) for word in span.split()}
    for long, short in SPELLED_OUT.items():
        words |= {word.replace(long, short) for word in words}
    return words


def missing_keys(binding_ids: list[str], headings: list[str]) -> list[str]:
    keymap = default_keymap()
    written = set().union(*(keys_written(section(h)) for h in headings))
    return [
        f"{binding_id} {format_key(key)}"
        for binding_id in binding_ids
        for key in keymap.keys_for(binding_id).split(",")
        if format_key(key) not in written
    ]


def screen_ids(screen: type[Screen[None]]) -> list[str]:
    return [b.id for b in screen.BINDINGS if isinstance(b, Binding) and b.id]


@pytest.mark.parametrize("screen", list(SCREENS), ids=lambda s: s.__name__)
def test_every_key_of_a_screen_is_in_its_readme_section(screen: type[Screen[None]]) -> None:
    assert missing_keys(screen_ids(screen), [SCREENS[screen]]) == []


@pytest.mark.parametrize("scope", sorted(SHARED))
def test_every_shared_key_is_in_the_readme(scope: str) -> None:
    assert missing_keys(default_keymap().ids_in_scope(scope), SHARED[scope]) == []


def test_every_binding_is_checked_here() -> None:
    """A new screen or scope comes with its README section (and an entry above)."""
    keymap = default_keymap()
    checked = {i for screen in SCREENS for i in screen_ids(screen)}
    checked |= {i for scope in SHARED for i in keymap.ids_in_scope(scope)}
    assert set(keymap.scopes) == checked
