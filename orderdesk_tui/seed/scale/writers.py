"""Writing the generated rows: executemany on SQLite, COPY on PostgreSQL, in one transaction."""

from decimal import Decimal
from typing import Any

from sqlmodel import SQLModel

from orderdesk_tui.models.types import ScaledDecimal
from orderdesk_tui.seed.scale.layout import COLUMNS, SEARCHED, table_layout
from orderdesk_tui.services.numbering import SEQUENCED, sequence_name
from orderdesk_tui.store import Store


class Writer:
    """One connection and one transaction for the whole load."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.counts: dict[str, int] = {}
        layout = table_layout()
        self.columns = {t: cols for t, (cols, _extra) in layout.items()}
        self.extra = {t: extra for t, (_cols, extra) in layout.items()}

    def write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            extra = self.extra[table]
            if extra:
                rows = [row + extra for row in rows]
            self._write(table, rows)
            self.counts[table] = self.counts.get(table, 0) + len(rows)

    def _write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def begin(self) -> None:
        raise NotImplementedError

    def count(self, table: str) -> int:
        raise NotImplementedError

    def suspend_indexes(self) -> None:
        raise NotImplementedError

    def restore_indexes(self) -> None:
        raise NotImplementedError

    def rebuild_search(self) -> None:
        """Bring the free-text search up to date with the loaded rows (SQLite's FTS tables)."""

    def set_sequence(self, name: str, prefix: str, width: int, next_value: int) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """After the commit: checkpoint (SQLite) or refresh planner statistics (PostgreSQL)."""

    def close(self, ok: bool) -> None:
        raise NotImplementedError


class SqliteWriter(Writer):
    """executemany on one raw connection, in one transaction; FTS triggers off for the load."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.conn = store.engine.raw_connection()
        self.cur = self.conn.cursor()
        self.sql = {
            t: f"INSERT INTO {t} ({', '.join(c)}) VALUES ({', '.join('?' * len(c))})"
            for t, c in self.columns.items()
        }
        self.indexes: list[str] = []
        self.triggers: list[str] = []

    def begin(self) -> None:
        cur = self.cur
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute("PRAGMA cache_size=-262144")  # 256 MB of page cache for the load
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("BEGIN IMMEDIATE")

    def count(self, table: str) -> int:
        return int(self.cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def suspend_indexes(self) -> None:
        """Drop the secondary indexes of the loaded tables and the triggers that keep the FTS
        tables in step, keeping their stored SQL to recreate them exactly as they were."""
        tables = (*COLUMNS, *SEARCHED)
        marks = ", ".join("?" * len(tables))
        found = self.cur.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            f"AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY type, name",
            tables,
        ).fetchall()
        for kind, name, sql in found:
            self.cur.execute(f'DROP {kind.upper()} "{name}"')
            (self.indexes if kind == "index" else self.triggers).append(sql)

    def restore_indexes(self) -> None:
        for sql in self.indexes:
            self.cur.execute(sql)

    def rebuild_search(self) -> None:
        for table in SEARCHED:
            fts = f"{table}_fts"
            self.cur.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        for sql in self.triggers:
            self.cur.execute(sql)

    def _write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        self.cur.executemany(self.sql[table], rows)

    def set_sequence(self, name: str, prefix: str, width: int, next_value: int) -> None:
        self.cur.execute(
            "INSERT INTO number_sequences (name, prefix, next_value, width) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE "
            "SET next_value = max(number_sequences.next_value, excluded.next_value)",
            (name, prefix, next_value, width),
        )

    def commit(self) -> None:
        self.cur.execute("COMMIT")

    def finish(self) -> None:
        self.cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self, ok: bool) -> None:
        try:
            if not ok and self.conn.in_transaction:
                self.cur.execute("ROLLBACK")
            self.cur.execute("PRAGMA synchronous=NORMAL")
            self.cur.execute("PRAGMA cache_size=-2000")
            self.cur.execute("PRAGMA temp_store=DEFAULT")
        finally:
            self.cur.close()
            self.conn.close()


class PostgresWriter(Writer):
    """COPY on one psycopg connection, in one transaction; indexes and foreign keys after."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.conn = store.engine.raw_connection()
        raw = self.conn.driver_connection
        assert raw is not None  # a live pool connection always has its driver's connection
        self.raw = raw
        self.cur = self.raw.cursor()
        self.indexes: list[tuple[str, str]] = []
        self.foreign_keys: list[tuple[str, str, str]] = []
        self.converters: dict[str, list[tuple[int, int]]] = {}
        for table, columns in self.columns.items():
            sa_table = SQLModel.metadata.tables[table]
            types = [sa_table.c[col].type for col in columns]
            self.converters[table] = [
                (pos, kind.scale)
                for pos, kind in enumerate(types)
                if isinstance(kind, ScaledDecimal)
            ]

    def begin(self) -> None:
        # psycopg (not autocommit) opens the transaction at the first statement
        self.cur.execute("SET LOCAL synchronous_commit = off")
        self.cur.execute("SET LOCAL TIME ZONE 'UTC'")
        self.cur.execute("SET LOCAL maintenance_work_mem = '512MB'")

    def count(self, table: str) -> int:
        self.cur.execute(f"SELECT count(*) FROM {table}")
        row = self.cur.fetchone()
        return int(row[0])

    def suspend_indexes(self) -> None:
        """Drop the secondary (non-constraint) indexes of the loaded tables, pg_trgm ones too,
        and their foreign keys (checked row by row they would dominate the COPY); both are
        recreated from their catalog definitions, the foreign keys validated in one pass. The
        tables' own triggers are off for the load (a store being seeded has no readers)."""
        self.cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) "
            "ORDER BY i.indexname",
            (list(COLUMNS),),
        )
        self.indexes = list(self.cur.fetchall())
        self.cur.execute(
            "SELECT r.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class r ON r.oid = c.conrelid "
            "WHERE c.contype = 'f' AND r.relnamespace = current_schema()::regnamespace "
            "AND r.relname = ANY(%s) ORDER BY r.relname, c.conname",
            (list(COLUMNS),),
        )
        self.foreign_keys = list(self.cur.fetchall())
        for table, name, _sql in self.foreign_keys:
            self.cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _sql in self.indexes:
            self.cur.execute(f'DROP INDEX "{name}"')
        for table in COLUMNS:  # the queue feed's row triggers and the change NOTIFYs
            self.cur.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')

    def restore_indexes(self) -> None:
        for table in COLUMNS:
            self.cur.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        for _name, sql in self.indexes:
            self.cur.execute(sql)
        for table, name, sql in self.foreign_keys:
            self.cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {sql}')

    def _write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        conv = self.converters[table]
        cols = ", ".join(self.columns[table])
        with self.cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            if not conv:
                for row in rows:
                    copy.write_row(row)
                return
            for row in rows:
                values = list(row)
                for pos, scale in conv:
                    v = values[pos]
                    if v is not None:
                        values[pos] = Decimal(v).scaleb(-scale)
                copy.write_row(values)

    def set_sequence(self, name: str, prefix: str, width: int, next_value: int) -> None:
        self.cur.execute(
            "INSERT INTO number_sequences (name, prefix, next_value, width) "
            "VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE "
            "SET next_value = GREATEST(number_sequences.next_value, excluded.next_value)",
            (name, prefix, next_value, width),
        )
        if name in SEQUENCED:  # numbered by its sequence on PostgreSQL: move it past the seed
            seq = sequence_name(name)
            self.cur.execute(
                f"SELECT setval('{seq}', GREATEST(%s, (SELECT CASE WHEN is_called "
                f"THEN last_value + 1 ELSE last_value END FROM {seq})), false)",
                (next_value,),
            )

    def commit(self) -> None:
        # explicit ids were written: move each serial past them
        for table in COLUMNS:
            self.cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce(max(id), 0) + 1, false) FROM {table}"
            )
        self.raw.commit()

    def finish(self) -> None:
        self.raw.autocommit = True
        try:
            for table in COLUMNS:
                self.cur.execute(f"ANALYZE {table}")
        finally:
            self.raw.autocommit = False

    def close(self, ok: bool) -> None:
        try:
            if not ok:
                self.raw.rollback()
        finally:
            self.cur.close()
            self.conn.close()
