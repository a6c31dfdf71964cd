"""Ranked lookups as the coordinator types: customers and parts.

Every path is an index: code and part-number prefixes use the unique B-tree indexes as ranges,
words use SQLite FTS5 trigram tables (migration 0002) or PostgreSQL pg_trgm. Never a
`LIKE '%x%'` scan, so a million-part catalog answers as fast as the demo.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, func, or_, text
from sqlmodel import Session, col, select

from orderdesk_tui.models import Address, Customer, Item, ItemCrossReference
from orderdesk_tui.models.base import CrossRefKind
from orderdesk_tui.store import Store

#: Candidates a word search may collect before ranking.
WORD_CANDIDATES = 200
#: Customers a list's text filter may match before it is too vague to filter by.
CUSTOMER_MATCH_CAP = 2000


def prefix(column: object, value: str) -> ColumnElement[bool]:
    """`column` starts with `value`, as an index range (LIKE would not use the index)."""
    return (col(column) >= value) & (col(column) < value + "\uffff")


def _words(needle: str) -> list[str]:
    return [w for w in needle.replace('"', " ").split() if w]


def fts_ids(session: Session, table: str, words: list[str], limit: int) -> list[int]:
    """Row ids whose indexed columns contain every word of 3+ letters (SQLite FTS5 trigram)."""
    usable = [w for w in words if len(w) >= 3]
    if not usable:
        return []
    query = " AND ".join('"' + w.replace('"', '""') + '"' for w in usable)
    rows = session.connection().execute(
        # no ORDER BY rank: ranking scores every match (100k rows for "FST"); callers rank
        text(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :q LIMIT :n"),
        {"q": query, "n": limit},
    )
    return [row[0] for row in rows]


def trgm_clause(columns: Sequence[object], words: list[str]) -> ColumnElement[bool] | None:
    """PostgreSQL: every word appears in one of the columns (served by the pg_trgm indexes)."""
    if not words:
        return None
    return and_(
        *(
            or_(*(func.lower(c).contains(word.lower(), autoescape=True) for c in columns))
            for word in words
        )
    )


def customer_ids_by_name(session: Session, words: list[str], limit: int, sqlite: bool) -> list[int]:
    """Customers whose name contains every word: FTS5 on SQLite, pg_trgm on PostgreSQL."""
    if sqlite:
        return fts_ids(session, "customers", words, limit)
    clause = trgm_clause([Customer.name], words)
    if clause is None:
        return []
    return [i for i in session.exec(select(Customer.id).where(clause).limit(limit)) if i]


def customer_ids_matching(
    session: Session, needle: str, sqlite: bool, limit: int = CUSTOMER_MATCH_CAP
) -> list[int]:
    """Customers whose code starts with, or whose name contains, what was typed (the order
    and RMA lists filter by these)."""
    by_code = select(Customer.id).where(prefix(Customer.code, needle.upper())).limit(limit)
    ids = {i for i in session.exec(by_code) if i is not None}
    ids.update(customer_ids_by_name(session, needle.split(), limit, sqlite))
    return sorted(ids)


@dataclass(frozen=True)
class CustomerHit:
    id: int
    code: str
    name: str
    city: str
    phone: str
    active: bool
    #: Why it matched, for the prompt ("code", "ship-to ST-0102", "name", "phone").
    matched: str


@dataclass(frozen=True)
class PartHit:
    id: int
    part_number: str
    description: str
    uom: str
    list_price: Decimal
    status: str
    matched: str


def find_customers(store: Store, needle: str, *, limit: int = 10) -> list[CustomerHit]:
    """Customers for what was typed: code, ship-to code, phone, or words of the name/email."""
    needle = needle.strip()
    if not needle:
        return []
    ranked: dict[int, str] = {}

    def add(ids: Iterable[int | None], why: str) -> None:
        for cid in ids:
            if cid is not None and cid not in ranked and len(ranked) < limit:
                ranked[cid] = why

    with store.read_session() as session:
        code = needle.upper()
        add(list(session.exec(select(Customer.id).where(Customer.code == code))), "code")
        add(
            list(session.exec(select(Customer.id).where(prefix(Customer.code, code)).limit(limit))),
            "code",
        )
        ship_tos = session.exec(
            select(Address.customer_id, Address.code).where(prefix(Address.code, code)).limit(limit)
        ).all()
        for customer_id, ship_code in ship_tos:
            add([customer_id], f"ship-to {ship_code}")
        digits = "".join(ch for ch in needle if ch.isdigit())
        if len(digits) >= 4 and len(digits) >= len(needle.replace(" ", "")) - 4:
            add(
                list(
                    session.exec(
                        select(Customer.id).where(prefix(Customer.phone, needle)).limit(limit)
                    )
                ),
                "phone",
            )
        words = _words(needle)
        if store.is_sqlite:
            add(fts_ids(session, "customers", words, WORD_CANDIDATES), "name")
        else:
            clause = trgm_clause([Customer.name, Customer.email, Customer.phone], words)
            if clause is not None:
                add(list(session.exec(select(Customer.id).where(clause).limit(limit))), "name")
        if not ranked:
            return []
        rows = {c.id: c for c in session.exec(select(Customer).where(col(Customer.id).in_(ranked)))}
        cities = dict(
            session.exec(
                select(Address.customer_id, Address.city).where(
                    col(Address.customer_id).in_(ranked),
                    Address.is_default == True,  # noqa: E712
                )
            ).all()
        )
    hits = []
    for cid, why in ranked.items():
        customer = rows.get(cid)
        if customer is not None:
            hits.append(
                CustomerHit(
                    cid,
                    customer.code,
                    customer.name,
                    cities.get(cid, ""),
                    customer.phone,
                    customer.active,
                    why,
                )
            )
    # active customers first, the match order kept otherwise
    return sorted(hits, key=lambda h: not h.active)


def exact_part(store: Store, needle: str, *, customer_id: int | None) -> int | None:
    """The item `needle` names exactly: our part number, the customer's own part number or a
    UPC (a few index look-ups, so Enter on a typed part number costs no word search)."""
    upper = needle.strip().upper()
    if not upper:
        return None
    with store.read_session() as session:
        found = session.exec(select(Item.id).where(Item.part_number == upper)).first()
        if found is None and customer_id is not None:
            found = session.exec(
                select(ItemCrossReference.item_id).where(
                    ItemCrossReference.kind == CrossRefKind.CUSTOMER_PART,
                    ItemCrossReference.customer_id == customer_id,
                    ItemCrossReference.reference == upper,
                )
            ).first()
        if found is None and upper.isdigit() and len(upper) >= 8:
            found = session.exec(select(Item.id).where(Item.upc == upper)).first()
            if found is None:
                found = session.exec(
                    select(ItemCrossReference.item_id).where(
                        ItemCrossReference.kind == CrossRefKind.UPC,
                        ItemCrossReference.reference == upper,
                    )
                ).first()
    return found


def customer_currency(store: Store, customer_id: int) -> str | None:
    """The currency the customer is priced in (None: no such customer)."""
    with store.session() as session:
        return session.exec(select(Customer.currency).where(Customer.id == customer_id)).first()


def find_parts(
    store: Store, needle: str, *, customer_id: int | None = None, limit: int = 10
) -> list[PartHit]:
    """Parts for what was typed: part number (exact, prefix), the customer's own part number,
    a UPC, or words of the description — ranked in that order.

    A part number or UPC typed whole is the answer: that part, and the longer part numbers it
    starts (its variants), without a search of the descriptions for it (a trigram search for a
    whole part number cost 3-5 ms on a million parts, more than everything else together)."""
    needle = needle.strip()
    if not needle:
        return []
    ranked: dict[int, str] = {}

    def add(ids: Iterable[int | None], why: str) -> None:
        for item_id in ids:
            if item_id is not None and item_id not in ranked and len(ranked) < limit:
                ranked[item_id] = why

    upper = needle.upper()
    with store.read_session() as session:
        exact = list(session.exec(select(Item.id).where(Item.part_number == upper)))
        add(exact, "part")
        if customer_id is not None:
            refs = session.exec(
                select(ItemCrossReference.item_id, ItemCrossReference.reference)
                .where(
                    ItemCrossReference.kind == CrossRefKind.CUSTOMER_PART,
                    ItemCrossReference.customer_id == customer_id,
                    prefix(ItemCrossReference.reference, upper),
                )
                .limit(limit)
            ).all()
            for item_id, reference in refs:
                add([item_id], f"your part {reference}")
        if needle.isdigit() and len(needle) >= 8:
            exact += list(session.exec(select(Item.id).where(Item.upc == needle)))
            exact += session.exec(
                select(ItemCrossReference.item_id).where(
                    ItemCrossReference.kind == CrossRefKind.UPC,
                    ItemCrossReference.reference == needle,
                )
            ).all()
            add(exact, "UPC")
        add(
            list(
                session.exec(
                    select(Item.id)
                    .where(prefix(Item.part_number, upper))
                    .order_by(Item.part_number)
                    .limit(limit)
                )
            ),
            "part",
        )
        words = _words(needle)
        if len(ranked) >= limit or exact:
            pass  # a whole part number, or prefix matches that fill the list: no word search
        elif store.is_sqlite:
            add(fts_ids(session, "items", words, limit), "description")
        else:
            clause = trgm_clause([Item.description, Item.part_number], words)
            if clause is not None:
                add(list(session.exec(select(Item.id).where(clause).limit(limit))), "description")
        if not ranked:
            return []
        items = {i.id: i for i in session.exec(select(Item).where(col(Item.id).in_(ranked)))}
    return [
        PartHit(iid, it.part_number, it.description, it.uom, it.list_price, it.status, why)
        for iid, why in ranked.items()
        if (it := items.get(iid)) is not None
    ]


def part_categories(store: Store, *, after: str = "", limit: int = 50) -> list[str]:
    """The catalog's categories in order, a page at a time (the part prompt's browse list).

    One index seek per category on `ix_items_category` (the next category after the last one),
    so a million parts in a dozen categories cost a dozen seeks, not a scan of the index."""
    found: list[str] = []
    with store.read_session() as session:
        while len(found) < limit:
            following = session.exec(
                select(Item.category)
                .where(Item.category > (found[-1] if found else after))
                .order_by(Item.category)
                .limit(1)
            ).first()
            if following is None:
                break
            found.append(following)
    return found


def parts_in_category(
    store: Store, category: str, *, after_id: int = 0, limit: int = 50
) -> list[PartHit]:
    """The parts of one category in catalog order, a page at a time (keyset on the id:
    `ix_items_category` holds the row id after the category, so a page is one index range)."""
    with store.read_session() as session:
        items = session.exec(
            select(Item)
            .where(Item.category == category, col(Item.id) > after_id)
            .order_by(col(Item.id))
            .limit(limit)
        ).all()
    return [
        PartHit(
            it.id or 0, it.part_number, it.description, it.uom, it.list_price, it.status, category
        )
        for it in items
    ]
