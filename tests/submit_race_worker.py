"""A terminal that submits drafts on command: one of the N processes of the credit race
(tests/test_credit_race.py).

    python tests/submit_race_worker.py STORE_URL NAME

The protocol of tests/allocation_race_worker.py: "ready", then for every "ORDER_ID START_NS"
line it waits for START_NS on the monotonic clock, runs `services.submit.submit_order` and
prints one JSON line (the order's state and holds, the call's start and end, or the error).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orderdesk_tui.config import Settings
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.store import Store
from tests.allocation_race_worker import serve

SETTINGS = Settings()


def _submit(store: Store, order_id: int, actor: str) -> dict[str, object]:
    result = submit_order(store, order_id, actor=actor, settings=SETTINGS)
    return {"state": result.state, "holds": list(result.holds)}


if __name__ == "__main__":
    raise SystemExit(serve(_submit))
