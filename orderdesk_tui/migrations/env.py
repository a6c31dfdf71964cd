"""Alembic environment: runs on the engine the Store hands over (no alembic.ini)."""

from alembic import context
from sqlmodel import SQLModel

import orderdesk_tui.models  # noqa: F401

config = context.config


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave the FTS5 search tables (migration 0002) out of autogenerate comparisons."""
    return not (type_ == "table" and name is not None and "_fts" in name)


engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
