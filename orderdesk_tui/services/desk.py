"""What every screen works with: the store, the settings and the acting user."""

from dataclasses import dataclass

from orderdesk_tui.config import Settings
from orderdesk_tui.models import User
from orderdesk_tui.services.users import Approval, verify_override
from orderdesk_tui.store import Store


@dataclass(frozen=True)
class Desk:
    store: Store
    settings: Settings
    user: User

    def verify_supervisor(self, name: str, pin: str, purpose: str) -> Approval:
        """Check a supervisor override at the dialog for an action this desk's user asked for;
        the approval goes with the action, whose service checks it again as it acts."""
        approval = Approval(
            name,
            pin,
            max_attempts=self.settings.desk.pin_max_attempts,
            lockout_minutes=self.settings.desk.pin_lockout_minutes,
        )
        verify_override(self.store, approval, requested_by=self.user.name, purpose=purpose)
        return approval
