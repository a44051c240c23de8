"""A PostgreSQL database of its own for each pytest-xdist worker.

The suite runs on parallel workers (``-n logical`` in pyproject.toml), and every database test
empties or rebuilds the tables it is given, so two workers on one database would wipe each other's
rows mid-test. Each worker therefore works in a database named after ``PLANBOT_TEST_DATABASE_URL``'s
with the worker's id appended (``planbot_test`` → ``planbot_test_gw0``), created on the same server
when missing and dropped when the worker finishes. The named database itself only has to exist: the
workers connect to it to create and drop theirs, with the URL's own credentials.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import make_engine

POSTGRES_NAME_LIMIT = 63
"""The longest identifier PostgreSQL keeps whole; a longer name would be cut and could collide."""


def worker_database_url(url: str, worker: str) -> str:
    """``url`` with the worker's id (``gw0``, ``gw1``…) appended to its database name."""
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    assert len(name) <= POSTGRES_NAME_LIMIT, f"the test database's name is too long for a worker suffix: {name}"
    return parsed.set(database=name).render_as_string(hide_password=False)


def _on_server(url: str, statement: str, name: str) -> bool:
    """Run ``statement`` about the database ``name`` (``:name`` as a value, ``{name}`` quoted as an
    identifier) outside a transaction, as CREATE and DROP DATABASE must be, connected to ``url``'s
    database; whether it returned a row."""
    eng = make_engine(url)
    try:
        with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            quoted = eng.dialect.identifier_preparer.quote(name)
            result = connection.execute(text(statement.format(name=quoted)), {"name": name})
            return result.returns_rows and result.first() is not None
    finally:
        eng.dispose()


def create_worker_database(url: str, worker_url: str) -> None:
    """Create ``worker_url``'s database beside ``url``'s unless a run that stopped early left it behind
    (its tables are rebuilt by the first test that asks for them, as on any reused test database)."""
    name = make_url(worker_url).database or ""
    if not _on_server(url, "SELECT 1 FROM pg_database WHERE datname = :name", name):
        _on_server(url, "CREATE DATABASE {name}", name)


def drop_worker_database(url: str, worker_url: str) -> None:
    """Drop ``worker_url``'s database, closing any connection a stopped test left open on it."""
    _on_server(url, "DROP DATABASE IF EXISTS {name} WITH (FORCE)", make_url(worker_url).database or "")
