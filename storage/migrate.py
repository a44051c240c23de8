"""Bring a database to the newest schema with Alembic, from inside planbot.

A new database is created by the same migrations as an old one is upgraded by, so every
installation has the schema the migrations describe. The migration scripts ship inside the
package (``storage/migrations``), so this works from an installed wheel as well as a checkout.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^(down_revision|revision)\b[^=\n]*=\s*(.+?)\s*$", re.MULTILINE)
_QUOTED = re.compile(r"""^(['"])([^'"]+)\1$""")

# Any fixed number: the PostgreSQL advisory lock that makes bot processes starting together
# upgrade one after the other instead of racing to create the same tables.
_UPGRADE_LOCK = 7_413_901


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Apply every pending migration in one transaction; does nothing when already at head.

    A database already at the shipped head is recognised with one query, without importing Alembic
    (a fifth of a second of every command's start: Alembic brings Mako and Pygments with it)."""
    if not _at_shipped_head(engine):
        upgrade_to(engine, "head")


def shipped_head() -> str | None:
    """The newest revision in ``migrations/versions``, read from the scripts' ``revision`` and
    ``down_revision`` lines; ``None`` when they are not plain one-parent strings (a merge), which
    leaves the answer to Alembic (``head_revision``)."""
    return _shipped_head(tuple(sorted(str(path) for path in (MIGRATIONS / "versions").glob("*.py"))))


@cache
def _shipped_head(scripts: tuple[str, ...]) -> str | None:
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in scripts:
        text_of = Path(script).read_text(encoding="utf-8")
        found = {match.group(1): match.group(2) for match in _REVISION.finditer(text_of)}
        quoted = _QUOTED.match(found.get("revision", ""))
        if quoted is None:
            return None
        revisions.add(quoted.group(2))
        parent = found.get("down_revision", "None")
        if parent != "None":
            named = _QUOTED.match(parent)
            if named is None:
                return None
            parents.add(named.group(2))
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def _at_shipped_head(engine: Engine) -> bool:
    """Whether the database records exactly the shipped head (``False`` for a new database)."""
    head = shipped_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            versions = [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]
    except DBAPIError:
        return False
    return versions == [head]


def upgrade_to(engine: Engine, revision: str) -> None:
    """Apply the migrations up to ``revision`` (tests rebuild older schemas to upgrade from them)."""
    from alembic import command

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        command.upgrade(_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for a database planbot has never upgraded."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision this version of planbot ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "storage/migrations/versions holds at least the initial revision"
    return head
