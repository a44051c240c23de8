"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from storage.db import make_engine
from storage.migrate import MIGRATIONS, current_revision, head_revision, upgrade_to_head
from storage.models import Role


@pytest.fixture
def fresh(empty_db_url: str) -> Iterator[Engine]:
    eng = make_engine(empty_db_url)
    try:
        yield eng
    finally:
        eng.dispose()


class TestUpgrade:
    def test_empty_database_upgraded_to_head_matches_the_models(self, fresh: Engine) -> None:
        """Nothing in the models is missing from the migrations, and nothing extra was created."""
        assert current_revision(fresh) is None
        upgrade_to_head(fresh)
        with fresh.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
        assert [] == differences
        assert head_revision() == current_revision(fresh)

    def test_upgrading_again_changes_nothing(self, fresh: Engine) -> None:
        """A restart runs the upgrade again; rows and schema are left as they were."""
        upgrade_to_head(fresh)
        with Session(fresh) as session:
            session.add(Role(title="Head of Criminal Justice"))
            session.commit()
        tables = set(inspect(fresh).get_table_names())
        upgrade_to_head(fresh)
        assert tables == set(inspect(fresh).get_table_names())
        with Session(fresh) as session:
            assert ["Head of Criminal Justice"] == list(session.exec(select(Role.title)))
        assert head_revision() == current_revision(fresh)

    def test_head_is_the_newest_revision_file(self) -> None:
        """The revision planbot reports as newest is one of the scripts it ships."""
        names = [path.name for path in (MIGRATIONS / "versions").glob("*.py")]
        assert any(name.startswith(f"{head_revision()}_") for name in names)
