"""Returns by reason, by item or by customer for a period of requests, on screen and as CSV.

A line counts in the period its RMA was requested. Quantity is what came back once received
(what was asked for before that); value is that quantity at the price the customer paid.
Rejected RMAs are counted apart and add no quantity or value. Values are never added across
currencies: a group returned in two currencies is two rows, and the totals are per currency.
Each line's value is rounded to its currency's minor unit (JPY 0 places, BHD 3); the screen
shows values grouped (`format_money`), the CSV as plain decimals a spreadsheet reads as numbers.
"""

import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from orderdesk_tui.domain.money import format_money, round_money
from orderdesk_tui.domain.returns import REASON_LABELS, RmaState
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import RMA, Customer, InvoiceLine, Item, RMALine, SalesOrderLine
from orderdesk_tui.store import Store

GROUPINGS = ("reason", "item", "customer")
HEADINGS = ("key", "name", "rmas", "lines", "quantity", "value", "currency", "rejected_lines")
_WAITING = {RmaState.REQUESTED.value, RmaState.AUTHORISED.value}


@dataclass(frozen=True)
class ReportRow:
    key: str
    name: str
    rmas: int
    lines: int
    quantity: Decimal
    value: Decimal
    currency: str
    rejected_lines: int


@dataclass(frozen=True)
class ReturnsReport:
    start: date
    end: date
    by: str
    rows: tuple[ReportRow, ...]

    @property
    def title(self) -> str:
        return f"Returns by {self.by}, {self.start.isoformat()} to {self.end.isoformat()}"

    @property
    def totals(self) -> dict[str, Decimal]:
        """Value per currency."""
        out: dict[str, Decimal] = defaultdict(Decimal)
        for row in self.rows:
            out[row.currency] += row.value
        return dict(sorted(out.items()))

    def text(self) -> str:
        out = [
            f"{'Key':<22} {'Name':<34} {'RMAs':>5} {'Lines':>6} {'Qty':>10} {'Value':>14} "
            f"{'Cur':<3} {'Rej':>3}",
            "-" * 103,
        ]
        for r in self.rows:
            out.append(
                f"{r.key[:22]:<22} {r.name[:34]:<34} {r.rmas:>5} {r.lines:>6} "
                f"{r.quantity.normalize():>10f} {format_money(r.value, r.currency):>14} "
                f"{r.currency:<3} "
                f"{r.rejected_lines:>3}"
            )
        if not self.rows:
            out.append("(no returns requested in this period)")
        out.append("-" * 103)
        for currency, total in self.totals.items():
            out.append(f"{'Total':<81} {format_money(total, currency):>14} {currency}")
        return "\n".join(out) + "\n"


def parse_period(start: str, end: str) -> tuple[date, date]:
    try:
        first = date.fromisoformat(start)
    except ValueError:
        raise FieldError("from", f"'{start}' is not a date (YYYY-MM-DD)") from None
    try:
        last = date.fromisoformat(end)
    except ValueError:
        raise FieldError("to", f"'{end}' is not a date (YYYY-MM-DD)") from None
    if last < first:
        raise FieldError("to", f"{last.isoformat()} is before {first.isoformat()}")
    return first, last


def returns_report(store: Store, start: date, end: date, by: str) -> ReturnsReport:
    if by not in GROUPINGS:
        raise FieldError("by", f"'{by}' is not one of {', '.join(GROUPINGS)}")
    since = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    with store.read_session() as session:
        # the outer joins' columns may be missing: typed so (sqlmodel's select takes 4 at most)
        rows: Sequence[
            tuple[RMA, RMALine, Item, Customer, Decimal | None, SalesOrderLine | None]
        ] = session.execute(
            select(RMA, RMALine, Item, Customer, col(InvoiceLine.unit_price), SalesOrderLine)
            .join(RMALine, col(RMALine.rma_id) == col(RMA.id))
            .join(Item, col(Item.id) == col(RMALine.item_id))
            .join(Customer, col(Customer.id) == col(RMA.customer_id))
            .outerjoin(InvoiceLine, col(InvoiceLine.id) == col(RMALine.invoice_line_id))
            .outerjoin(SalesOrderLine, col(SalesOrderLine.id) == col(RMALine.order_line_id))
            .where(col(RMA.requested_at) >= since, col(RMA.requested_at) < until)
        ).all()
    Group = tuple[str, str]  # (key, currency)
    rmas: dict[Group, set[int]] = defaultdict(set)
    lines: dict[Group, int] = defaultdict(int)
    rejected: dict[Group, int] = defaultdict(int)
    quantity: dict[Group, Decimal] = defaultdict(Decimal)
    value: dict[Group, Decimal] = defaultdict(Decimal)
    names: dict[Group, str] = {}
    for rma, line, item, customer, invoiced_price, order_line in rows:
        reason = line.reason_code or rma.reason_code
        label, name = {
            "reason": (reason, REASON_LABELS.get(reason, reason)),
            "item": (item.part_number, item.description),
            "customer": (customer.code, customer.name),
        }[by]
        key = (label, customer.currency)
        names[key] = name
        rmas[key].add(rma.id or 0)
        lines[key] += 1
        if rma.state == RmaState.REJECTED:
            rejected[key] += 1
            continue
        qty = line.quantity_requested if rma.state in _WAITING else line.quantity_received
        price = invoiced_price
        if price is None:
            price = order_line.unit_price if order_line is not None else item.list_price
        quantity[key] += qty
        value[key] += round_money(qty * price, customer.currency)
    report_rows = sorted(
        (
            ReportRow(
                key=key[0],
                name=names[key],
                rmas=len(rmas[key]),
                lines=lines[key],
                quantity=quantity[key],
                value=value[key],
                currency=key[1],
                rejected_lines=rejected[key],
            )
            for key in names
        ),
        key=lambda r: (r.currency, -r.value, r.key),
    )
    return ReturnsReport(start, end, by, tuple(report_rows))


def write_csv(report: ReturnsReport, path: str | Path) -> Path:
    target = Path(path).expanduser()
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADINGS)
        for r in report.rows:
            writer.writerow(
                [r.key, r.name, r.rmas, r.lines, f"{r.quantity.normalize():f}",
                 f"{round_money(r.value, r.currency):f}", r.currency, r.rejected_lines]
            )  # fmt: skip
    return target
