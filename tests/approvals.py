"""A supervisor's override for service tests: the PIN set as `orderdesk user pin` would (but
without its audit event), and the name + PIN the dialog hands on for the service to check."""

from sqlmodel import select

from orderdesk_tui.models import User
from orderdesk_tui.services import credentials
from orderdesk_tui.services.credentials import Kind
from orderdesk_tui.services.users import Approval
from orderdesk_tui.store import Store

PIN = "604913"
#: the demo store's supervisor PIN (README, seed.demo.constants.DEMO_USERS)
DEMO_SAM = Approval("sam", "246810")


def override_by(store: Store, name: str) -> Approval:
    """`name` (already a supervisor in the store) gets PIN; their override with it."""
    with store.session() as session:
        user = session.exec(select(User).where(User.name == name)).one()
        credentials.set_secret(session, user, Kind.PIN, PIN)
    return Approval(name, PIN)
