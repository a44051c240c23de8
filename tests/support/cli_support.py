"""Helpers for tests that drive the ``planbot`` command line against a real database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import MetaData, func, select

from bot.cli import main
from storage.db import make_engine, session_scope
from storage.repository import PlanRepository


def use_database(url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point DATABASE_URL at ``url`` and run from a folder with no ``.env``, as an operator would."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.chdir(tmp_path)


def imported_plan(url: str, plan_file: Path, play: Callable[[PlanRepository], None]) -> None:
    """Import the plan through ``planbot plan import``, then let ``play`` add updates in one unit of work."""
    assert 0 == main(["plan", "import", str(plan_file)])
    play_on(url, play)


def play_on(url: str, play: Callable[[PlanRepository], None]) -> None:
    """Let ``play`` change the database at ``url`` in one unit of work."""
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            play(PlanRepository(session))
    finally:
        engine.dispose()


def row_counts(url: str) -> dict[str, int]:
    """Rows in every table of the database, to show what a command wrote (or that it wrote nothing)."""
    engine = make_engine(url)
    try:
        tables = MetaData()
        tables.reflect(engine)
        with engine.connect() as connection:
            return {
                name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in tables.tables.items()
                if name != "alembic_version"
            }
    finally:
        engine.dispose()


class DemoPlay(NamedTuple):
    """One ``planbot demo``: the database it left, its exit code and what it printed (to a pipe)."""

    db: Path
    code: int
    said: str
