"""customer lookup indexes: ship-to and contact words, phone digits

The desk lookup finds a customer by a ship-to's code, name, city or postal code, by a contact's
name or email, and by a phone number typed any way ("7735550142", "773-555-0142",
"+1 773 555 0142"). SQLite gets FTS5 trigram tables over addresses and contacts (kept in step by
triggers, as migration 0002 does for customers); PostgreSQL gets pg_trgm GIN indexes on the same
columns. Both get B-tree expression indexes on the phone columns with the punctuation taken out,
so a digits prefix is an index range.

Revision ID: 0007
Revises: 0008
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: table -> columns indexed for free-text lookup (FTS5 on SQLite, pg_trgm on PostgreSQL)
SEARCHED = {
    "addresses": ("code", "name", "city", "postal_code"),
    "contacts": ("name", "email"),
}
#: tables whose `phone` gets a digits-only expression index
PHONES = ("customers", "addresses", "contacts")
#: characters a phone number is typed with besides its digits
PHONE_PUNCTUATION = (" ", "-", "+", "(", ")", ".", "/")


def phone_digits_sql(column: str) -> str:
    """`column` without PHONE_PUNCTUATION, as SQL both stores index and query identically."""
    sql = column
    for ch in PHONE_PUNCTUATION:
        sql = f"replace({sql}, '{ch}', '')"
    return sql


def _sqlite_upgrade() -> None:
    for table, columns in SEARCHED.items():
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        fts = f"{table}_fts"
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
            "content_rowid='id', tokenize='trigram case_sensitive 0')"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END"
        )
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _sqlite_downgrade() -> None:
    for table in SEARCHED:
        fts = f"{table}_fts"
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")


def _pg_upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, columns in SEARCHED.items():
        for column in columns:
            op.execute(
                f"CREATE INDEX IF NOT EXISTS ix_{table}_{column}_trgm ON {table} "
                f"USING gin (lower({column}) gin_trgm_ops)"
            )


def _pg_downgrade() -> None:
    for table, columns in SEARCHED.items():
        for column in columns:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _pg_upgrade()
    for table in PHONES:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_{table}_phone_digits ON {table} "
            f"({phone_digits_sql('phone')})"
        )


def downgrade() -> None:
    for table in PHONES:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_phone_digits")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_downgrade()
    else:
        _pg_downgrade()
