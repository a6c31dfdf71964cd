"""Shift+F10 on a change request in the queue: the 860 as a diff against its order, accepted
line by line and applied with a reason (the order changes, one revision from `edi_860`, the
request leaves the queue), or rejected with a reason; an unreadable 860 shows the reader's
error and can only be rejected."""

import json
from decimal import Decimal
from typing import Any

from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.config import Settings
from orderdesk_tui.models import EDIDocument, OrderRevision, SalesOrder, SalesOrderLine, User
from orderdesk_tui.services import edi_change
from orderdesk_tui.services.change_plan import LineChange, OrderChange
from orderdesk_tui.services.order_change import apply_order_change
from orderdesk_tui.store import Store
from screens.change_request import ChangeRequestDialog
from screens.dialogs import PromptDialog, SupervisorDialog, TextDialog
from screens.queue import QueueScreen
from tests.test_edi_po_change import x860
from tests.ui import SIZE, keys_of, make_app, text_of, wait_for


def _waiting(store: Store, marker: str) -> EDIDocument:
    with store.session() as session:
        docs = session.exec(
            select(EDIDocument).where(
                EDIDocument.transaction_set == "860", EDIDocument.state == "received"
            )
        ).all()
    return next(d for d in docs if marker in d.raw)


def _state(store: Store, doc_id: int) -> EDIDocument:
    with store.session() as session:
        doc = session.get(EDIDocument, doc_id)
        assert doc is not None
        return doc


async def _open_review(pilot: Pilot[Any], app: OrderDeskApp, doc_id: int) -> ChangeRequestDialog:
    """Ctrl+T, the change requests only, the cursor down to 860 `doc_id`, Shift+F10."""
    await pilot.press("ctrl+t")
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.snapshot)
    queue = app.screen
    assert isinstance(queue, QueueScreen)
    queue.table.focus()
    await pilot.press(*"kind:change", "enter")
    await wait_for(pilot, lambda: queue.filter.text == "kind:change" and queue.table.rows)
    for _ in range(len(queue.table.rows)):
        current = queue.table.current
        if current is not None and current.subject_id == doc_id:
            break
        await pilot.press("down")
    assert queue.table.current is not None and queue.table.current.subject_id == doc_id
    assert "Shift+F10 shows the changes" in text_of(queue.query_one("#queue-detail", Static))
    await pilot.press("shift+f10")
    await wait_for(pilot, lambda: isinstance(app.screen, ChangeRequestDialog))
    dialog = app.screen
    assert isinstance(dialog, ChangeRequestDialog)
    return dialog


def _rows(dialog: ChangeRequestDialog) -> list[str]:
    options = dialog.query_one(OptionList)
    return [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]


async def _type(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*(key for key, _ in keys_of(text)))


async def test_accept_line_by_line_and_apply_with_the_default_reason(demo_store: Store) -> None:
    doc = _waiting(demo_store, "*QD*")
    assert doc.id is not None and doc.order_id is not None
    (change,) = edi_change.review(demo_store, doc.id).changes
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_review(pilot, app, doc.id)
        queue = app.screen_stack[-2]
        assert isinstance(queue, QueueScreen)
        before = len(queue.table.rows)
        assert _rows(dialog) == [f"[x] {change}   (QD)"]
        await pilot.press("space")  # declined
        assert _rows(dialog) == [f"[ ] {change}   (QD)"]
        await pilot.press("enter")
        error = text_of(dialog.query_one(".dialog-error", Static))
        assert error == "no change accepted: F8 rejects the request with a reason"
        await pilot.press("space", "enter")  # accepted again, applied
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        reason = app.screen.query_one("#value", Input)
        assert reason.value == f"EDI 860 {doc.interchange_control} from GLMS01"
        await pilot.press("enter")
        await wait_for(pilot, lambda: _state(demo_store, doc.id or 0).state == "acknowledged")
        assert isinstance(app.screen, QueueScreen)
        await wait_for(pilot, lambda: len(queue.table.rows) == before - 1)
        assert doc.id not in {i.subject_id for i in queue.table.rows}
    assert change.line_no is not None
    with demo_store.session() as session:
        line = session.exec(
            select(SalesOrderLine).where(
                SalesOrderLine.order_id == doc.order_id, SalesOrderLine.line_no == change.line_no
            )
        ).one()
        assert line.quantity == change.value
        (revision,) = session.exec(
            select(OrderRevision).where(OrderRevision.order_id == doc.order_id)
        ).all()
        assert (revision.source, revision.actor) == ("edi_860", "alice")
        assert revision.summary == str(change)
    decision = json.loads(_state(demo_store, doc.id).decision)
    assert (decision["outcome"], decision["revision"]) == ("applied", 1)
    assert [c["accepted"] for c in decision["changes"]] == [True]


async def test_reject_the_whole_request_with_a_reason(demo_store: Store) -> None:
    doc = _waiting(demo_store, "DTM*002")
    assert doc.id is not None
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_review(pilot, app, doc.id)
        assert _rows(dialog)[0].startswith("[x] requested date ")
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press("enter")  # a reason is required
        error = app.screen.query_one(".dialog-error", Static)
        assert text_of(error) == "a reason is required"
        await _type(pilot, "dock closed that week\n")
        await wait_for(pilot, lambda: _state(demo_store, doc.id or 0).state == "acknowledged")
        assert isinstance(app.screen, QueueScreen)
    decision = json.loads(_state(demo_store, doc.id).decision)
    assert (decision["outcome"], decision["reason"], decision["by"]) == (
        "rejected",
        "dock closed that week",
        "alice",
    )
    with demo_store.session() as session:
        assert session.exec(select(OrderRevision)).all() == []  # no order changed


async def test_an_unreadable_860_shows_where_and_can_only_be_rejected(demo_store: Store) -> None:
    first = _waiting(demo_store, "*QI*")
    with demo_store.session() as session:
        broken = EDIDocument(
            direction="in",
            transaction_set="860",
            interchange_control="000000777",
            partner_id=first.partner_id,
            customer_id=first.customer_id,
            order_id=first.order_id,
            raw=x860("POC*1*QI*15").replace("SE*4*0001", "SE*9*0001"),
        )
        session.add(broken)
        session.flush()
        doc_id = broken.id or 0
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_review(pilot, app, doc_id)
        problems = text_of(dialog.query_one("#change-problems", Static))
        assert problems == (
            "Cannot be applied: unreadable: segment 6 (SE) element 1: SE01 says 9, the "
            "segments ST…SE are 4"
        )
        assert _rows(dialog) == []
        await pilot.press("enter")
        error = text_of(dialog.query_one(".dialog-error", Static))
        assert error == "nothing of it can be applied: F8 rejects it with a reason"
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await _type(pilot, "send it again please\n")
        await wait_for(pilot, lambda: _state(demo_store, doc_id).state == "acknowledged")
    assert json.loads(_state(demo_store, doc_id).decision)["outcome"] == "rejected"
    assert _state(demo_store, first.id or 0).state == "received"


async def test_a_price_under_the_floor_asks_for_a_supervisor(demo_store: Store) -> None:
    first = _waiting(demo_store, "*QI*")
    with demo_store.session() as session:
        order = session.get(SalesOrder, first.order_id)
        assert order is not None
        cheap = EDIDocument(
            direction="in",
            transaction_set="860",
            interchange_control="000000778",
            partner_id=first.partner_id,
            customer_id=first.customer_id,
            order_id=first.order_id,
            raw=x860("POC*1*PC***EA*0.01", po=order.customer_po),
        )
        session.add(cheap)
        session.flush()
        doc_id = cheap.id or 0
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_review(pilot, app, doc_id)
        assert _rows(dialog)[0].endswith("→ 0.01   (PC)")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorDialog))
        await pilot.press(*"sam", "enter", *"246810", "enter")
        await wait_for(pilot, lambda: _state(demo_store, doc_id).state == "acknowledged")
    with demo_store.session() as session:
        (revision,) = session.exec(
            select(OrderRevision).where(OrderRevision.order_id == first.order_id)
        ).all()
        assert (revision.source, revision.approved_by) == ("edi_860", "sam")
        line = session.exec(
            select(SalesOrderLine).where(
                SalesOrderLine.order_id == first.order_id, SalesOrderLine.line_no == 1
            )
        ).one()
        assert line.unit_price == Decimal("0.01")


async def test_an_order_changed_meanwhile_shows_both_versions_and_writes_nothing(
    demo_store: Store,
) -> None:
    """Another terminal changes the same line while the 860 is on screen: applying it is
    refused, both versions are shown, the order keeps the other terminal's change and the
    request stays in the queue."""
    doc = _waiting(demo_store, "*QD*")
    assert doc.id is not None and doc.order_id is not None
    (change,) = edi_change.review(demo_store, doc.id).changes
    assert change.line_no is not None
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await _open_review(pilot, app, doc.id)
        with demo_store.session() as session:
            order = session.get(SalesOrder, doc.order_id)
            assert order is not None
        apply_order_change(
            demo_store,
            doc.order_id,
            OrderChange(lines=(LineChange(change.line_no, quantity=Decimal("7")),)),
            expected_version=order.version,
            actor=User(name="bob"),
            reason="customer phoned",
            settings=Settings(),
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        shown = text_of(app.screen.query_one(".dialog-body Static", Static))
        assert "Changed on the other terminal (theirs):" in shown
        assert f"line {change.line_no} qty" in shown and "→ 7" in shown
        assert "Your change (not applied):" in shown
    assert _state(demo_store, doc.id).state == "received"
    with demo_store.session() as session:
        line = session.exec(
            select(SalesOrderLine).where(
                SalesOrderLine.order_id == doc.order_id, SalesOrderLine.line_no == change.line_no
            )
        ).one()
        revisions = session.exec(
            select(OrderRevision).where(OrderRevision.order_id == doc.order_id)
        ).all()
    assert line.quantity == Decimal("7")
    assert [r.source for r in revisions] == ["keyboard"]
