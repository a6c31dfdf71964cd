"""Compliance use case: load the reference files once, gather an order's parties and lines
from the store, run `domain.compliance.order_check.check_order`, and turn hits into a compliance
hold.

Reference data: the denied-party list (`[compliance] denied_party_list`, a US Consolidated
Screening List CSV; empty means the bundled demo list `data/denied_parties.csv`), the country
chart extract `data/country_chart.csv`, the ECCN table `data/eccn_controls.csv` and the
carriers `data/carriers.csv`. Each file is parsed and indexed once per process and again only
when it changes on disk (size or modification time), so screening an order costs milliseconds.
A malformed file raises ReferenceDataError naming the file and line.
"""

import io
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import desc
from sqlmodel import Session, col, select

from orderdesk_tui.config import ComplianceSettings
from orderdesk_tui.domain.compliance.carriers import CarrierTable, parse_carriers
from orderdesk_tui.domain.compliance.denied_parties import DeniedPartyIndex, parse_denied_parties
from orderdesk_tui.domain.compliance.export_controls import (
    CountryChart,
    EccnControl,
    parse_country_chart,
    parse_eccn_controls,
)
from orderdesk_tui.domain.compliance.names import country_code
from orderdesk_tui.domain.compliance.order_check import (
    ComplianceResult,
    ComplianceRules,
    OrderLine,
    check_order,
)
from orderdesk_tui.domain.compliance.reference_files import ReferenceDataError
from orderdesk_tui.domain.compliance.screening import Party, PartyMatch, screen_party
from orderdesk_tui.errors import FieldError
from orderdesk_tui.models import (
    Address,
    Customer,
    Hold,
    Item,
    OrderLinePart,
    SalesOrder,
    SalesOrderLine,
    Warehouse,
)
from orderdesk_tui.models.base import AddressKind, HoldKind
from orderdesk_tui.models.line_part import PartState
from orderdesk_tui.paths import bundled
from orderdesk_tui.services.holds import place_hold
from orderdesk_tui.store import Store

T = TypeVar("T")

COUNTRY_CHART = "data/country_chart.csv"
ECCN_CONTROLS = "data/eccn_controls.csv"
CARRIERS = "data/carriers.csv"
DEMO_DENIED_PARTIES = "data/denied_parties.csv"

_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[tuple[int, int], object]] = {}


def read_text_lines(path: Path) -> io.StringIO:
    """The file as CSV-ready lines (BOM dropped); ReferenceDataError if unreadable or not UTF-8."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReferenceDataError(str(path), None, "no such file") from None
    except IsADirectoryError:
        raise ReferenceDataError(str(path), None, "is a directory, not a file") from None
    except OSError as exc:
        raise ReferenceDataError(str(path), None, f"cannot read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReferenceDataError(str(path), line, "not UTF-8 text") from None
    return io.StringIO(text, newline="")


def _cached(kind: str, path: Path, build: Callable[[io.StringIO, str], T]) -> T:
    """`build(lines, file)` once per file version (size and mtime) per process."""
    try:
        st = path.stat()
    except OSError:
        st = None
    stamp = (st.st_mtime_ns, st.st_size) if st is not None else (0, -1)
    key = (kind, str(path.resolve()))
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == stamp and st is not None:
            return hit[1]  # type: ignore[return-value]
        value = build(read_text_lines(path), str(path))
        _cache[key] = (stamp, value)
        return value


def denied_party_list_path(settings: ComplianceSettings) -> Path:
    if settings.denied_party_list.strip():
        return Path(settings.denied_party_list.strip()).expanduser()
    return bundled(DEMO_DENIED_PARTIES)


def load_denied_party_index(path: Path) -> DeniedPartyIndex:
    """The list at `path`, parsed and indexed (once per file version)."""
    return _cached(
        "denied",
        path,
        lambda lines, file: DeniedPartyIndex(parse_denied_parties(lines, file), file),
    )


def load_rules(settings: ComplianceSettings | None = None) -> ComplianceRules:
    """Everything the check needs, from the settings and the reference files."""
    settings = settings or ComplianceSettings()
    embargoed = frozenset(
        country_code(c, "compliance.embargoed_countries") for c in settings.embargoed_countries
    )
    chart: CountryChart = _cached("chart", bundled(COUNTRY_CHART), parse_country_chart)
    controls: dict[str, EccnControl] = _cached(
        "eccn",
        bundled(ECCN_CONTROLS),
        lambda lines, file: parse_eccn_controls(lines, file, chart),
    )
    carriers: CarrierTable = _cached("carriers", bundled(CARRIERS), parse_carriers)
    return ComplianceRules(
        denied=load_denied_party_index(denied_party_list_path(settings)),
        chart=chart,
        eccn_controls=controls,
        carriers=carriers,
        embargoed=embargoed,
        threshold=settings.match_threshold,
    )


def _party(role: str, name: str, address: Address | None) -> Party:
    if address is None:
        return Party(role, name)
    return Party(
        role,
        name,
        address.line1,
        address.line2,
        address.city,
        address.region,
        address.postal_code,
        address.country,
    )


def _address(
    session: Session, address_id: int | None, customer_id: int, kind: AddressKind
) -> Address | None:
    if address_id is not None:
        return session.get(Address, address_id)
    return session.exec(
        select(Address)
        .where(
            col(Address.customer_id) == customer_id,
            col(Address.kind) == kind,
            col(Address.active).is_(True),
        )
        .order_by(desc(col(Address.is_default)), col(Address.id))
        .limit(1)
    ).first()


def order_inputs(session: Session, order: SalesOrder) -> tuple[list[Party], list[OrderLine], str]:
    """The sold-to and ship-to parties, the open lines with their item and warehouse data, and
    the carrier (the order's ship-via, else the customer's default)."""
    customer = session.get(Customer, order.customer_id)
    if customer is None:
        raise FieldError("customer", f"no customer with id {order.customer_id}")
    assert customer.id is not None
    bill_to = _address(session, order.bill_to_id, customer.id, AddressKind.BILL_TO)
    ship_to = _address(session, order.ship_to_id, customer.id, AddressKind.SHIP_TO)
    if ship_to is None:
        raise FieldError("ship_to", "the order has no ship-to address; screening needs one")
    parties = [_party("sold_to", customer.name, bill_to), _party("ship_to", ship_to.name, ship_to)]
    rows = session.execute(
        sa.select(  # sqlmodel's select is typed for 4 columns at most
            col(SalesOrderLine.line_no),
            col(SalesOrderLine.part_number),
            col(SalesOrderLine.quantity),
            col(SalesOrderLine.quantity_cancelled),
            col(Item.part_number),
            col(Item.eccn),
            col(Item.hazmat_un_number),
            col(Item.hazmat_class),
            col(Warehouse.code),
            col(Warehouse.hazmat_capable),
        )
        .select_from(SalesOrderLine)
        .outerjoin(Item, col(Item.id) == col(SalesOrderLine.item_id))
        .outerjoin(Warehouse, col(Warehouse.id) == col(SalesOrderLine.warehouse_id))
        .where(col(SalesOrderLine.order_id) == order.id)
        .order_by(col(SalesOrderLine.line_no))
    ).all()
    lines = [
        OrderLine(
            line_no=line_no,
            part_number=item_part or part or "",
            eccn=eccn if item_part is not None else "",
            hazmat_un_number=un or "",
            hazmat_class=hz_class or "",
            warehouse_code=wh_code or "",
            warehouse_hazmat_capable=wh_hazmat,
        )
        for (
            line_no,
            part,
            qty,
            cancelled,
            item_part,
            eccn,
            un,
            hz_class,
            wh_code,
            wh_hazmat,
        ) in rows
        if qty > cancelled
    ]
    if any(line.hazmat_un_number for line in lines):
        lines += _split_hazmat_lines(session, order, lines)
    return parties, lines, order.ship_via.strip() or customer.default_ship_via


def _split_hazmat_lines(
    session: Session, order: SalesOrder, lines: list[OrderLine]
) -> list[OrderLine]:
    """A hazmat line split over several warehouses (services.line_parts) is checked in each:
    the line once more for every other warehouse a live part of it is in."""
    hazmat = {line.line_no: line for line in lines if line.hazmat_un_number}
    rows = session.execute(
        sa.select(col(SalesOrderLine.line_no), col(Warehouse.code), col(Warehouse.hazmat_capable))
        .select_from(OrderLinePart)
        .join(SalesOrderLine, col(SalesOrderLine.id) == col(OrderLinePart.line_id))
        .join(Warehouse, col(Warehouse.id) == col(OrderLinePart.warehouse_id))
        .where(
            col(OrderLinePart.order_id) == order.id,
            col(OrderLinePart.state).not_in([PartState.CANCELLED, PartState.SHIPPED]),
            col(SalesOrderLine.line_no).in_(sorted(hazmat)),
        )
        .distinct()
    ).all()
    return [
        replace(hazmat[line_no], warehouse_code=code, warehouse_hazmat_capable=capable)
        for line_no, code, capable in rows
        if code != hazmat[line_no].warehouse_code
    ]


def screen_order_in(
    session: Session, order: SalesOrder, rules: ComplianceRules
) -> ComplianceResult:
    """`screen_order` inside the caller's transaction (submit screens and holds in one)."""
    parties, lines, ship_via = order_inputs(session, order)
    return check_order(parties, lines, ship_via, rules)


def screen_order(
    store: Store, order_id: int, rules: ComplianceRules | None = None
) -> ComplianceResult:
    """Screen a stored order; `rules` defaults to the bundled data and default settings."""
    rules = rules or load_rules()
    with store.session() as session:
        order = session.get(SalesOrder, order_id)
        if order is None:
            raise FieldError("order", f"no order with id {order_id}")
        return screen_order_in(session, order, rules)


def screen_customer(
    store: Store, customer_id: int, rules: ComplianceRules | None = None
) -> list[PartyMatch]:
    """Screen a customer's name and every active address (customer maintenance, onboarding)."""
    rules = rules or load_rules()
    with store.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise FieldError("customer", f"no customer with id {customer_id}")
        addresses = session.exec(
            select(Address)
            .where(col(Address.customer_id) == customer_id, col(Address.active).is_(True))
            .order_by(col(Address.id))
        ).all()
    parties = [Party("sold_to", customer.name)]
    for addr in addresses:
        country = country_code(addr.country, f"{addr.kind} {addr.code}.country")
        parties.append(replace(_party(str(addr.kind), addr.name, addr), country=country))
    matches: dict[int, PartyMatch] = {}
    for party in parties:
        for match in screen_party(party, rules.denied, rules.threshold):
            current = matches.get(match.entry.line)
            if current is None or match.score > current.score:
                matches[match.entry.line] = match
    return sorted(matches.values(), key=lambda m: -m.score)


def apply_compliance_hold(
    session: Session, order: SalesOrder, result: ComplianceResult, actor: str
) -> Hold | None:
    """Put `order` on a compliance hold listing the hits, if there are any.

    Returns the new hold, or None when nothing hit or a compliance hold is already open.
    Clearing it takes a supervisor and a reason (services.order_actions.release_hold)."""
    if result.hold is None:
        return None
    return place_hold(session, order, HoldKind.COMPLIANCE, result.hold.reason, actor=actor)
