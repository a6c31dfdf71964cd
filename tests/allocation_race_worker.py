"""A terminal that allocates orders on command: one of the two processes of the allocation race
(tests/test_allocation_race.py).

    python tests/allocation_race_worker.py STORE_URL

Prints "ready" once the store is open, then for every line "ORDER_ID START_NS" on stdin waits
until time.monotonic_ns() reaches START_NS (the same instant in both workers: the monotonic
clock is system-wide), runs `services.allocation.allocate` and prints one JSON line: the
allocated and backordered totals and the call's start and end on the monotonic clock, or the
error. "quit" (or end of input) stops it.
"""

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orderdesk_tui.services.allocation import allocate
from orderdesk_tui.store import Store

#: What a worker does with one order: a JSON-able reply (the loop adds the error and times).
Act = Callable[[Store, int, str], dict[str, object]]


def serve(act: Act) -> int:
    """The race protocol around `act`: "ready", then one timed call and reply per command."""
    store = Store(sys.argv[1], create=False)
    store.ping()
    actor = f"worker-{sys.argv[2] if len(sys.argv) > 2 else 'x'}"
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        order_id, start_ns = int(command[0]), int(command[1])
        while time.monotonic_ns() < start_ns:
            pass
        t0 = time.monotonic_ns()
        reply: dict[str, object]
        try:
            reply = {"order": order_id, **act(store, order_id, actor)}
        except Exception as exc:  # reported to the test, which fails the round
            reply = {"order": order_id, "error": f"{type(exc).__name__}: {exc}"}
        reply["t0"], reply["t1"] = t0, time.monotonic_ns()
        print(json.dumps(reply), flush=True)
    store.dispose()
    return 0


def _allocate(store: Store, order_id: int, actor: str) -> dict[str, object]:
    result = allocate(store, order_id, actor=actor)
    return {"allocated": str(result.allocated), "backordered": str(result.backordered)}


if __name__ == "__main__":
    raise SystemExit(serve(_allocate))
