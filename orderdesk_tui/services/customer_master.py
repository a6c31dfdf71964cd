"""Customer master data: create and edit customers, addresses and contacts.

Values arrive as typed (strings by field) and are cleaned by `domain.master_data`; a bad one
raises FieldError naming the field and the rule. Edits are versioned (`audit.apply_update`:
a second editor gets StaleEdit and the form shows what changed), every change is audited old →
new, and fields the ERP owns go to the sync outbox in the same transaction (entity "customers",
operations push_customer / push_address; the sync engine sends what is stored when it sends).
A new customer or address that looks like one already stored raises DuplicateSuspected with
the look-alikes, and is saved when the user confirms.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from rapidfuzz import fuzz
from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from orderdesk_tui.domain.credit import OPEN_ORDER_STATES
from orderdesk_tui.domain.master_data import (
    ADDRESS_FIELDS,
    CONTACT_FIELDS,
    CUSTOMER_FIELDS,
    clean_address,
    clean_contact,
    clean_country,
    clean_customer,
    name_key,
)
from orderdesk_tui.errors import (
    FieldError,
    NeedsConfirmation,
    PermissionDenied,
    RuleViolation,
    StaleEdit,
)
from orderdesk_tui.models import (
    Address,
    AuditEvent,
    Contact,
    Customer,
    Invoice,
    ItemCrossReference,
    Note,
    PriceAgreement,
    SalesOrder,
    User,
)
from orderdesk_tui.models.base import AddressKind
from orderdesk_tui.services.audit import (
    Changes,
    apply_update,
    entity_of,
    record,
    record_insert,
)
from orderdesk_tui.services.lookup import customer_ids_by_name
from orderdesk_tui.services.outbox import enqueue
from orderdesk_tui.services.users import is_approver
from orderdesk_tui.store import Store

T = TypeVar("T")

#: Customer fields the ERP keeps (sent through the outbox); the rest are the desk's own.
ERP_CUSTOMER_FIELDS = frozenset(
    {
        "code",
        "name",
        "phone",
        "email",
        "currency",
        "payment_terms",
        "payment_terms_days",
        "credit_limit",
        "tax_id",
        "tax_id_type",
        "active",
    }
)
#: Address fields the ERP keeps; dock hours and routing notes are the desk's own.
ERP_ADDRESS_FIELDS = frozenset(
    {"code", "kind", "name", "line1", "line2", "city", "region", "postal_code", "country"}
)
#: Fields only a supervisor may change (credit is finance's decision).
SUPERVISOR_FIELDS = frozenset({"credit_limit"})
#: Name similarity (rapidfuzz token_set_ratio, 0-100) from which a customer is a suspect.
NAME_SIMILARITY = 90
SUSPECTS = 5


@dataclass(frozen=True)
class Suspect:
    customer_id: int
    code: str
    name: str
    why: str


class DuplicateSuspected(NeedsConfirmation):
    """The record looks like one already stored; saved only when the user confirms."""

    def __init__(self, suspects: list[Suspect]) -> None:
        self.suspects = suspects
        listed = "; ".join(f"{s.code} {s.name} ({s.why})" for s in suspects)
        super().__init__(f"possible duplicate of {listed}")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _form(row: Any, fields: tuple[str, ...]) -> dict[str, str]:
    return {name: _as_text(getattr(row, name)) for name in fields}


@dataclass(frozen=True)
class FormState:
    """What a form shows: the stored values as text, and the version they were read at."""

    values: dict[str, str]
    version: int
    last_changed_by: str = ""


def _last_actor(session: Session, entity: str, entity_id: int) -> str:
    return (
        session.exec(
            select(AuditEvent.actor)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
            .order_by(col(AuditEvent.id).desc())
        ).first()
        or ""
    )


def read_form(store: Store, entity: str, row_id: int) -> FormState:
    """The stored values of a customer, address or contact as its form shows them."""
    fields = {
        "customers": CUSTOMER_FIELDS,
        "addresses": ADDRESS_FIELDS,
        "contacts": CONTACT_FIELDS,
    }[entity]
    with store.session() as session:
        row: Customer | Address | Contact | None
        if entity == "customers":
            row = session.get(Customer, row_id)
        elif entity == "addresses":
            row = session.get(Address, row_id)
        else:
            row = session.get(Contact, row_id)
        if row is None:
            raise RuleViolation(f"{entity[:-1]} {row_id} no longer exists")
        return FormState(_form(row, fields), row.version, _last_actor(session, entity, row_id))


def _bill_to_country(session: Session, customer_id: int | None) -> str:
    if customer_id is None:
        return "US"
    country = session.exec(
        select(Address.country)
        .where(Address.customer_id == customer_id, Address.kind == AddressKind.BILL_TO)
        .order_by(col(Address.is_default).desc(), col(Address.id))
    ).first()
    return country or "US"


def _name_suspects(session: Session, name: str, exclude: int | None, sqlite: bool) -> list[Suspect]:
    key = name_key(name)
    words = [w for w in key.split() if len(w) >= 3][:3]
    if not words:
        return []
    ids = customer_ids_by_name(session, words, 50, sqlite)
    if not ids:
        return []
    found = []
    for cid, code, other in session.exec(
        select(Customer.id, Customer.code, Customer.name).where(col(Customer.id).in_(ids))
    ):
        if cid != exclude and fuzz.token_set_ratio(key, name_key(other)) >= NAME_SIMILARITY:
            found.append(Suspect(cid or 0, code, other, "similar name"))
    return found[:SUSPECTS]


def _address_suspects(
    session: Session, values: dict[str, Any], exclude_customer: int | None
) -> list[Suspect]:
    """Customers with an address at the same street and postal code (another customer)."""
    if not values.get("postal_code"):
        return []
    rows = session.exec(
        select(Customer.id, Customer.code, Customer.name, Address.line1)
        .join(Address, col(Address.customer_id) == col(Customer.id))
        .where(
            Address.postal_code == values["postal_code"],
            Address.country == values["country"],
        )
        .limit(200)
    )
    street = values["line1"].lower()
    found = []
    for cid, code, name, line1 in rows:
        if cid != exclude_customer and fuzz.ratio(street, line1.lower()) >= NAME_SIMILARITY:
            found.append(Suspect(cid or 0, code, name, f"same address {line1}"))
    return list({s.customer_id: s for s in found}.values())[:SUSPECTS]


def _merge(suspects: list[Suspect]) -> list[Suspect]:
    """One suspect per customer, with every reason it is one."""
    merged: dict[int, Suspect] = {}
    for s in suspects:
        known = merged.get(s.customer_id)
        merged[s.customer_id] = (
            s if known is None else Suspect(s.customer_id, s.code, s.name, f"{known.why}, {s.why}")
        )
    return list(merged.values())[:SUSPECTS]


def _check_supervisor(session: Session, actor: User, changed: set[str]) -> None:
    """Refuse supervisor-only fields unless the actor is one, as the users table has them."""
    needs = changed & SUPERVISOR_FIELDS
    if needs and not is_approver(session, actor.name):
        field = sorted(needs)[0].replace("_", " ")
        raise PermissionDenied(f"{field}: changing it is for supervisors")


def _push(
    session: Session,
    customer: Customer,
    operation: str,
    changed: dict[str, Any],
    extra: dict[str, Any],
) -> None:
    assert customer.id is not None
    enqueue(
        session,
        entity="customers",
        entity_id=customer.id,
        operation=operation,
        payload={"code": customer.code, **extra, "changes": changed},
    )


def _as_bill_to(check: Callable[[], T]) -> T:
    """Run a check of a bill-to field, naming the field as the new-customer form does."""
    try:
        return check()
    except FieldError as error:
        raise FieldError(f"bill-to {error.field}", error.rule) from None


def create_customer(
    store: Store,
    values: dict[str, str],
    bill_to: dict[str, str],
    *,
    actor: User,
    confirm_duplicates: bool = False,
) -> Customer:
    """A new customer with its bill-to address (which is also its first ship-to's model)."""
    # the form lists the customer's fields first: they are checked first
    country = _as_bill_to(lambda: clean_country(bill_to.get("country", "")))
    clean = clean_customer(values, country)
    address = _as_bill_to(
        lambda: clean_address(
            {**bill_to, "code": bill_to.get("code") or "BILLTO", "kind": "bill_to"}
        )
    )
    with store.immediate() as session:
        _check_supervisor(
            session, actor, {k for k, v in clean.items() if k == "credit_limit" and v}
        )
        if session.exec(select(Customer.id).where(Customer.code == clean["code"])).first():
            raise FieldError("code", f"{clean['code']} is taken")
        if not confirm_duplicates:
            suspects = _merge(
                _name_suspects(session, clean["name"], None, store.is_sqlite)
                + _address_suspects(session, address, None)
            )
            if suspects:
                raise DuplicateSuspected(suspects)
        customer = Customer(**clean)
        record_insert(session, customer, clean, actor=actor.name, action="customer.created")
        assert customer.id is not None
        row = Address(customer_id=customer.id, is_default=True, **address)
        record_insert(session, row, address, actor=actor.name, action="address.created")
        _push(
            session,
            customer,
            "push_customer",
            {k: v for k, v in clean.items() if k in ERP_CUSTOMER_FIELDS},
            {"bill_to": {k: v for k, v in address.items() if k in ERP_ADDRESS_FIELDS}},
        )
        return customer


def update_customer(
    store: Store,
    customer_id: int,
    values: dict[str, str],
    *,
    expected_version: int,
    actor: User,
) -> dict[str, tuple[Any, Any]]:
    """Write what the form changed; returns {field: (old, new)}. StaleEdit if someone else
    saved first (the form then shows their change and keeps what this user typed)."""
    with store.immediate() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise RuleViolation(f"customer {customer_id} no longer exists")
        stored = _form(customer, CUSTOMER_FIELDS)
        typed = {k: v for k, v in values.items() if k != "code" and stored.get(k) != v}
        if "tax_id_type" in typed and "tax_id" not in typed:
            typed["tax_id"] = values.get("tax_id", stored["tax_id"])
        if "tax_id" in typed:
            typed.setdefault("tax_id_type", values.get("tax_id_type", stored["tax_id_type"]))
        clean = clean_customer(typed, _bill_to_country(session, customer_id))
        changed = {k: v for k, v in clean.items() if getattr(customer, k) != v}
        _check_supervisor(session, actor, set(changed))
        diff = _write_changed(
            session,
            customer,
            changed,
            expected_version=expected_version,
            actor=actor,
            action="customer.updated",
        )
        erp = {k: _as_text(new) for k, (_, new) in diff.items() if k in ERP_CUSTOMER_FIELDS}
        if erp:
            _push(session, customer, "push_customer", erp, {})
        return diff


def _write_changed(
    session: Session,
    row: Customer | Address | Contact,
    changed: dict[str, Any],
    *,
    expected_version: int,
    actor: User,
    action: str,
) -> Changes:
    """Write and audit `changed` (only the fields the form changed). With nothing changed no
    event is written, but a form read before someone else saved is still refused as stale."""
    if not changed:
        if row.version != expected_version:
            assert row.id is not None  # a stored row
            raise StaleEdit(entity_of(row), row.id, expected_version, row.version)
        return {}
    return apply_update(
        session,
        row,
        changed,
        expected_version=expected_version,
        actor=actor.name,
        action=action,
    )


def set_active(
    store: Store,
    customer_id: int,
    active: bool,
    *,
    expected_version: int,
    actor: User,
    reason: str,
) -> Customer:
    """Deactivate (no new orders; history kept) or reactivate a customer, with a reason."""
    reason = reason.strip()
    if not reason:
        raise RuleViolation("a customer is deactivated or reactivated with a reason")
    with store.immediate() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise RuleViolation(f"customer {customer_id} no longer exists")
        if customer.active == active:
            raise RuleViolation(f"{customer.code} is already {'active' if active else 'inactive'}")
        apply_update(
            session,
            customer,
            {"active": active},
            expected_version=expected_version,
            actor=actor.name,
            action="customer.activated" if active else "customer.deactivated",
            reason=reason,
        )
        _push(session, customer, "push_customer", {"active": active}, {"reason": reason})
        return customer


def open_order_count(session: Session, customer_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(SalesOrder)
        .where(
            SalesOrder.customer_id == customer_id,
            col(SalesOrder.state).in_(OPEN_ORDER_STATES),
        )
    )
    return int(session.exec(stmt).one())


def delete_customer(store: Store, customer_id: int, *, actor: User, reason: str) -> None:
    """Delete a customer nobody has ordered for yet (a mistake, a duplicate just keyed).

    A customer with open orders is refused (deactivate it instead), and so is one with any
    order or invoice history: those rows keep pointing at it."""
    reason = reason.strip()
    if not reason:
        raise RuleViolation("a customer is deleted with a reason")
    with store.immediate() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise RuleViolation(f"customer {customer_id} no longer exists")
        open_orders = open_order_count(session, customer_id)
        if open_orders:
            raise RuleViolation(
                f"{customer.code} has {open_orders} open order{'s' if open_orders != 1 else ''}: "
                "it cannot be deleted, deactivate it instead"
            )
        history = (
            session.exec(
                select(func.count())
                .select_from(SalesOrder)
                .where(SalesOrder.customer_id == customer_id)
            ).one()
            + session.exec(
                select(func.count()).select_from(Invoice).where(Invoice.customer_id == customer_id)
            ).one()
        )
        if history:
            raise RuleViolation(
                f"{customer.code} has order or invoice history: deactivate it instead"
            )
        gone = _form(customer, CUSTOMER_FIELDS)
        for owned in (
            delete(Address).where(col(Address.customer_id) == customer_id),
            delete(Contact).where(col(Contact.customer_id) == customer_id),
            delete(Note).where(col(Note.customer_id) == customer_id),
            delete(PriceAgreement).where(col(PriceAgreement.customer_id) == customer_id),
            delete(ItemCrossReference).where(col(ItemCrossReference.customer_id) == customer_id),
        ):
            session.execute(owned)
        session.delete(customer)
        record(
            session,
            actor=actor.name,
            entity="customers",
            entity_id=customer_id,
            action="customer.deleted",
            changes={k: (v, None) for k, v in gone.items() if v},
            reason=reason,
        )
        enqueue(
            session,
            entity="customers",
            entity_id=customer_id,
            operation="push_customer",
            payload={"code": gone["code"], "deleted": True, "reason": reason},
        )


def save_address(
    store: Store,
    customer_id: int,
    values: dict[str, str],
    *,
    actor: User,
    address_id: int | None = None,
    expected_version: int | None = None,
    make_default: bool = False,
    confirm_duplicates: bool = False,
) -> Address:
    """Add a ship-to (or bill-to) or change one; the default moves when `make_default`."""
    clean = clean_address(values)
    with store.immediate() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise RuleViolation(f"customer {customer_id} no longer exists")
        clash = session.exec(
            select(Address.id).where(
                Address.customer_id == customer_id, Address.code == clean["code"]
            )
        ).first()
        if clash is not None and clash != address_id:
            raise FieldError(
                "address code", f"{clean['code']} is already an address of {customer.code}"
            )
        if address_id is None and not confirm_duplicates:
            suspects = _address_suspects(session, clean, customer_id)
            if suspects:
                raise DuplicateSuspected(suspects)
        if make_default:
            for other in session.exec(
                select(Address).where(
                    Address.customer_id == customer_id,
                    Address.kind == clean["kind"],
                    Address.is_default == True,  # noqa: E712
                    col(Address.id) != address_id,
                )
            ):
                apply_update(
                    session,
                    other,
                    {"is_default": False},
                    expected_version=other.version,
                    actor=actor.name,
                    action="address.updated",
                    reason=f"default is now {clean['code']}",
                )
        if address_id is None:
            row = Address(customer_id=customer_id, is_default=make_default, **clean)
            diff = record_insert(session, row, clean, actor=actor.name, action="address.created")
        else:
            stored = session.get(Address, address_id)
            if stored is None or stored.customer_id != customer_id:
                raise RuleViolation(f"address {address_id} no longer exists")
            row = stored
            assert expected_version is not None
            values_to_write = {k: v for k, v in clean.items() if getattr(row, k) != v}
            if make_default and not row.is_default:
                values_to_write["is_default"] = True
            diff = _write_changed(
                session,
                row,
                values_to_write,
                expected_version=expected_version,
                actor=actor,
                action="address.updated",
            )
        erp = {k: _as_text(new) for k, (_, new) in diff.items() if k in ERP_ADDRESS_FIELDS}
        if erp:
            extra = {"address": row.code}
            if "code" in diff and diff["code"][0]:
                extra["previous_address"] = diff["code"][0]
            _push(session, customer, "push_address", erp, extra)
        return row


def save_contact(
    store: Store,
    customer_id: int,
    values: dict[str, str],
    *,
    actor: User,
    contact_id: int | None = None,
    expected_version: int | None = None,
    make_primary: bool = False,
) -> Contact:
    """Add or change a contact (the desk's own data: not sent to the ERP). One contact is the
    primary one: making another primary moves the mark (audited on both)."""
    with store.immediate() as session:
        clean = clean_contact(values, _bill_to_country(session, customer_id))
        if session.get(Customer, customer_id) is None:
            raise RuleViolation(f"customer {customer_id} no longer exists")
        if make_primary:
            for other in session.exec(
                select(Contact).where(
                    Contact.customer_id == customer_id,
                    Contact.is_primary == True,  # noqa: E712
                    col(Contact.id) != contact_id,
                )
            ):
                apply_update(
                    session,
                    other,
                    {"is_primary": False},
                    expected_version=other.version,
                    actor=actor.name,
                    action="contact.updated",
                    reason=f"primary contact is now {clean['name']}",
                )
        if contact_id is None:
            row = Contact(customer_id=customer_id, is_primary=make_primary, **clean)
            record_insert(session, row, clean, actor=actor.name, action="contact.created")
            return row
        stored = session.get(Contact, contact_id)
        if stored is None or stored.customer_id != customer_id:
            raise RuleViolation(f"contact {contact_id} no longer exists")
        row = stored
        assert expected_version is not None
        changed: dict[str, Any] = {k: v for k, v in clean.items() if getattr(row, k) != v}
        if make_primary and not row.is_primary:
            changed["is_primary"] = True
        _write_changed(
            session,
            row,
            changed,
            expected_version=expected_version,
            actor=actor,
            action="contact.updated",
        )
        return row
