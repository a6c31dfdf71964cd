"""What the UI tests share: the app on a store as one of its users, waiting for workers to
finish, a widget's text, and keys sent in one burst as a fast typist's keyboard sends them."""

from collections.abc import Callable
from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widgets import Static

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.config import Settings
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store

SIZE = (180, 45)
#: Textual's key names for the characters that are not letters or digits.
KEY_NAMES = {
    "-": "minus",
    "/": "slash",
    "*": "asterisk",
    " ": "space",
    "+": "plus",
    ".": "full_stop",
    "#": "number_sign",
    ",": "comma",
}


def make_app(store: Store, user: str = "alice", settings: Settings | None = None) -> OrderDeskApp:
    return OrderDeskApp(store=store, settings=settings or Settings(), user=ensure_user(store, user))


def text_of(widget: Static) -> str:
    return str(widget.render())


async def wait_for(
    pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 8.0
) -> None:
    """Let workers finish: pause until `condition()` holds (fails the test after `timeout`)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached in time")


def keys_of(text: str) -> list[tuple[str, str | None]]:
    """(key, character) for each character typed; a newline is Enter, a tab character Tab."""
    special = {"\n": "enter", "\t": "tab"}
    return [
        (special[ch], None) if ch in special else (ch if ch.isalnum() else KEY_NAMES[ch], ch)
        for ch in text
    ]


def burst(app: OrderDeskApp, text: str) -> None:
    """Post every key at once, as a fast typist's keyboard would: no waiting between keys."""
    for key, char in keys_of(text):
        app.post_message(events.Key(key, char))
