"""Promised call-backs: a note's `callback_at` puts it in the queue when due; marking it done
takes it out. Notes carry no version: the conditional UPDATE makes a second 'done' (another
terminal, the queue) a clear refusal instead of a silent double."""

from sqlalchemy import update
from sqlmodel import Session, col

from orderdesk_tui.errors import RuleViolation
from orderdesk_tui.models import Note, User
from orderdesk_tui.services.audit import record
from orderdesk_tui.store import Store, rows_changed


class CallbackAlreadyDone(RuleViolation):
    """Someone marked the call-back done since it was read (the queue words it as a change)."""


def mark_callback_done(store: Store, note_id: int, *, actor: User) -> None:
    with store.immediate() as session:
        note = session.get(Note, note_id)
        if note is None:
            raise RuleViolation(f"note {note_id} no longer exists")
        mark_done_in(session, note, actor=actor)


def mark_done_in(session: Session, note: Note, *, actor: User) -> None:
    """Mark `note`'s call-back done in the caller's write transaction, with its audit event."""
    if note.callback_at is None:
        raise RuleViolation("this note has no call-back to mark done")
    done = session.execute(
        update(Note)
        .where(col(Note.id) == note.id, col(Note.callback_done) == False)  # noqa: E712
        .values(callback_done=True)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(done) != 1:
        raise CallbackAlreadyDone("this call-back was already marked done")
    assert note.id is not None
    record(
        session,
        actor=actor.name,
        entity="notes",
        entity_id=note.id,
        action="note.callback_done",
        changes={"callback_done": (False, True)},
        order_id=note.order_id,
    )
