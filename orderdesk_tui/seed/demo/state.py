"""LoaderState: what every part of the demo loader shares (session, clock, rng, the planned
rows), the business-day calendar and the bulk insert."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel

from orderdesk_tui.domain.pricing.inputs import FreightRates
from orderdesk_tui.models import (
    RMA,
    Item,
    PriceAgreement,
    PriceList,
    Promotion,
    QuantityBreak,
    RMALine,
    Warehouse,
)
from orderdesk_tui.models.base import table_of
from orderdesk_tui.seed.demo.records import (
    BilledLine,
    CustomerPlan,
    OrderPlan,
    PurchasePlan,
    StockPlan,
)
from orderdesk_tui.seed.demo.summary import DemoSummary
from orderdesk_tui.seed.load_clock import LoadClock
from orderdesk_tui.services.pricing import load_tax_table


class LoaderState:
    """The loader's shared state; the mixins in this package add one section each."""

    def __init__(self, session: Session, today: date, clock: LoadClock, rng: random.Random) -> None:
        self.session = session
        self.today = today
        self.now = clock.made_at  # the history is made as of this moment
        self.clock = clock
        self.rng = rng
        self.summary = DemoSummary()
        self.customers: dict[str, CustomerPlan] = {}
        self.items: dict[str, Item] = {}
        self.warehouses: dict[str, Warehouse] = {}
        self.stock: dict[tuple[int, int], StockPlan] = {}
        self.price_lists: dict[int, PriceList] = {}
        self.pl_fixed: dict[tuple[int, int], Decimal] = {}
        self.pl_pct: dict[tuple[int, str], Decimal] = {}
        self.breaks: dict[int, list[QuantityBreak]] = defaultdict(list)
        self.agreements: dict[tuple[int, int], list[PriceAgreement]] = defaultdict(list)
        self.promotions: list[Promotion] = []
        self.promo_by_code: dict[str, Promotion] = {}
        self.xref: dict[tuple[int, int], str] = {}
        self.orders: list[OrderPlan] = []
        self.pos: list[PurchasePlan] = []
        self.short_items: list[Item] = []
        self.tax_table = load_tax_table()
        self.freight_rates = FreightRates()
        self._invoice_lines: dict[int, list[BilledLine]] = defaultdict(list)
        self._rmas: list[tuple[RMA, list[RMALine], OrderPlan, str]] = []

    def _biz_back(self, d: date) -> date:
        while d.weekday() >= 5:
            d -= timedelta(days=1)
        return d

    def _biz_add(self, d: date, n: int) -> date:
        step = 0
        while step < n:
            d += timedelta(days=1)
            if d.weekday() < 5:
                step += 1
        return self._biz_back(d) if n == 0 else d

    def _work_time(self, d: date) -> datetime:
        """A moment in US business hours (13:00-22:30 UTC) on day `d`, never after now."""
        at = datetime.combine(d, time(13, 0), tzinfo=UTC) + timedelta(
            minutes=self.rng.randint(0, 9 * 60 + 30)
        )
        if at > self.now - timedelta(minutes=5):
            at = self.now - timedelta(minutes=self.rng.randint(5, 240))
        return at

    def _before_now(self, at: datetime, floor: datetime, margin_min: int = 5) -> datetime:
        """`at`, but not later than now (minus a margin) and not earlier than `floor`."""
        limit = self.now - timedelta(minutes=margin_min)
        if at > limit:
            span = max(int((limit - floor).total_seconds() // 60), 1)
            at = floor + timedelta(minutes=self.rng.randint(min(span, 1), span))
        return max(at, floor + timedelta(minutes=1))

    def _bulk_insert(self, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[int]:
        """INSERT many rows without building ORM objects; their ids, in the order given."""
        if not rows:
            return []
        table = table_of(model)
        stmt = insert(model).returning(table.c.id, sort_by_parameter_order=True)
        moment = self.clock.moment
        rows = [
            {key: moment(v) if isinstance(v, datetime) else v for key, v in row.items()}
            for row in rows
        ]
        return [int(row[0]) for row in self.session.execute(stmt, rows)]
