"""Alembic migrations of the store schema.

`REVISIONS` lists them oldest first, so that opening a current store needs no Alembic import
(it costs ~120 ms of start-up); a test keeps it equal to the migration scripts.
"""

REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0008",
    "0007",
    "0009",
    "0010",
    "0011",
    "0012",
    "0013",
    "0018",
    "0021",
    "0020",
    "0014",
    "0016",
    "0019",
    "0017",
    "0015",
)
HEAD = REVISIONS[-1]
