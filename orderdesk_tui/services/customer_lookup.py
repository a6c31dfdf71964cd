"""The desk lookup: one needle finds the customer, whatever the caller quoted.

A coordinator on the phone hears a customer code, a company name, a phone number, an email,
a ship-to code or city, a PO number, or one of our order or invoice numbers. Each of those is an
index read (B-tree equality or prefix ranges, FTS5 trigram tables on SQLite, pg_trgm on
PostgreSQL, digits-only phone expression indexes from migration 0007); the hits are merged per
customer and ranked by how sure the match is: an exact code or document number first, words of
a name or a city last.
"""

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Select, bindparam, text
from sqlmodel import Session, col, select

from orderdesk_tui.models import Address, Contact, Customer, Invoice, SalesOrder
from orderdesk_tui.models.base import table_of
from orderdesk_tui.services.lookup import fts_ids, prefix, trgm_clause
from orderdesk_tui.store import Store

_indexes = importlib.import_module("orderdesk_tui.migrations.versions.0007_customer_lookup_indexes")
#: The SQL of a phone column without punctuation, exactly as migration 0007 indexed it.
PHONE_DIGITS_SQL: str = _indexes.phone_digits_sql("phone")

#: Rows one word search may collect before ranking.
WORD_CANDIDATES = 40


class MatchKind(StrEnum):
    CODE = "code"
    ORDER = "order"
    INVOICE = "invoice"
    PO = "PO"
    SHIP_TO = "ship-to"
    PHONE = "phone"
    EMAIL = "email"
    NAME = "name"
    CONTACT = "contact"
    ADDRESS = "address"


#: How sure each kind of match is; exact matches add EXACT_BONUS.
SCORES = {
    MatchKind.CODE: 70,
    MatchKind.ORDER: 66,
    MatchKind.INVOICE: 65,
    MatchKind.PO: 64,
    MatchKind.SHIP_TO: 62,
    MatchKind.PHONE: 80,
    MatchKind.EMAIL: 78,
    MatchKind.NAME: 60,
    MatchKind.CONTACT: 55,
    MatchKind.ADDRESS: 50,
}
EXACT_BONUS = 30
#: Scores from here up are exact matches: the lowest exact one (a ship-to code) is 92, the
#: highest partial one (a phone prefix) 80.
EXACT_MIN = 90
#: A name that starts with what was typed ranks above one that only contains it.
NAME_START_BONUS = 8


@dataclass(frozen=True)
class LookupHit:
    customer_id: int
    code: str
    name: str
    city: str
    phone: str
    active: bool
    kind: MatchKind
    #: What matched, for the list ("order SO0001234", "ship-to ST01 Dayton", "phone").
    matched: str
    score: int
    #: The order a document number or PO named: "where is my order" opens it directly.
    order_id: int | None = None

    @property
    def exact(self) -> bool:
        return self.score >= EXACT_MIN


@dataclass
class _Candidate:
    kind: MatchKind
    matched: str
    score: int
    order_id: int | None = None


class _Collector:
    """Best candidate per customer, in the order found among equals."""

    def __init__(self) -> None:
        self.best: dict[int, _Candidate] = {}

    def add(
        self,
        customer_id: int | None,
        kind: MatchKind,
        matched: str,
        *,
        exact: bool = False,
        order_id: int | None = None,
    ) -> None:
        if customer_id is None:
            return
        score = SCORES[kind] + (EXACT_BONUS if exact else 0)
        known = self.best.get(customer_id)
        if known is None or score > known.score:
            self.best[customer_id] = _Candidate(kind, matched, score, order_id)

    @property
    def has_exact(self) -> bool:
        return any(c.score >= EXACT_MIN for c in self.best.values())


def _words(needle: str) -> list[str]:
    return [w for w in needle.replace('"', " ").split() if w]


def phone_digits(typed: str) -> str | None:
    """The digits of a needle that reads as a phone number (4+ digits, little else)."""
    digits = "".join(ch for ch in typed if ch.isdigit())
    rest = [ch for ch in typed if not ch.isdigit() and ch not in " -+().x/"]
    if len(digits) < 4 or rest:
        return None
    return digits


def _prefix_query(columns: list[Any], key: Any) -> Select[Any]:
    """Rows whose `key` starts with :lo (the range :lo..:hi on its B-tree index), key order."""
    return (
        sa.select(*columns)
        .where(key >= bindparam("lo"), key < bindparam("hi"))
        .order_by(key)
        .limit(bindparam("n"))
    )


_C, _O, _I, _A = (
    table_of(Customer).c,
    table_of(SalesOrder).c,
    table_of(Invoice).c,
    table_of(Address).c,
)
#: Built once: a lookup runs on every keystroke and SQLAlchemy's statement building shows.
_CODES = _prefix_query([_C.id, _C.code], _C.code)
_ORDERS = _prefix_query([_O.customer_id, _O.number, _O.id], _O.number)
_INVOICES = _prefix_query([_I.customer_id, _I.number, _I.order_id], _I.number)
_POS = _prefix_query([_O.customer_id, _O.customer_po, _O.id], _O.customer_po)
_SHIP_TOS = _prefix_query([_A.customer_id, _A.code, _A.city], _A.code)
_CONTACTS_BY_ID = select(Contact.customer_id, Contact.name).where(
    col(Contact.id).in_(bindparam("ids", expanding=True))
)
#: What a match shows: the customer and the city of its default address (a ship-to first).
_SHOWN = sa.select(
    _C.id,
    _C.code,
    _C.name,
    _C.phone,
    _C.active,
    select(_A.city)
    .where(_A.customer_id == _C.id, _A.is_default.is_(True))
    .order_by(_A.kind.desc())
    .limit(1)
    .scalar_subquery(),
).where(_C.id.in_(bindparam("ids", expanding=True)))
_ADDRESSES_BY_ID = select(_A.customer_id, _A.code, _A.city).where(
    _A.id.in_(bindparam("ids", expanding=True))
)


def _by_codes(session: Session, found: _Collector, needle: str, limit: int) -> None:
    """Customer and ship-to codes, order and invoice numbers, POs: exact or as a prefix."""
    conn = session.connection()
    upper = needle.upper()

    def run(stmt: Select[Any], value: str, n: int = limit) -> Any:
        return conn.execute(stmt, {"lo": value, "hi": value + "\uffff", "n": n})

    for cid, code in run(_CODES, upper):
        found.add(cid, MatchKind.CODE, "code", exact=code == upper)
    for cid, code, city in run(_SHIP_TOS, upper):
        found.add(cid, MatchKind.SHIP_TO, f"ship-to {code} {city}", exact=code == upper)
    if any(ch.isdigit() for ch in needle):
        # a part-typed number matches many orders: only the first few until it is longer
        n = limit if len(needle) >= 4 else 0
        for cid, number, oid in run(_ORDERS, upper, n or 1):
            if n or number == upper:
                found.add(
                    cid, MatchKind.ORDER, f"order {number}", exact=number == upper, order_id=oid
                )
        for cid, number, oid in run(_INVOICES, upper, n or 1):
            if n or number == upper:
                found.add(
                    cid, MatchKind.INVOICE, f"invoice {number}", exact=number == upper, order_id=oid
                )
    if len(needle) >= 3:
        # POs are kept as the customer sent them: what was typed, upper and lower case
        for variant in dict.fromkeys((needle, upper, needle.lower())):
            for cid, po, oid in run(_POS, variant):
                found.add(cid, MatchKind.PO, f"PO {po}", exact=po == variant, order_id=oid)


def _phone_query(table: str) -> Any:
    """Owners of a phone whose digits start with :a or :b (two ranges on the digits index)."""
    owner = "id" if table == "customers" else "customer_id"
    digits = PHONE_DIGITS_SQL
    return text(
        f"SELECT {owner}, phone FROM {table} "
        f"WHERE ({digits} >= :a AND {digits} < :a_end) OR ({digits} >= :b AND {digits} < :b_end) "
        "LIMIT :n"
    )


_PHONES = {table: _phone_query(table) for table in ("customers", "contacts", "addresses")}


def _by_phone(session: Session, found: _Collector, digits: str, limit: int) -> None:
    # North American numbers are stored with and without the leading country code 1
    other = digits[1:] if digits.startswith("1") else "1" + digits
    params = {"a": digits, "a_end": digits + "\uffff", "b": other, "b_end": other + "\uffff"}
    conn = session.connection()
    for table, what in (("customers", "phone"), ("contacts", "contact"), ("addresses", "ship-to")):
        for cid, phone in conn.execute(_PHONES[table], {**params, "n": limit}):
            label = "phone" if what == "phone" else f"{what} phone {phone}"
            found.add(cid, MatchKind.PHONE, label)


def _by_email(session: Session, found: _Collector, needle: str, sqlite: bool, limit: int) -> None:
    lower = needle.lower()
    for cid, email in session.exec(
        select(Contact.customer_id, Contact.email).where(prefix(Contact.email, lower)).limit(limit)
    ):
        found.add(cid, MatchKind.EMAIL, f"contact {email}", exact=email == lower)
    if len(lower) < 3:
        return
    if sqlite:
        quoted = '"' + lower.replace('"', '""') + '"'
        rows = session.connection().execute(
            text("SELECT rowid FROM customers_fts WHERE customers_fts MATCH :q LIMIT :n"),
            {"q": f"email : {quoted}", "n": limit},
        )
        ids = [row[0] for row in rows]
    else:
        clause = trgm_clause([Customer.email], [lower])
        ids = list(session.exec(select(Customer.id).where(clause).limit(limit)))  # type: ignore[arg-type]
    for cid in ids:
        found.add(cid, MatchKind.EMAIL, "email")


def _by_words(session: Session, found: _Collector, needle: str, sqlite: bool, limit: int) -> None:
    """Words of a name, then of a contact, then of a ship-to (code, name, city, postal code).

    Each later source ranks below the one before, so once the list is full it is not read."""
    words = _words(needle)
    conn = session.connection()
    if sqlite:
        names = fts_ids(session, "customers", words, WORD_CANDIDATES)
    else:
        names = _trgm_ids(session, Customer, [Customer.name, Customer.code], words)
    for cid in names:
        found.add(cid, MatchKind.NAME, "name")
    if len(found.best) >= limit:
        return
    if sqlite:
        contacts = fts_ids(session, "contacts", words, WORD_CANDIDATES)
    else:
        contacts = _trgm_ids(session, Contact, [Contact.name, Contact.email], words)
    if contacts:
        for cid, name in conn.execute(_CONTACTS_BY_ID, {"ids": contacts}):
            found.add(cid, MatchKind.CONTACT, f"contact {name}")
    if len(found.best) >= limit:
        return
    if sqlite:
        addresses = fts_ids(session, "addresses", words, WORD_CANDIDATES)
    else:
        columns = [Address.code, Address.name, Address.city, Address.postal_code]
        addresses = _trgm_ids(session, Address, columns, words)
    if addresses:
        for cid, code, city in conn.execute(_ADDRESSES_BY_ID, {"ids": addresses}):
            found.add(cid, MatchKind.ADDRESS, f"ship-to {code} {city}")


def _trgm_ids(
    session: Session, model: type, columns: Sequence[object], words: list[str]
) -> list[int]:
    """PostgreSQL: ids whose columns hold every word of 3+ letters (as the FTS5 side does:
    a shorter word has no trigram, so it could only be checked by scanning)."""
    clause = trgm_clause(columns, [w for w in words if len(w) >= 3])
    if clause is None:
        return []
    id_col = model.id  # type: ignore[attr-defined]
    return [i for i in session.exec(select(id_col).where(clause).limit(WORD_CANDIDATES)) if i]


def lookup(store: Store, needle: str, *, limit: int = 12) -> list[LookupHit]:
    """Customers for what was typed, best match first (see the module doc)."""
    needle = " ".join(needle.split())
    if not needle:
        return []
    found = _Collector()
    with store.read_session() as session:
        _by_codes(session, found, needle, limit)
        digits = phone_digits(needle)
        if digits is not None:
            _by_phone(session, found, digits, limit)
        if "@" in needle:
            _by_email(session, found, needle, store.is_sqlite, limit)
        elif not (found.has_exact and " " not in needle):
            _by_words(session, found, needle, store.is_sqlite, limit)
        if not found.best:
            return []
        # rank on the match alone first, so only what can be shown is read
        best = sorted(found.best.items(), key=lambda kv: -kv[1].score)[: limit * 2]
        ids = [cid for cid, _ in best]
        customers = {row[0]: row for row in session.connection().execute(_SHOWN, {"ids": ids})}
    lowered = needle.lower()
    hits = []
    for cid, cand in best:
        row = customers.get(cid)
        if row is None:
            continue
        _, code, name, phone, active, city = row
        score = cand.score
        if cand.kind == MatchKind.NAME and name.lower().startswith(lowered):
            score += NAME_START_BONUS
        hits.append(
            LookupHit(
                customer_id=cid,
                code=code,
                name=name,
                city=city or "",
                phone=phone,
                active=active,
                kind=cand.kind,
                matched=cand.matched,
                score=score,
                order_id=cand.order_id,
            )
        )
    hits.sort(key=lambda h: (-h.score, not h.active, h.code))
    return hits[:limit]
