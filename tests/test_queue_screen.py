"""The queue screen as a coordinator uses it on the demo store: Pilot presses keys, the screen
and the store are checked."""

import json

from sqlmodel import col, select
from textual.widgets import Input, Static

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.config import Settings
from orderdesk_tui.domain.queue_filter import parse_filter
from orderdesk_tui.models import AuditEvent, Hold, Note, QueueState
from orderdesk_tui.services import queue_actions
from orderdesk_tui.services.queue import load_queue
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store
from screens.dialogs import NoteDialog, PromptDialog, ReasonDialog, SupervisorDialog
from screens.order_entry import OrderEntryScreen
from screens.order_view import OrderViewScreen
from screens.queue import QueueScreen
from tests.ui import make_app, text_of, wait_for

SIZE = (200, 50)


async def open_queue(pilot, app: OrderDeskApp) -> QueueScreen:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+t")
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.snapshot)
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    return screen


async def filter_to(pilot, screen: QueueScreen, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type a filter as a person does: from the list, letters go to the filter line."""
    box = screen.query_one("#queue-filter", Input)
    if box.value:
        box.value = ""
    screen.table.focus()
    await pilot.press(*text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.filter.text == text)


async def test_queue_opens_with_ctrl_t_ranks_and_filters(demo_store: Store) -> None:
    expected = load_queue(demo_store, Settings().sla).visible(parse_filter(""), "alice")
    credit = load_queue(demo_store, Settings().sla).visible(parse_filter("hold:credit"), "alice")
    assert len(expected) > 20 and credit
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot, app)
        assert [i.key for i in screen.table.rows] == [i.key for i in expected]
        # rush orders not yet released first, then by score
        rush = [i.priority.score for i in screen.table.rows if i.reason_text.startswith("RUSH")]
        rest = [i.priority.score for i in screen.table.rows[len(rush) :]]
        assert rush and rush == sorted(rush, reverse=True) and rest == sorted(rest, reverse=True)
        count = text_of(screen.query_one("#queue-count", Static))
        assert f"{len(expected)} of {len(expected)} items" in count
        detail = text_of(screen.query_one("#queue-detail", Static))
        assert expected[0].number in detail and expected[0].priority.summary in detail

        await filter_to(pilot, screen, "hold:credit")
        assert {i.number for i in screen.table.rows} == {i.number for i in credit}
        assert app.focused is screen.table  # Enter on a good filter goes back to the list

        # a filter that does not parse: says where, keeps the text and the last good list
        await pilot.press("slash")
        box = screen.query_one("#queue-filter", Input)
        assert app.focused is box
        await pilot.press(*" >abc")
        await pilot.press("enter")
        error = text_of(screen.query_one("#filter-error", Static))
        assert "filter, column 14: expected an amount (5000, 5k, 1.5m), not 'abc'" in error
        assert error.index("^") == 8 + 14
        assert box.value == "hold:credit >abc" and app.focused is box
        assert {i.number for i in screen.table.rows} == {i.number for i in credit}

        # back to the order list and Ctrl+T again: the last read is on screen at once, on the
        # screen kept from before (not composed again), put back as new: no filter
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, QueueScreen))
        await pilot.press("ctrl+t")
        await pilot.pause()
        again = app.screen
        assert again is screen
        assert again.query_one("#queue-filter", Input).value == "" and app.focused is again.table
        assert [i.key for i in again.table.rows] == [i.key for i in expected]
        assert f"{len(expected)} of {len(expected)} items" in text_of(
            again.query_one("#queue-count", Static)
        )


async def test_take_release_with_supervisor_and_open(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot, app)
        await filter_to(pilot, screen, "hold:credit")
        item = screen.table.current
        assert item is not None and not item.assignee
        await pilot.press("f4")
        await wait_for(
            pilot, lambda: screen.table.current and screen.table.current.assignee == "alice"
        )
        credit = next(h for h in item.holds if h.kind == "credit")

        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press("enter")  # no reason: refused, the dialog stays
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"paid by wire", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorDialog))
        await pilot.press(*"sam", "enter", *"246810", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await wait_for(
            pilot,
            lambda: (
                item.key not in {i.key for i in screen.table.rows}
                or not any(
                    h.kind == "credit"
                    for i in screen.table.rows
                    if i.key == item.key
                    for h in i.holds
                )
            ),
        )
        await filter_to(pilot, screen, "rush")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen))
        view = app.screen
        assert isinstance(view, OrderViewScreen)
        assert view.order_id == screen.table.current.order_id  # type: ignore[union-attr]
        await pilot.press("f3")
        await filter_to(pilot, screen, "kind:draft")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderEntryScreen))

    with demo_store.session() as session:
        hold = session.get(Hold, credit.id)
        assert hold is not None and hold.released_by == "alice"
        assert hold.release_reason == "paid by wire"
        released = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "hold.released", AuditEvent.entity_id == credit.id
            )
        ).one()
        assert released.approved_by == "sam"
        state = session.exec(
            select(QueueState).where(QueueState.subject_id == item.subject_id)
        ).one()
        assert state.assignee == "alice"


async def test_a_coordinator_cannot_release_a_credit_hold_without_the_pin(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot, app)
        await filter_to(pilot, screen, "hold:credit")
        item = screen.table.current
        assert item is not None
        await pilot.press("f6", *"customer promised to pay", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorDialog))
        await pilot.press(*"sam", "enter", *"1111", "enter")
        await wait_for(
            pilot, lambda: "PIN" in text_of(app.screen.query_one(".dialog-error", Static))
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
    with demo_store.session() as session:
        holds = session.exec(select(Hold).where(Hold.id.in_([h.id for h in item.holds]))).all()  # type: ignore[union-attr]
        assert all(h.released_at is None for h in holds)


async def test_second_person_is_told_and_keeps_what_they_typed(demo_store: Store) -> None:
    bob = ensure_user(demo_store, "bob")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot, app)
        screen.workers.cancel_group(screen, "queue-watch")  # alice has not seen bob's change
        await wait_for(
            pilot, lambda: not [w for w in app.workers if w.group == "queue-watch" and w.is_running]
        )
        await filter_to(pilot, screen, "hold:stock")
        item = screen.table.current
        assert item is not None
        queue_actions.take(demo_store, item, actor=bob)  # bob, on another terminal

        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        first = app.screen
        await pilot.press(*"customer line down", "enter")
        # told what changed, shown the item as it is now, and asked again with her text
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, PromptDialog)
                and app.screen is not first
                and bool(app.screen.query(Input))
            ),
        )
        assert app.screen.query_one(Input).value == "customer line down"
        assert screen.table.current is not None and screen.table.current.assignee == "bob"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.table.current and screen.table.current.escalated)

    with demo_store.session() as session:
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == "queue_states")
            .order_by(col(AuditEvent.id))
        ).all()
        assert [(e.actor, e.action) for e in events] == [
            ("bob", "queue.take"),
            ("alice", "queue.escalate"),
        ]
        assert events[1].reason == "customer line down"
        assert json.loads(events[1].changes)["escalated_by"] == ["", "alice"]


async def test_mark_several_and_act_on_all_snooze_with_shorthand(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot, app)
        await filter_to(pilot, screen, "kind:backorder")
        assert len(screen.table.rows) >= 3
        wanted = [i.key for i in screen.table.rows[:3]]
        await pilot.press("space", "space", "space")
        assert screen.table.marked == set(wanted)
        assert "3 marked" in text_of(screen.query_one("#queue-count", Static))
        await pilot.press("f4")
        await wait_for(pilot, lambda: not screen.table.marked)
        await wait_for(
            pilot,
            lambda: {i.key for i in screen.table.rows if i.assignee == "alice"} == set(wanted),
        )

        await pilot.press("home", "f7")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press(*"25:00", "enter")  # refused, text kept
        assert isinstance(app.screen, PromptDialog)
        error = text_of(app.screen.query_one(".dialog-error", Static))
        assert "snooze until: '25:00' is not a time of day" in error
        box = app.screen.query_one(Input)
        assert box.value == "25:00"
        box.value = ""
        await pilot.press(*"+2h", "enter")
        await wait_for(pilot, lambda: wanted[0] not in {i.key for i in screen.table.rows})
        await filter_to(pilot, screen, "kind:backorder snoozed")
        assert [i.key for i in screen.table.rows] == [wanted[0]]

    with demo_store.session() as session:
        rows = session.exec(select(QueueState).order_by(col(QueueState.id))).all()
        assert [(r.subject_id, r.assignee) for r in rows] == [(k[1], "alice") for k in wanted]
        assert rows[0].snoozed_until is not None and rows[0].snoozed_by == "alice"


async def test_a_note_on_two_marked_items_goes_on_each_order(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot, app)
        await filter_to(pilot, screen, "kind:backorder")
        items = list(screen.table.rows[:2])
        assert all(i.order_id for i in items)
        await pilot.press("space", "space")
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press("escape")  # cancelled: nothing is recorded, the marks stay
        await wait_for(pilot, lambda: app.screen is screen)
        assert len(screen.table.marked) == 2
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteDialog))
        assert "Note on 2 items" in str(app.screen.query_one(".dialog-title", Static).render())
        await pilot.press(*"promised a date by noon", "enter")
        await wait_for(pilot, lambda: app.screen is screen and not screen.table.marked)

    with demo_store.session() as session:
        notes = session.exec(
            select(Note).where(Note.body == "promised a date by noon").order_by(col(Note.id))
        ).all()
    assert [(n.order_id, n.author) for n in notes] == [(i.order_id, "alice") for i in items]


async def test_enter_on_an_rma_waiting_on_us_opens_the_rma(demo_store: Store) -> None:
    from screens.rma import RmaScreen

    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot, app)
        await filter_to(pilot, screen, "kind:rma")
        await wait_for(pilot, lambda: screen.table.current is not None)
        item = screen.table.current
        assert item is not None and item.subject_id
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RmaScreen))
        assert app.screen.rma_id == item.subject_id  # type: ignore[attr-defined]


async def test_the_queue_is_read_after_the_first_paint_and_shown_at_the_first_ctrl_t(
    demo_store: Store,
) -> None:
    """Read ahead, off the UI thread: the first Ctrl+T shows that read at once, saying when it
    was read, then reads again."""
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app._queue_reader and app._queue_reader.last)
        assert app._queue_reader is not None
        ahead = app._queue_reader.last
        assert ahead is not None and ahead.items
        app.action_queue()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QueueScreen) and screen.snapshot is not None
        assert [i.key for i in screen.table.rows][:5] == [i.key for i in ahead.items][:5]
        assert screen.loaded_at == screen.snapshot.now  # when it was read, shown as such


async def test_marks_go_when_the_queue_is_closed_not_when_a_dialog_covers_it(
    demo_store: Store,
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_queue(pilot, app)
        screen.action_mark_all()
        marked = len(screen.table.marked)
        assert marked > 1
        await pilot.press("f9")  # a note dialog over the queue
        await wait_for(pilot, lambda: app.screen is not screen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert len(screen.table.marked) == marked
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, QueueScreen))
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: app.screen is screen)
        assert not screen.table.marked
