"""Customer lookup, customer view, master data forms and quick notes, driven by keys."""

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select
from textual.widgets import DataTable, Input, Static, TabbedContent

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.models import Address, AuditEvent, Customer, Note, SalesOrder, SyncOutbox
from orderdesk_tui.services import customer_master
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store
from screens.customer_lookup import CustomerLookupScreen
from screens.customer_view import CustomerViewScreen
from screens.dialogs import FormDialog, NoteDialog, PromptDialog, ReasonDialog
from screens.order_entry import OrderEntryScreen
from screens.order_list import OrderListScreen
from screens.order_view import OrderViewScreen
from tests.ui import SIZE, make_app, text_of, wait_for


def customer(store: Store, code: str) -> Customer:
    with store.session() as s:
        row = s.exec(select(Customer).where(Customer.code == code)).one()
        s.expunge(row)
        return row


async def open_lookup(pilot, app: OrderDeskApp) -> CustomerLookupScreen:  # type: ignore[no-untyped-def]
    """From the order list, Ctrl+L: the customer lookup."""
    await wait_for(pilot, lambda: isinstance(app.screen, OrderListScreen))
    await pilot.press("ctrl+l")
    await wait_for(pilot, lambda: isinstance(app.screen, CustomerLookupScreen))
    lookup = app.screen
    assert isinstance(lookup, CustomerLookupScreen)
    return lookup


async def open_customer(pilot, app: OrderDeskApp, needle: str) -> CustomerViewScreen:  # type: ignore[no-untyped-def]
    lookup = await open_lookup(pilot, app)
    await pilot.press(*needle)
    await wait_for(
        pilot, lambda: lookup.hits and lookup.query_one("#needle", Input).value == needle
    )
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, CustomerViewScreen) and app.screen.view)
    view = app.screen
    assert isinstance(view, CustomerViewScreen)
    return view


async def test_lookup_as_typed_then_customer_view_then_order(demo_store: Store) -> None:
    glms = customer(demo_store, "GLMS01")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_customer(pilot, app, "great lakes")
        assert view.customer_id == glms.id
        header = text_of(view.query_one("#customer-header", Static))
        assert "GLMS01" in header and "Great Lakes MRO Supply Co." in header
        assert "credit limit" in header
        with demo_store.session() as s:
            addresses = s.exec(select(Address).where(Address.customer_id == glms.id)).all()
        assert view.addresses.row_count == len(addresses)
        # Tab walks the tabs; on Open orders, Enter opens the order under the cursor
        for _ in range(4):
            await pilot.press("tab")
        assert view.query_one(TabbedContent).active == "open-orders"
        assert view.view is not None and view.view.open_orders
        first = view.view.open_orders[0]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen) and app.screen.detail)
        assert isinstance(app.screen, OrderViewScreen) and app.screen.order_id == first.id
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.screen is view)
        await pilot.press("tab")  # Orders: the whole history, paged
        assert view.query_one(TabbedContent).active == "orders"
        await wait_for(pilot, lambda: view.history.total == 35 and view.history.current)
        assert "fill" in text_of(view.query_one("#performance", Static))


async def test_where_is_my_order_in_one_step(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        lookup = await open_lookup(pilot, app)
        await pilot.press(*"so0000170")
        track = lookup.query_one("#track", DataTable)
        await wait_for(pilot, lambda: track.row_count == 4)
        assert "SO0000170" in text_of(lookup.query_one("#track-header", Static))
        rows = [track.get_row_at(i) for i in range(4)]
        assert [r[4] for r in rows] == ["shipped", "shipped", "shipped", "backordered"]
        assert rows[0][11] == "Customer pickup" and rows[0][10] == "2026-11-03"
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen) and app.screen.detail)
        assert isinstance(app.screen, OrderViewScreen)
        assert app.screen.detail is not None and app.screen.detail.order.number == "SO0000170"


async def test_new_order_for_this_customer(demo_store: Store) -> None:
    acme = customer(demo_store, "ACME01")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, app, "ACME01")
        await pilot.press("f7")
        await wait_for(
            pilot, lambda: isinstance(app.screen, OrderEntryScreen) and app.screen.customer
        )
        entry = app.screen
        assert isinstance(entry, OrderEntryScreen)
        assert entry.header["customer"].value == "ACME01"
        assert entry.active is entry.header["po"]
        await wait_for(pilot, lambda: entry.draft.id is not None)
    with demo_store.session() as s:
        draft = s.get(SalesOrder, entry.draft.id)
        assert draft is not None and draft.customer_id == acme.id and draft.state == "draft"


async def test_edit_customer_bad_input_kept_then_saved_and_audited(demo_store: Store) -> None:
    acme = customer(demo_store, "ACME01")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_customer(pilot, app, "ACME01")
        await pilot.press("tab", "tab")  # on Credit: F4 edits the customer itself
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, FormDialog))
        form = app.screen
        assert isinstance(form, FormDialog)
        assert "Customer ACME01" in str(form.query_one(".dialog-title").render())
        phone = form.input_of("phone")
        phone.value = ""
        phone.focus()
        await pilot.press(*"555-01")
        await pilot.press("ctrl+s")
        error = form.query_one(".dialog-error", Static)
        await wait_for(pilot, lambda: "phone: not a valid phone number" in text_of(error))
        assert phone.has_class("invalid") and phone.value == "555-01"
        assert isinstance(app.screen, FormDialog)
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.press(*"773 555 0199")
        assert phone.value == "555773 555 0199"
        phone.value = "773 555 0199"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is view)
        changes = view.query_one("#changes-table", DataTable)
        await wait_for(
            pilot, lambda: changes.row_count > 0 and "773-555-0199" in str(changes.get_row_at(0))
        )
    with demo_store.session() as s:
        stored = s.get(Customer, acme.id)
        assert stored is not None and stored.phone == "+1 773-555-0199"
        event = s.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == "customers", AuditEvent.entity_id == acme.id)
            .order_by(col(AuditEvent.id).desc())
        ).first()
        assert event is not None and event.actor == "alice"
        assert json.loads(event.changes)["phone"] == ["773-555-0142", "+1 773-555-0199"]
        push = s.exec(select(SyncOutbox).where(SyncOutbox.entity == "customers")).one()
        assert json.loads(push.payload)["changes"] == {"phone": "+1 773-555-0199"}


async def test_a_po_format_set_on_the_customer_moves_entry_on(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, app, "ACME01")
        await pilot.press("tab", "tab", "f4")  # on Credit: F4 edits the customer
        await wait_for(pilot, lambda: isinstance(app.screen, FormDialog))
        form = app.screen
        assert isinstance(form, FormDialog)
        mask = form.input_of("po_format")
        mask.focus()
        await pilot.press(*"ACME-FIXED", "ctrl+s")
        error = form.query_one(".dialog-error", Static)
        await wait_for(pilot, lambda: "PO format: # for a digit" in text_of(error))
        assert mask.value == "ACME-FIXED" and isinstance(app.screen, FormDialog)
        mask.value = ""
        await pilot.press(*"45########", "ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, FormDialog))
        view = app.screen
        assert isinstance(view, CustomerViewScreen)
        await wait_for(
            pilot,
            lambda: "PO format 45########" in text_of(view.query_one("#customer-header", Static)),
        )
        await pilot.press("f7")  # a new order for ACME01: its POs now move on by themselves
        await wait_for(
            pilot, lambda: isinstance(app.screen, OrderEntryScreen) and app.screen.customer
        )
        entry = app.screen
        assert isinstance(entry, OrderEntryScreen)
        await pilot.press(*"4500187211")
        await wait_for(pilot, lambda: entry.active is entry.header["requested"])
    assert customer(demo_store, "ACME01").po_format == "45########"


async def test_second_editor_told_what_changed_and_keeps_input(demo_store: Store) -> None:
    acme = customer(demo_store, "ACME01")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_customer(pilot, app, "ACME01")
        await pilot.press("shift+tab")  # on Changes: F4 edits the customer itself
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, FormDialog))
        form = app.screen
        assert isinstance(form, FormDialog)
        # bob saves first, from another terminal
        bob_form = customer_master.read_form(demo_store, "customers", acme.id or 0)
        customer_master.update_customer(
            demo_store,
            acme.id or 0,
            {**bob_form.values, "default_ship_via": "FEDEX GROUND"},
            expected_version=bob_form.version,
            actor=ensure_user(demo_store, "bob"),
        )
        form.input_of("customer_group").value = "key account"
        await pilot.press("ctrl+s")
        error = form.query_one(".dialog-error", Static)
        await wait_for(pilot, lambda: "bob saved this record" in text_of(error))
        assert "ship via" in text_of(error) and "FEDEX GROUND" in text_of(error)
        assert form.input_of("customer_group").value == "key account"  # hers, kept
        assert form.input_of("default_ship_via").value == "FEDEX GROUND"  # his, taken in
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, FormDialog))
    with demo_store.session() as s:
        stored = s.get(Customer, acme.id)
        assert stored is not None
        # both changes stand: alice's own, and bob's that her form took in
        assert stored.customer_group == "key account"
        assert stored.default_ship_via == "FEDEX GROUND"


async def test_quick_note_with_callback_then_done(demo_store: Store) -> None:
    acme = customer(demo_store, "ACME01")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_customer(pilot, app, "ACME01")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press(*"Asked for ETA on the bearings")
        await pilot.press("tab")
        await pilot.press(*"+2h")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is view)
        log = view.query_one("#log-table", DataTable)
        await wait_for(pilot, lambda: log.row_count and log.get_row_at(0)[6] == "DUE")
        assert "call-back" in text_of(view.query_one("#customer-header", Static))
        view.query_one(TabbedContent).active = "log"
        log.focus()
        log.move_cursor(row=0)
        await pilot.press("f8")
        await wait_for(pilot, lambda: log.row_count and log.get_row_at(0)[6] == "done")
    with demo_store.session() as s:
        note = s.exec(
            select(Note).where(Note.customer_id == acme.id).order_by(col(Note.id).desc())
        ).first()
        assert note is not None and note.body == "Asked for ETA on the bearings"
        assert note.callback_at is not None and note.callback_done
        due = (
            note.callback_at.replace(tzinfo=UTC)
            if note.callback_at.tzinfo is None
            else note.callback_at
        )
        assert abs(due - (datetime.now(UTC) + timedelta(hours=2))) < timedelta(minutes=5)


async def test_quick_note_asks_for_the_order_when_the_screen_has_none(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, OrderListScreen))
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press(*"SO0000170", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press(*"EDI 856 resent", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderListScreen))
        await pilot.pause(0.3)
    with demo_store.session() as s:
        order = s.exec(select(SalesOrder).where(SalesOrder.number == "SO0000170")).one()
        note = s.exec(select(Note).order_by(col(Note.id).desc())).first()
        assert note is not None and note.order_id == order.id and note.body == "EDI 856 resent"
        assert note.customer_id == order.customer_id


async def test_delete_refused_with_open_orders_deactivate_instead(demo_store: Store) -> None:
    glms = customer(demo_store, "GLMS01")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_customer(pilot, app, "GLMS01")
        await pilot.press("ctrl+delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"duplicate", "enter")
        await wait_for(
            pilot,
            lambda: any("cannot be deleted" in str(n.message) for n in app._notifications),
        )
        assert app.screen is view
        await pilot.press("f11")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"account closed by finance", "enter")
        await wait_for(pilot, lambda: view.view and not view.view.customer.active)
        assert "INACTIVE" in text_of(view.query_one("#customer-header", Static))
    with demo_store.session() as s:
        stored = s.get(Customer, glms.id)
        assert stored is not None and not stored.active


async def test_new_customer_from_the_lookup(demo_store: Store) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_lookup(pilot, app)
        await pilot.press(*"Harbor Freight Pumps")
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, FormDialog))
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.input_of("name").value == "Harbor Freight Pumps"
        typed = {
            "code": "HFP01",
            "phone": "562 555 0123",
            "tax_id": "07-1234567",  # 07 is not an IRS campus prefix
            "bill_to.line1": "400 Harbor Blvd",
            "bill_to.city": "Long Beach",
            "bill_to.region": "CA",
            "bill_to.postal_code": "9080",
        }
        for name, value in typed.items():
            form.input_of(name).value = value
        error = form.query_one(".dialog-error", Static)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "tax id: not a valid EIN" in text_of(error))
        form.input_of("tax_id").value = "36-4172958"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "bill-to postal code: US postal codes" in text_of(error))
        postal = form.input_of("bill_to.postal_code")
        assert postal.has_class("invalid") and postal.value == "9080"
        postal.value = "90802"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: isinstance(app.screen, CustomerViewScreen) and app.screen.view
        )
        view = app.screen
        assert isinstance(view, CustomerViewScreen)
        assert "HFP01" in text_of(view.query_one("#customer-header", Static))
    with demo_store.session() as s:
        created = s.exec(select(Customer).where(Customer.code == "HFP01")).one()
        assert created.phone == "+1 562-555-0123" and created.tax_id == "36-4172958"
        bill_to = s.exec(select(Address).where(Address.customer_id == created.id)).one()
        assert (bill_to.kind, bill_to.postal_code, bill_to.code) == ("bill_to", "90802", "BILLTO")


async def test_order_view_note_with_callback_then_done(demo_store: Store) -> None:
    with demo_store.session() as s:
        order = s.exec(select(SalesOrder).where(SalesOrder.number == "SO0000170")).one()
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_lookup(pilot, app)
        await pilot.press(*"SO0000170")
        await wait_for(pilot, lambda: app.screen.query_one("#track", DataTable).row_count == 4)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen) and app.screen.detail)
        view = app.screen
        assert isinstance(view, OrderViewScreen)
        await pilot.press("ctrl+o")  # the app-level quick note notes against this order
        await wait_for(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press(*"Promised tracking for line 4", "tab", *"+1h", "enter")
        await wait_for(pilot, lambda: app.screen is view)
        notes = view.query_one("#notes-table", DataTable)
        await wait_for(
            pilot, lambda: any(notes.get_row_at(i)[5] == "DUE" for i in range(notes.row_count))
        )
        await pilot.press("f7")  # the only call-back due on this order
        await wait_for(
            pilot, lambda: all(notes.get_row_at(i)[5] != "DUE" for i in range(notes.row_count))
        )
    with demo_store.session() as s:
        note = s.exec(
            select(Note).where(Note.order_id == order.id).order_by(col(Note.id).desc())
        ).first()
        assert note is not None and note.body == "Promised tracking for line 4"
        assert note.callback_at is not None and note.callback_done


async def test_add_ship_to_and_contact_from_the_view(demo_store: Store) -> None:
    acme = customer(demo_store, "ACME01")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_customer(pilot, app, "ACME01")
        addresses = view.addresses
        before = addresses.row_count
        await pilot.press("f10")  # on Addresses: a new ship-to
        await wait_for(pilot, lambda: isinstance(app.screen, FormDialog))
        form = app.screen
        assert isinstance(form, FormDialog)
        for name, value in {
            "code": "st-09",
            "name": "Acme - Gary yard",
            "line1": "1 Industrial Hwy",
            "city": "Gary",
            "region": "in",
            "postal_code": "4640",
            "dock_hours": "Mon-Fri 06:00-14:00",
        }.items():
            form.input_of(name).value = value
        await pilot.press("ctrl+s")
        error = form.query_one(".dialog-error", Static)
        await wait_for(pilot, lambda: "postal code: US postal codes read" in text_of(error))
        form.input_of("postal_code").value = "46406"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is view and addresses.row_count == before + 1)
        await pilot.press("tab")  # Contacts
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, FormDialog))
        form = app.screen
        assert isinstance(form, FormDialog)
        form.input_of("name").value = "Gus Yardley"
        form.input_of("phone").value = "219 555 0101"
        form.input_of("primary").value = "yes"
        await pilot.press("ctrl+s")
        contacts = view.query_one("#contacts-table", DataTable)
        await wait_for(
            pilot, lambda: app.screen is view and contacts.get_row_at(0)[0] == "Gus Yardley"
        )
    with demo_store.session() as s:
        gary = s.exec(
            select(Address).where(Address.customer_id == acme.id, Address.code == "ST-09")
        ).one()
        assert (gary.region, gary.postal_code, gary.kind) == ("IN", "46406", "ship_to")
        push = s.exec(select(SyncOutbox).where(SyncOutbox.operation == "push_address")).one()
        assert json.loads(push.payload)["address"] == "ST-09"
        assert "dock_hours" not in json.loads(push.payload)["changes"]


async def test_quick_note_from_the_lookup_and_from_order_entry(demo_store: Store) -> None:
    acme = customer(demo_store, "ACME01")
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        lookup = await open_lookup(pilot, app)
        await pilot.press(*"acme01")
        await wait_for(pilot, lambda: lookup.hits and lookup.hits[0].code == "ACME01")
        await pilot.press("ctrl+o")  # the highlighted match: the customer
        await wait_for(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press(*"Asked for a catalogue", "enter")
        await wait_for(pilot, lambda: app.screen is lookup)
        await pilot.press("f7")  # new order for the match; Ctrl+O there notes on the draft
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, OrderEntryScreen) and app.screen.draft.id is not None,
        )
        entry = app.screen
        assert isinstance(entry, OrderEntryScreen)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press(*"Wants it blind-shipped", "enter")
        await wait_for(pilot, lambda: app.screen is entry)
        await pilot.pause(0.3)
    with demo_store.session() as s:
        notes = s.exec(
            select(Note).where(Note.customer_id == acme.id).order_by(col(Note.id).desc())
        ).all()
        assert (notes[0].body, notes[0].order_id) == ("Wants it blind-shipped", entry.draft.id)
        assert (notes[1].body, notes[1].order_id) == ("Asked for a catalogue", None)
