"""Another terminal acting on the queue: the second process of tests/test_queue_live.py.

    python tests/queue_live_writer.py STORE_URL USER

Prints "ready" once the store is open; then for each line "NUMBER" on stdin takes that queue
item as USER and prints the commit's end on the monotonic clock (system-wide, so the other
process can measure how long until it saw the change), or "error: ..." . "quit" stops it.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orderdesk_tui.config import Settings
from orderdesk_tui.errors import OrderdeskError
from orderdesk_tui.services import queue_actions
from orderdesk_tui.services.queue import load_queue
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store


def main() -> int:
    store = Store(sys.argv[1], create=False)
    user = ensure_user(store, sys.argv[2])
    print("ready", flush=True)
    for line in sys.stdin:
        number = line.strip()
        if not number or number == "quit":
            break
        item = next(i for i in load_queue(store, Settings().sla).items if i.number == number)
        try:
            queue_actions.take(store, item, actor=user)
        except OrderdeskError as exc:
            print(f"error: {exc}", flush=True)
            continue
        print(time.monotonic(), flush=True)
    store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
