"""The entry screen's own keys follow the user's bindings.toml when applied in the order typed:
the key it is moved to runs the action, the key it left does not."""

from textual import events
from textual.widgets import Static

from orderdesk_tui.store import Store
from tests.test_order_entry import SIZE, open_entry, settle
from tests.ui import make_app, text_of


async def test_a_moved_entry_key_runs_its_action_in_the_order_typed(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        app.set_keymap({"entry.last_ack": "f2", "entry.goto_line": "ctrl+b"})
        message = screen.query_one("#message", Static)
        app.post_message(events.Key("f12", None))  # the default key: not F12's action now
        await settle(pilot, screen)
        assert "no order submitted" not in text_of(message)
        app.post_message(events.Key("f2", None))
        await settle(pilot, screen)
        assert "no order submitted from this screen yet" in text_of(message)
        app.post_message(events.Key("ctrl+b", None))  # the line editor's keys follow too
        await settle(pilot, screen)
        assert screen.line_editor.wanted == ""
