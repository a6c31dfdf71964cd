"""Another terminal entering orders: the second process of tests/test_order_list_live.py.

    python tests/order_live_writer.py STORE_URL CUSTOMER_CODE

Prints "ready" once the store is open; then for each line "NUMBER" on stdin writes an entered
order with that number for the customer and prints the commit's end on the monotonic clock
(system-wide, so the other process can measure how long until it saw the order). "quit" stops.
"""

import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import select

from orderdesk_tui.models import Customer, SalesOrder
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.store import Store


def main() -> int:
    store = Store(sys.argv[1], create=False)
    with store.session() as session:
        customer_id = session.exec(select(Customer.id).where(Customer.code == sys.argv[2])).one()
    print("ready", flush=True)
    for line in sys.stdin:
        number = line.strip()
        if not number or number == "quit":
            break
        with store.session() as session:
            session.add(
                SalesOrder(
                    number=number,
                    customer_id=customer_id or 0,
                    state=OrderState.ENTERED,
                    total=Decimal("99.00"),
                    entered_at=datetime.now(UTC),
                )
            )
        print(time.monotonic(), flush=True)
    store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
