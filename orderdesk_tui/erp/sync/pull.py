"""The pull: customers (with their addresses), items and stock changed in the ERP since the
cursors kept in `sync_cursors`, applied one transaction a page; changed customers, addresses and
items are audited. The ERP is the system of record for them."""

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from orderdesk_tui.erp.connector import (
    ErpCustomer,
    ErpError,
    ErpItem,
    ErpStock,
    PostalAddress,
    PullPage,
    TransientErpError,
)
from orderdesk_tui.erp.sync.base import EngineBase
from orderdesk_tui.erp.sync.outbox import LAST_PULL_ERROR, LAST_PULL_OK, fit, put_state
from orderdesk_tui.erp.sync.payload import Q4
from orderdesk_tui.models import Address, Customer, Item, StockLevel, Warehouse
from orderdesk_tui.models.base import AddressKind, ItemStatus
from orderdesk_tui.models.sync_state import SyncCursor
from orderdesk_tui.services.audit import apply_update, record_insert

#: What is pulled, in this order; `pull.<kind>` names its cursor in `sync_cursors`.
PULL_KINDS = ("customers", "items", "stock")


@dataclass
class PullReport:
    """What one `pull_once` did, per kind: records received, rows changed here, skipped."""

    received: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [
            f"{kind} {self.received.get(kind, 0)} received/{self.changed.get(kind, 0)} changed"
            + (f"/{self.skipped[kind]} skipped" if self.skipped.get(kind) else "")
            for kind in PULL_KINDS
            if kind in self.received
        ]
        return ", ".join(parts) or "nothing pulled"


class Puller(EngineBase):
    """Pulls master data from the connector into the store (see the module docstring)."""

    async def pull_once(self) -> PullReport:
        """Pull customers, items and stock changed since the stored cursors."""
        report = PullReport()
        pullers: dict[str, Callable[[str | None], Awaitable[PullPage[Any]]]] = {
            "customers": self.connector.pull_customers,
            "items": self.connector.pull_items,
            "stock": self.connector.pull_stock,
        }
        appliers: dict[str, Callable[[Iterable[Any], tuple[str, str | None]], tuple[int, int]]] = {
            "customers": self._apply_customers,
            "items": self._apply_items,
            "stock": self._apply_stock,
        }
        for kind in PULL_KINDS:
            report.received[kind] = report.changed[kind] = report.skipped[kind] = 0
            cursor = await self._db(self._get_cursor, f"pull.{kind}")
            try:
                for _ in range(self.max_pull_pages):
                    page = await pullers[kind](cursor)
                    new_cursor = page.cursor if page.cursor is not None else cursor
                    changed, skipped = await self._db(
                        appliers[kind], page.records, (f"pull.{kind}", new_cursor)
                    )
                    report.received[kind] += len(page.records)
                    report.changed[kind] += changed
                    report.skipped[kind] += skipped
                    if not page.records or new_cursor == cursor:
                        break
                    cursor = new_cursor
            except ErpError as exc:
                message = f"pull {kind}: {exc}"
                report.errors.append(message)
                self._note_erp_error(exc)
                await self._db(self._note_state, LAST_PULL_ERROR, message)
                if isinstance(exc, TransientErpError):
                    break  # the ERP is away: the other kinds would fail the same way
        if not report.errors:
            self.erp_state = "online"
            await self._db(self._note_state, LAST_PULL_OK, str(report))
        return report

    def _get_cursor(self, name: str) -> str | None:
        with self.store.session() as session:
            row = session.get(SyncCursor, name)
            return row.cursor if row is not None and row.cursor else None

    def _save_cursor(self, session: Session, cursor: tuple[str, str | None]) -> None:
        name, value = cursor
        put_state(session, name, value or "", self._now())

    def _apply_customers(
        self, records: Iterable[ErpCustomer], cursor: tuple[str, str | None]
    ) -> tuple[int, int]:
        changed = 0
        with self.store.immediate() as session:
            for rec in records:
                customer = session.exec(select(Customer).where(Customer.code == rec.code)).first()
                if customer is None:
                    created: dict[str, Any] = {
                        "code": fit(rec.code, 20),
                        "name": fit(rec.name, 120),
                    }
                    customer = Customer(**created, active=rec.active)
                    record_insert(
                        session,
                        customer,
                        created,
                        actor=self.actor,
                        action="customer.pulled",
                        reason=f"new in {self.connector.name}",
                    )
                    changed += 1
                else:
                    values = {"name": fit(rec.name, 120), "active": rec.active}
                    if any(getattr(customer, k) != v for k, v in values.items()):
                        apply_update(
                            session,
                            customer,
                            values,
                            expected_version=customer.version,
                            actor=self.actor,
                            action="customer.pulled",
                            reason=f"changed in {self.connector.name}",
                        )
                        changed += 1
                assert customer.id is not None
                for postal in rec.addresses:
                    changed += self._apply_address(session, customer.id, postal)
            self._save_cursor(session, cursor)
        return changed, 0

    def _apply_address(self, session: Session, customer_id: int, postal: PostalAddress) -> int:
        street, _, line2 = postal.street.partition("\n")
        values: dict[str, Any] = {
            "name": fit(postal.name, 120),
            "line1": fit(street, 120),
            "line2": fit(line2, 120),
            "city": fit(postal.city, 80),
            "postal_code": fit(postal.postal_code, 20),
            "country": fit(postal.country, 2),
            "region": fit(postal.region, 40),
        }
        code = fit(postal.code, 20)
        address = session.exec(
            select(Address).where(Address.customer_id == customer_id, Address.code == code)
        ).first()
        if address is None:
            address = Address(
                customer_id=customer_id, code=code, kind=AddressKind.SHIP_TO, **values
            )
            record_insert(
                session,
                address,
                values,
                actor=self.actor,
                action="address.pulled",
                reason=f"new in {self.connector.name}",
            )
            return 1
        if all(getattr(address, k) == v for k, v in values.items()):
            return 0
        apply_update(
            session,
            address,
            values,
            expected_version=address.version,
            actor=self.actor,
            action="address.pulled",
            reason=f"changed in {self.connector.name}",
        )
        return 1

    def _apply_items(
        self, records: Iterable[ErpItem], cursor: tuple[str, str | None]
    ) -> tuple[int, int]:
        changed = 0
        with self.store.immediate() as session:
            for rec in records:
                item = session.exec(select(Item).where(Item.part_number == rec.part_number)).first()
                values: dict[str, Any] = {
                    "description": fit(rec.description, 200),
                    "uom": fit(rec.uom, 6),
                }
                if rec.list_price is not None:
                    values["list_price"] = rec.list_price.quantize(Q4)
                if rec.cost is not None:
                    values["cost"] = rec.cost.quantize(Q4)
                if item is None:
                    status = ItemStatus.ACTIVE if rec.active else ItemStatus.DISCONTINUED
                    item = Item(part_number=fit(rec.part_number, 40), status=status, **values)
                    record_insert(
                        session,
                        item,
                        values,
                        actor=self.actor,
                        action="item.pulled",
                        reason=f"new in {self.connector.name}",
                    )
                    changed += 1
                    continue
                if rec.active and item.status != ItemStatus.ACTIVE:
                    values["status"] = ItemStatus.ACTIVE
                elif not rec.active and item.status == ItemStatus.ACTIVE:
                    values["status"] = ItemStatus.DISCONTINUED
                if any(getattr(item, k) != v for k, v in values.items()):
                    apply_update(
                        session,
                        item,
                        values,
                        expected_version=item.version,
                        actor=self.actor,
                        action="item.pulled",
                        reason=f"changed in {self.connector.name}",
                    )
                    changed += 1
            self._save_cursor(session, cursor)
        return changed, 0

    def _apply_stock(
        self, records: Iterable[ErpStock], cursor: tuple[str, str | None]
    ) -> tuple[int, int]:
        changed = skipped = 0
        with self.store.immediate() as session:
            items: dict[str, int | None] = {}
            warehouses = {w.code: w.id for w in session.exec(select(Warehouse))}
            for rec in records:
                if rec.part_number not in items:
                    items[rec.part_number] = session.exec(
                        select(Item.id).where(Item.part_number == rec.part_number)
                    ).first()
                item_id, warehouse_id = items[rec.part_number], warehouses.get(rec.warehouse_code)
                if item_id is None or warehouse_id is None:
                    skipped += 1
                    continue
                level = session.exec(
                    select(StockLevel)
                    .where(StockLevel.item_id == item_id, StockLevel.warehouse_id == warehouse_id)
                    .with_for_update()
                ).first()
                if level is None:
                    session.add(
                        StockLevel(item_id=item_id, warehouse_id=warehouse_id, on_hand=rec.on_hand)
                    )
                    changed += 1
                elif level.on_hand != rec.on_hand:
                    level.on_hand = rec.on_hand
                    level.updated_at = self._now()
                    level.version += 1
                    session.add(level)
                    changed += 1
            self._save_cursor(session, cursor)
        return changed, skipped
