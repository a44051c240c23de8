"""Shared fixtures: a fresh database per test, on SQLite always and on PostgreSQL when asked.

Set ``PLANBOT_TEST_DATABASE_URL`` to run every database test against that server as well;
each test starts from empty tables there too.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import storage.models  # noqa: F401  (registers every table on the metadata)
from commands.plan_file import load_plan
from storage.db import make_engine, session_scope
from storage.models import Plan
from storage.plan_import import import_plan
from storage.repository import PlanRepository

SAMPLE_PLAN = Path(__file__).resolve().parent.parent / "bot" / "data" / "sample-plan.yaml"


def database_url(tmp_path: Path) -> str:
    """PostgreSQL when the run asks for it, else a SQLite file private to the test."""
    return os.environ.get("PLANBOT_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'planbot-test.db'}"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """The URL of the test's database (its tables are created by the ``engine`` fixture)."""
    return database_url(tmp_path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on empty tables built from the models."""
    eng = make_engine(db_url)
    SQLModel.metadata.drop_all(eng)
    SQLModel.metadata.create_all(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """One unit of work, committed at the end of the test."""
    with session_scope(engine) as s:
        yield s


@pytest.fixture
def repo(session: Session) -> PlanRepository:
    return PlanRepository(session)


@pytest.fixture
def sample_plan_path() -> Path:
    """The demo plan shipped with planbot (a copy of shared/sample-plan.yaml)."""
    return SAMPLE_PLAN


@pytest.fixture
def plan(repo: PlanRepository, sample_plan_path: Path) -> Plan:
    """The sample plan loaded the way ``planbot plan import`` loads it, in the test's unit of work."""
    import_plan(repo, load_plan(sample_plan_path), actor="tests", at=dt.datetime(2017, 4, 1, 9, 0))
    plan = repo.current_plan()
    assert plan is not None
    return plan


@pytest.fixture
def empty_db_url(db_url: str) -> str:
    """The test database with no tables at all, not even ``alembic_version``: as new as a fresh install."""
    eng = make_engine(db_url)
    try:
        existing = MetaData()
        existing.reflect(eng)
        existing.drop_all(eng)
    finally:
        eng.dispose()
    return db_url
