"""Engine construction and the unit of work: one session per command or job, committed on success."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session, create_engine

DEFAULT_DATABASE_URL = "sqlite:///planbot.db"


SUPPORTED_BACKENDS = ("sqlite", "postgresql")
SUPPORTED_FORM = "sqlite:///FILE or postgresql://USER:PASSWORD@HOST:PORT/NAME (planbot supports SQLite and PostgreSQL)"


def unsupported_url(url: str) -> str | None:
    """``url`` as it may be shown (password hidden) when planbot cannot use it, else ``None``."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(not a database URL)"
    if parsed.get_backend_name() in SUPPORTED_BACKENDS:
        return None
    return parsed.render_as_string(hide_password=True)


def normalise_url(url: str) -> str:
    """Let people write ``postgresql://`` and still get the psycopg 3 driver we ship."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets the scheduler read while a command writes; SQLite leaves foreign keys off unless asked."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


CONNECT_TIMEOUT_SECONDS = 10
"""How long opening a connection may take before it counts as refused (a hung server, a dead route)."""
STATEMENT_TIMEOUT_MS = 120_000
"""The longest any one statement may run on PostgreSQL: far above the slowest (a national plan's
import or quarter freeze), so only a hung database or a lock held by a stuck process reaches it."""
LOCK_TIMEOUT_MS = 30_000
"""How long a statement waits for a row or table lock before giving up rather than hanging."""
POOL_TIMEOUT_SECONDS = 30
"""How long a thread waits for a free pooled connection."""
POSTGRES_LIVENESS: dict[str, int] = {
    "connect_timeout": CONNECT_TIMEOUT_SECONDS,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
}
"""libpq's own limits on a connection whose server has vanished (a dead host or route, a failed-over
address): a statement's time limit is the server's, so it cannot end a wait for a server that is
gone. Sent data unacknowledged for 30 s, or an idle connection unanswered for a minute, fails the
call instead of blocking its thread."""


def make_engine(url: str = DEFAULT_DATABASE_URL) -> Engine:
    """Build the process's one engine; SQLite gets WAL and foreign keys, PostgreSQL psycopg 3.

    Every database call has a time limit, so a database that hangs makes the call fail (and the
    scheduler retry it later) instead of blocking a thread for ever: connecting, waiting for a
    pooled connection, each statement and each lock wait (SQLite's ``busy_timeout``).
    """
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": CONNECT_TIMEOUT_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS}"
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args={**POSTGRES_LIVENESS, "options": options},
    )


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Commit when the block ends cleanly, roll back on any error: repositories never commit."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
