"""Alembic environment: runs on the engine handed over by `comptoir.kernel.db`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from comptoir.kernel.db import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through `comptoir db upgrade`, which supplies the engine")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=config.attributes.get("target_metadata", Base.metadata),
        # Batch mode lets SQLite follow ALTERs by copying tables; PostgreSQL alters in place.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
