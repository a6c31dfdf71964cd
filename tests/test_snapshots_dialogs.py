"""What every dialog looks like, opened as a coordinator opens it, as SVG snapshots in the four
looks, 120x36 and 200x50, dark and light (tests/snapshot_kit.py: the looks, the frozen setup, how to
regenerate)."""

from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen

from orderdesk_tui.store import Store
from screens.customer_lookup import CustomerLookupScreen
from screens.dialogs import (
    FormDialog,
    NoteDialog,
    PickDialog,
    PromptDialog,
    QuestionDialog,
    ReasonDialog,
    SupervisorDialog,
    TextDialog,
)
from screens.entry_keys import PAUSE_S
from screens.order_entry import OrderEntryScreen
from screens.order_view import OrderViewScreen
from screens.part_picker import PartPicker
from screens.rma_list import RmaListScreen
from tests.snapshot_kit import LOOKS, Look, SnapCompare, desk, held_order, open_order_list, shoot
from tests.ui import burst, keys_of, wait_for

pytestmark = pytest.mark.usefixtures("frozen_clock")


async def on_top(pilot: Pilot[Any], kind: type[Screen[Any]]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, kind))
    await pilot.pause(PAUSE_S + 0.1)  # past the key gate a refusal may have opened


async def view_order(pilot: Pilot[Any], order_id: int) -> OrderViewScreen:
    app = pilot.app
    await open_order_list(pilot)
    app.push_screen(OrderViewScreen(app.desk, app.status, order_id))  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: getattr(app.screen, "detail", None) is not None)
    screen = app.screen
    assert isinstance(screen, OrderViewScreen)
    return screen


async def new_order_for(pilot: Pilot[Any], customer: str) -> OrderEntryScreen:
    """A new order with the customer typed and the PO field reached."""
    await open_order_list(pilot)
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, OrderEntryScreen))
    screen = pilot.app.screen
    assert isinstance(screen, OrderEntryScreen)
    burst(pilot.app, f"{customer}\n")
    await pilot.pause(0.3)
    return screen


@pytest.mark.parametrize("look", LOOKS)
def test_reason_refused_when_empty(
    snap_compare: SnapCompare, demo_store: Store, look: Look
) -> None:
    """F6 on a credit-held order asks why; Enter with no reason says one is required."""
    order_id = held_order(demo_store, "credit")

    async def steps(pilot: Pilot[Any]) -> None:
        await view_order(pilot, order_id)
        await pilot.press("f6")
        await on_top(pilot, ReasonDialog)
        await pilot.press("enter")
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_supervisor_override(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    """A coordinator releasing a credit hold: the reason given, a supervisor is asked for."""
    order_id = held_order(demo_store, "credit")

    async def steps(pilot: Pilot[Any]) -> None:
        await view_order(pilot, order_id)
        await pilot.press("f6")
        await on_top(pilot, ReasonDialog)
        burst(pilot.app, "customer paid by wire\n")
        await on_top(pilot, SupervisorDialog)
        burst(pilot.app, "sam")
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_note_on_an_order(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    order_id = held_order(demo_store, "credit")

    async def steps(pilot: Pilot[Any]) -> None:
        await view_order(pilot, order_id)
        await pilot.press("f9")
        await on_top(pilot, NoteDialog)
        burst(pilot.app, "called AP, wire sent today")
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_pick_usual_items(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    """F11 in a new order: the customer's usual items and last order to pick from."""

    async def steps(pilot: Pilot[Any]) -> None:
        await new_order_for(pilot, "SUMM01")
        await pilot.press("f11")
        await on_top(pilot, PickDialog)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_part_picker(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    """F4 on a part typed in part: the catalogue hits to choose from."""

    async def steps(pilot: Pilot[Any]) -> None:
        await new_order_for(pilot, "SUMM01")
        burst(pilot.app, "PO-SNAP-2\n\nbearing")
        await pilot.pause(0.3)
        await pilot.press("f4")
        await on_top(pilot, PartPicker)
        await pilot.pause(0.3)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_question_on_a_discontinued_part(
    snap_compare: SnapCompare, demo_store: Store, look: Look
) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await new_order_for(pilot, "ACME01")
        burst(pilot.app, "PO-SNAP-3\n\nBAT-NICD-18V-2AH\n")
        await on_top(pilot, QuestionDialog)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_returns_report_prompt_and_text(
    snap_compare: SnapCompare, demo_store: Store, look: Look
) -> None:
    """F9 on the returns list asks the period (PromptDialog), then shows the report
    (TextDialog): the shot is the report."""

    async def steps(pilot: Pilot[Any]) -> None:
        await open_order_list(pilot)
        await pilot.press("ctrl+r")
        await on_top(pilot, RmaListScreen)
        await pilot.press("f9")
        await on_top(pilot, PromptDialog)
        await pilot.press("ctrl+u")
        burst(pilot.app, "2026-09-01 2026-11-27 reason\n")
        await on_top(pilot, TextDialog)
        await pilot.pause(0.1)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_new_customer_form(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    """F10 in the customer lookup: the new customer form, the typed name carried in."""

    async def steps(pilot: Pilot[Any]) -> None:
        await open_order_list(pilot)
        await pilot.press("ctrl+l")
        await on_top(pilot, CustomerLookupScreen)
        burst(pilot.app, "Łódź Hydraulika")
        await pilot.pause(0.3)
        await pilot.press("f10")
        await on_top(pilot, FormDialog)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)


@pytest.mark.parametrize("look", LOOKS)
def test_palette_finds_a_customer(snap_compare: SnapCompare, demo_store: Store, look: Look) -> None:
    """Ctrl+P and a customer's name: the desk's hits under Textual's own commands."""

    async def steps(pilot: Pilot[Any]) -> None:
        await open_order_list(pilot)
        await pilot.press("ctrl+p")
        await on_top(pilot, CommandPalette)
        await pilot.press(*(key for key, _ in keys_of("summit")))
        commands = pilot.app.screen.query_one(CommandList)

        def found() -> bool:
            return commands.option_count > 0 and "Summit" in str(
                commands.get_option_at_index(0).prompt
            )

        await wait_for(pilot, found)
        await pilot.pause(0.3)

    assert shoot(snap_compare, desk(demo_store, look), look, steps)
