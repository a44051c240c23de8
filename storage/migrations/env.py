"""Alembic environment: planbot's models are the target; the connection comes from planbot.

``storage.migrate`` hands over an open connection in ``config.attributes["connection"]``; the
alembic command line instead connects to ``DATABASE_URL`` (default: planbot's SQLite file).
SQLite gets batch mode, because it can only alter a table by copying it.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers every table on the metadata)
from storage.db import DEFAULT_DATABASE_URL, make_engine, normalise_url

target_metadata = SQLModel.metadata


def _url() -> str:
    return os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """``alembic upgrade head --sql``: write the SQL for a database administrator to run."""
    url = normalise_url(_url())
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch="sqlite" in url)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as own_connection:
            _run(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
