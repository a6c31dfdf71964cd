"""Text fields apply editing keys in the order typed, even in a burst (see DeskInput)."""

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from orderdesk_tui.store import Store
from screens.widgets.desk_input import DeskInput
from tests.ui import make_app


def post_burst(app: App[object], keys: list[tuple[str, str | None]]) -> None:
    for key, char in keys:
        app.post_message(events.Key(key, char))


def typed(text: str) -> list[tuple[str, str | None]]:
    return [(ch, ch) for ch in text]


class OneField(App[None]):
    def compose(self) -> ComposeResult:
        yield DeskInput()


async def test_backspace_and_cursor_keys_apply_in_order_in_a_burst() -> None:
    app = OneField()
    async with app.run_test() as pilot:
        await pilot.pause()
        keys = [*typed("ab"), ("backspace", None), *typed("xy")]
        keys += [("left", None), ("left", None), *typed("z"), ("end", None), *typed("w")]
        post_burst(app, keys)
        await pilot.pause(0.3)
        assert app.query_one(DeskInput).value == "azxyw"


async def test_the_order_search_takes_a_corrected_burst(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("slash")
        post_burst(app, [*typed("acmx"), ("backspace", None), *typed("e01")])
        await pilot.pause(0.5)
        assert app.screen.query_one("#search", Input).value == "acme01"
