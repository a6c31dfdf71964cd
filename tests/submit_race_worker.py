"""A terminal that submits drafts on command: one of the N processes of the credit race
(tests/test_credit_race.py).

    python tests/submit_race_worker.py STORE_URL NAME

The protocol of tests/allocation_race_worker.py: "ready", then for every "ORDER_ID START_NS"
line it waits for START_NS on the monotonic clock, runs `services.submit.submit_order` and
prints one JSON line (the order's state and holds, the call's start and end, or the error).
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orderdesk_tui.config import Settings
from orderdesk_tui.services.submit import submit_order
from orderdesk_tui.store import Store


def main() -> int:
    store = Store(sys.argv[1], create=False)
    store.ping()
    actor = f"worker-{sys.argv[2] if len(sys.argv) > 2 else 'x'}"
    settings = Settings()
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        order_id, start_ns = int(command[0]), int(command[1])
        while time.monotonic_ns() < start_ns:
            pass
        t0 = time.monotonic_ns()
        try:
            result = submit_order(store, order_id, actor=actor, settings=settings)
            reply = {"order": order_id, "state": result.state, "holds": list(result.holds)}
        except Exception as exc:  # reported to the test, which fails the round
            reply = {"order": order_id, "error": f"{type(exc).__name__}: {exc}"}
        reply["t0"], reply["t1"] = t0, time.monotonic_ns()
        print(json.dumps(reply), flush=True)
    store.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
