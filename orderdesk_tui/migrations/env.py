"""Alembic environment: runs on the engine the Store hands over (no alembic.ini)."""

from alembic import context
from sqlmodel import SQLModel

import orderdesk_tui.models  # noqa: F401

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
