"""Versioned updates in a batch (services.audit.apply_updates), on SQLite and PostgreSQL: each
row is written only at its expected version, reloaded, and audited once; a row someone else
changed fails the whole batch with StaleEdit naming it, and nothing is written."""

import json
from decimal import Decimal

import pytest
from sqlmodel import col, select

from orderdesk_tui.errors import StaleEdit
from orderdesk_tui.models import AuditEvent, Customer
from orderdesk_tui.services.audit import VersionedUpdate, apply_update, apply_updates
from orderdesk_tui.store import Store


def _customers(store: Store, n: int) -> list[int]:
    with store.session() as s:
        rows = [Customer(code=f"C{k}", name=f"Customer {k}") for k in range(n)]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows if r.id is not None]


def _events(store: Store) -> list[AuditEvent]:
    with store.session() as s:
        return list(s.exec(select(AuditEvent).order_by(col(AuditEvent.id))))


def test_batch_writes_reloads_and_audits_every_row(store: Store) -> None:
    ids = _customers(store, 3)
    with store.immediate() as s:
        a, b, c = (s.get(Customer, i) for i in ids)
        assert a and b and c
        stamp_before = c.updated_at
        changes = apply_updates(
            s,
            [
                VersionedUpdate(a, {"credit_limit": Decimal("5000.00")}, 1, "credit.limit", "r1"),
                VersionedUpdate(b, {"credit_limit": Decimal("750.50")}, 1, "credit.limit", "r2"),
                # another set of columns: its own UPDATE, same audit shape
                VersionedUpdate(c, {"name": "Renamed", "phone": "555"}, 1, "customer.edited"),
            ],
            actor="alice",
            order_id=None,
        )
        # the session's objects show what was written, with the new version
        assert (a.credit_limit, a.version) == (Decimal("5000.00"), 2)
        assert (b.credit_limit, b.version) == (Decimal("750.50"), 2)
        assert (c.name, c.phone, c.version) == ("Renamed", "555", 2)
        assert c.updated_at != stamp_before
    assert changes == [
        {"credit_limit": (Decimal("0"), Decimal("5000.00"))},
        {"credit_limit": (Decimal("0"), Decimal("750.50"))},
        {"name": ("Customer 2", "Renamed"), "phone": ("", "555")},
    ]
    with store.session() as s:
        stored = {r.id: r for r in s.exec(select(Customer))}
    assert stored[ids[0]].credit_limit == Decimal("5000.00")
    assert stored[ids[1]].credit_limit == Decimal("750.50")
    assert (stored[ids[2]].name, stored[ids[2]].version) == ("Renamed", 2)
    events = _events(store)
    assert [(e.entity, e.entity_id, e.action, e.reason, e.actor) for e in events] == [
        ("customers", ids[0], "credit.limit", "r1", "alice"),
        ("customers", ids[1], "credit.limit", "r2", "alice"),
        ("customers", ids[2], "customer.edited", "", "alice"),
    ]
    assert json.loads(events[2].changes) == {
        "name": ["Customer 2", "Renamed"],
        "phone": ["", "555"],
    }


def test_a_row_changed_by_someone_else_fails_the_batch(store: Store) -> None:
    ids = _customers(store, 3)
    with store.session() as other:  # another terminal edits the middle row first
        row = other.get(Customer, ids[1])
        assert row is not None
        apply_update(other, row, {"name": "Theirs"}, expected_version=1, actor="bob", action="edit")
    with pytest.raises(StaleEdit) as caught, store.immediate() as s:
        rows = [s.get(Customer, i) for i in ids]
        apply_updates(
            s,
            [VersionedUpdate(r, {"name": "Mine"}, 1, "edit") for r in rows if r],
            actor="alice",
        )
    assert (caught.value.entity, caught.value.entity_id) == ("customers", ids[1])
    assert (caught.value.expected, caught.value.current) == (1, 2)
    with store.session() as s:
        names = {r.id: (r.name, r.version) for r in s.exec(select(Customer))}
    assert names == {ids[0]: ("Customer 0", 1), ids[1]: ("Theirs", 2), ids[2]: ("Customer 2", 1)}
    assert [(e.actor, e.entity_id) for e in _events(store)] == [("bob", ids[1])]


def test_a_single_stale_update_names_the_current_version(store: Store) -> None:
    (cid,) = _customers(store, 1)
    with pytest.raises(StaleEdit) as caught, store.immediate() as s:
        row = s.get(Customer, cid)
        assert row is not None
        apply_update(s, row, {"name": "X"}, expected_version=7, actor="a", action="edit")
    assert (caught.value.expected, caught.value.current) == (7, 1)
    assert _events(store) == []
