"""After a refused field: the keys typed on are thrown away at any typing speed, the refused
text stays visible and unselected, and F9 says why the order did not go."""

import asyncio

import pytest
from textual.widgets import Static

from orderdesk_tui.store import Store
from screens.dialogs import PickDialog
from screens.entry_keys import PAUSE_S, KeyGate
from tests.test_order_entry import SIZE, open_entry, settle
from tests.ui import burst, keys_of, make_app, text_of, wait_for


def test_the_gate_throws_keys_away_until_a_pause() -> None:
    gate = KeyGate(pause=0.4)
    assert not gate.swallows(10.0)
    gate.close(10.0)
    assert gate.swallows(9.9), "typed before the refusal was shown"
    assert gate.swallows(10.3) and gate.swallows(10.6) and gate.swallows(10.99)
    assert not gate.swallows(11.4), "the first key after a pause is applied"
    assert not gate.closed and not gate.swallows(11.45)


@pytest.mark.parametrize("pace", [0.02, 0.05, 0.1])
async def test_keys_after_a_refused_date_are_thrown_away_at_any_pace(
    demo_store: Store, pace: float
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "acme01\nPO-PACE\n")
        await settle(pilot, screen)
        requested = screen.header["requested"]
        assert screen.active is requested
        for key, _ in keys_of("2/31\n6003-2RS\n5\n"):
            await pilot.press(key)
            await asyncio.sleep(pace)
        await settle(pilot, screen)
        assert screen.active is requested, "the cursor stays on the refused field"
        assert requested.value == "2/31", "the refused text is kept"
        assert "2/31" in str(requested.render()), "and shown"
        assert not requested.fresh, "not selected: the next key does not replace it"
        message = text_of(screen.query_one("#message", Static))
        assert message.startswith("requested date") and "2/31" in message, message
        assert all(ln.item is None and not ln.row.part.value for ln in screen.lines)
        # after a pause the typist fixes the text kept: keys edit it where the cursor is
        await pilot.pause(PAUSE_S + 0.1)
        for key in ("backspace", "backspace", "2", "8", "enter"):
            await pilot.press(key)
        await settle(pilot, screen)
        assert screen.requested is not None and screen.requested.month == 2
        assert screen.requested.day == 28
        assert screen.active is screen.lines[0].row.part


async def test_a_digit_typed_on_after_an_ambiguous_customer_picks_nothing(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_entry(pilot, app)
        burst(app, "inc\n2")  # the 2 was typed on, before the pick list was seen
        await wait_for(pilot, lambda: isinstance(app.screen, PickDialog))
        await pilot.pause(0.2)
        assert isinstance(app.screen, PickDialog) and screen.customer is None
        await pilot.pause(PAUSE_S)
        await pilot.press("1")  # after a pause: picked
        await settle(pilot, screen)
        assert app.screen is screen and screen.customer is not None
        assert screen.active is screen.header["po"]
