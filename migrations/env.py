"""Alembic environment: runs the migrations against the URL it is given (online mode only)."""
from __future__ import annotations

from alembic import context

from core.adapters.db import make_engine
from core.adapters.orm import in_model, metadata

config = context.config


def run() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, include_object=in_model)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
