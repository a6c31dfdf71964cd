"""The bundled demo data set: curated master data plus a generated, consistent order history.

Master data comes from `data/demo/*.csv` (customers, ship-tos, contacts, 700+ items, warehouses,
stock, price lists, contracts, quantity breaks, promotions, customer part numbers). Dates in the
pricing files are written as day offsets from `today` (`valid_from_days`, `valid_to_days`) so
the demo never goes stale.

The history is generated from `random.Random(rng_seed)` with every date relative to `today`:
a few hundred sales orders in every state, with their holds, shipments and packages, invoices,
purchase orders, returns, notes, EDI 850s and 860s and audit events. The same `today` and seed
give the same rows. `now` is `today` at 17:00 UTC (late morning on the desk) when `today` is
given, else the wall clock.

Story lines a demo can show (see also `demo_note` in customers.csv):
- BAYO01 is on credit hold with three invoices past due; its new orders wait on credit holds.
- KEYS01 pays late: one invoice past terms and grace, so its newest order is on a credit hold.
- SUMM01 sits just under its credit limit (open invoices + open orders ~96 % of it).
- NSTR01 and GLMS01 are the EDI trading partners; their orders arrive as X12 850s. Three
  change requests (860) for their open orders wait in the queue: NSTR01 wants more of a line
  and, on another order, a later delivery; GLMS01 cut a line yesterday.
- TIDE01's name resembles an entry of the US Consolidated Screening List (compliance hold).
"""

import random
from datetime import date, datetime

from sqlmodel import select

from orderdesk_tui.errors import StoreError
from orderdesk_tui.models import Customer
from orderdesk_tui.models.base import utcnow
from orderdesk_tui.seed.demo.history import DemoLoader
from orderdesk_tui.seed.demo.summary import DemoSummary
from orderdesk_tui.seed.load_clock import LoadClock, made_at, moved_timestamps
from orderdesk_tui.store import Store


def load_demo(
    store: Store,
    *,
    today: date | None = None,
    now: datetime | None = None,
    rng_seed: int = 2026,
) -> DemoSummary:
    """Fill an empty store with the demo data set, in one transaction.

    The rows and their numbers depend on `today` (default: the date of `now`) and the seed,
    not on the hour: the history is made as of 17:00 UTC of `today` and its timestamps are
    then fitted to `now` (default: the wall clock, or 17:00 UTC when only `today` is given;
    see seed/load_clock.py). Raises StoreError if the store already holds customers.
    """
    if now is None:
        now = utcnow() if today is None else made_at(today)
    if today is None:
        today = now.date()
    clock = LoadClock(made_at(today), now)
    with store.session() as session:
        if session.exec(select(Customer.id).limit(1)).first() is not None:
            raise StoreError("store already holds data; seed --demo needs an empty store")
        loader = DemoLoader(session, today, clock, random.Random(rng_seed))
        with moved_timestamps(session, clock):
            loader.load_master()
            loader.build_history()
        return loader.summary
