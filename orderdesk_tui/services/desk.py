"""What every screen works with: the store, the settings and the acting user."""

from dataclasses import dataclass

from orderdesk_tui.config import Settings
from orderdesk_tui.models import User
from orderdesk_tui.services.users import verify_override
from orderdesk_tui.store import Store


@dataclass(frozen=True)
class Desk:
    store: Store
    settings: Settings
    user: User

    def verify_supervisor(self, name: str, pin: str, purpose: str) -> User:
        """Check a supervisor override for an action this desk's user asked for."""
        return verify_override(
            self.store,
            name,
            pin,
            requested_by=self.user.name,
            purpose=purpose,
            max_attempts=self.settings.desk.pin_max_attempts,
            lockout_minutes=self.settings.desk.pin_lockout_minutes,
        )
