"""The quick-add note, shared by every screen and by Ctrl+O: ask, then write in a thread.

A screen that has something to note against answers `note_target()` with (subject, order id,
customer id); the app's Ctrl+O asks the screen on top, or asks the user for an order or
customer when the screen has none (`pick_note_target`).
"""

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.services import order_actions
from orderdesk_tui.services.customer_lookup import LookupHit, MatchKind, lookup
from orderdesk_tui.services.desk import Desk
from screens.dialogs import NoteDialog, NoteInput, PickDialog, PromptDialog

#: A match that names one order (its number, our invoice, the customer's PO).
DOCUMENT_KINDS = frozenset({MatchKind.ORDER, MatchKind.INVOICE, MatchKind.PO})


def ask_note(
    screen: Screen[Any],
    subject: str,
    *,
    order_id: int | None,
    customer_id: int | None,
    then: Callable[[], object] | None = None,
) -> None:
    desk: Desk = screen.app.desk  # type: ignore[attr-defined]

    def save(note: tuple[str, str] | NoteInput | None) -> None:
        if isinstance(note, NoteInput):
            _write(screen, desk, note, order_id, customer_id, then)

    screen.app.push_screen(NoteDialog(subject, callback=True), save)


def _write(
    screen: Screen[Any],
    desk: Desk,
    note: NoteInput,
    order_id: int | None,
    customer_id: int | None,
    then: Callable[[], object] | None,
) -> None:
    def write() -> None:
        try:
            order_actions.add_note(
                desk.store,
                actor=desk.user,
                body=note.body,
                channel=note.channel,
                order_id=order_id,
                customer_id=customer_id,
                callback_at=note.callback_at,
            )
        except OrderdeskError as exc:
            screen.app.call_from_thread(screen.app.notify, str(exc), severity="error")
            screen.app.call_from_thread(screen.app.bell)
            return
        done = "note added"
        if note.callback_at is not None:
            done += f"; call back {note.callback_at.astimezone():%a %H:%M}"
        screen.app.call_from_thread(screen.app.notify, done)
        if then is not None:
            screen.app.call_from_thread(then)

    screen.run_worker(write, thread=True, group="note-write", exit_on_error=False)


def target_of(hit: LookupHit) -> tuple[str, int | None, int | None]:
    """The order a match names exactly (number, invoice, PO), else its customer."""
    if hit.order_id is not None and hit.kind in DOCUMENT_KINDS and hit.exact:
        return f"{hit.matched} ({hit.code})", hit.order_id, hit.customer_id
    return f"customer {hit.code} {hit.name}", None, hit.customer_id


def pick_note_target(
    screen: Screen[Any], then: Callable[[tuple[str, int | None, int | None]], None]
) -> None:
    """Ask for an order number, PO or customer; resolve it with the desk lookup (an indexed
    read of a few ms, so the dialog's check runs it on the spot)."""
    desk: Desk = screen.app.desk  # type: ignore[attr-defined]

    def find(typed: str) -> list[LookupHit]:
        hits = lookup(desk.store, typed)
        if not hits:
            raise OrderdeskError(f"nothing matches '{typed.strip()}'")
        return hits

    def chosen(hits: list[LookupHit] | None) -> None:
        if not hits:
            return
        best = hits[0]
        sure = best.exact and (len(hits) == 1 or hits[1].score < best.score)
        if sure or len(hits) == 1:
            then(target_of(best))
            return
        rows = [f"{h.code:<8} {h.name[:36]:<36} {h.matched}" for h in hits]

        def picked(index: int | None) -> None:
            if index is not None:
                then(target_of(hits[index]))

        screen.app.push_screen(PickDialog("Note on which?", rows), picked)

    screen.app.push_screen(
        PromptDialog(
            "Note on…", find, placeholder="order number, PO, invoice, customer code, name or phone"
        ),
        chosen,
    )
