"""Shared fixtures: a fresh database per test, on SQLite always and on PostgreSQL when asked.

Set ``PLANBOT_TEST_DATABASE_URL`` to run every database test against that server as well;
each test starts from empty tables there too.

Building the schema and importing the sample plan are the dearest parts of a database test, so
each happens once per run: on SQLite each test gets a copy of a template file holding the empty
tables (or the tables with the sample plan imported, when it asks for ``plan``; or, for ``migrated_db_url``,
the schema the migrations build); on PostgreSQL the
tables are emptied with one ``TRUNCATE … RESTART IDENTITY`` (ids start at 1 again, as in a fresh
database), and rebuilt only after a test that had the raw database to itself (``empty_db_url``,
or ``db_url`` without ``engine``) may have changed the schema.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel
from support.cli_support import DemoPlay, imported_plan, play_on, use_database
from support.engine_support import engine_settings
from support.panel_support import play_quarter
from support.worker_database import create_worker_database, drop_worker_database, worker_database_url

import storage.models  # noqa: F401  (registers every table on the metadata)
from commands.plan_file import load_plan
from commands.plan_spec import PlanSpec
from storage.db import make_engine, session_scope
from storage.migrate import upgrade_to_head
from storage.models import Plan, new_structure_stamp
from storage.plan_import import import_plan
from storage.repository import PlanRepository

SAMPLE_PLAN = Path(__file__).resolve().parent.parent / "bot" / "data" / "sample-plan.yaml"
IMPORTED_AT = dt.datetime(2017, 4, 1, 9, 0)


class _ServerSchema:
    """Whether the PostgreSQL test database holds exactly the models' tables, as built by this run,
    and which database that is: ``PLANBOT_TEST_DATABASE_URL``'s, or this worker's own beside it."""

    built = False
    url = os.environ.get("PLANBOT_TEST_DATABASE_URL")


def pytest_configure(config: pytest.Config) -> None:
    """On a parallel worker, move to the worker's own PostgreSQL database, created when missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    named = os.environ.get("PLANBOT_TEST_DATABASE_URL")
    if worker and named:
        _ServerSchema.url = worker_database_url(named, worker)
        create_worker_database(named, _ServerSchema.url)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Drop the worker's own PostgreSQL database once its tests are done (the named one is kept)."""
    named = os.environ.get("PLANBOT_TEST_DATABASE_URL")
    if named and _ServerSchema.url and _ServerSchema.url != named:
        drop_worker_database(named, _ServerSchema.url)


def database_url(tmp_path: Path) -> str:
    """PostgreSQL when the run asks for it, else a SQLite file private to the test."""
    return _ServerSchema.url or f"sqlite:///{tmp_path / 'planbot-test.db'}"


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _drop_everything(eng: Engine) -> None:
    """Drop every table the database has, the models' and any other (``alembic_version``…)."""
    existing = MetaData()
    existing.reflect(eng)
    existing.drop_all(eng)


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the models' empty tables, built once per run for every test to copy."""
    path = tmp_path_factory.mktemp("schema") / "template.db"
    eng = make_engine(f"sqlite:///{path}")
    try:
        SQLModel.metadata.create_all(eng)
    finally:
        # Closing the last connection checkpoints the WAL into the file, so the file alone is the schema.
        eng.dispose()
    assert not path.with_name(path.name + "-wal").exists(), "the template's WAL was not checkpointed"
    return path


@pytest.fixture(scope="session")
def sample_plan_spec() -> PlanSpec:
    """The sample plan file, read and checked once (the spec is frozen, so tests can share it)."""
    return load_plan(SAMPLE_PLAN)


def _import_sample_plan(repo: PlanRepository, spec: PlanSpec) -> None:
    import_plan(repo, spec, actor="tests", at=IMPORTED_AT)


@pytest.fixture(scope="session")
def planned_template(schema_template: Path, sample_plan_spec: PlanSpec) -> Path:
    """The schema template with the sample plan imported, for the tests that ask for ``plan``."""
    path = schema_template.with_name("planned.db")
    shutil.copyfile(schema_template, path)
    eng = make_engine(f"sqlite:///{path}")
    try:
        with session_scope(eng) as session:
            _import_sample_plan(PlanRepository(session), sample_plan_spec)
    finally:
        eng.dispose()
    assert not path.with_name(path.name + "-wal").exists(), "the planned template's WAL was not checkpointed"
    return path


@pytest.fixture
def db_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of the test's database (its tables are created by the ``engine`` fixture)."""
    url = database_url(tmp_path)
    yield url
    if "engine" not in request.fixturenames:
        # The test had the database without the fixture's tables: it may have built its own.
        _ServerSchema.built = False


def _reset_server(eng: Engine) -> None:
    """Empty every table (one statement), or rebuild the schema when it may not be the models'."""
    if not _ServerSchema.built:
        _drop_everything(eng)
        SQLModel.metadata.create_all(eng)
        _ServerSchema.built = True
        return
    tables = ", ".join(eng.dialect.identifier_preparer.format_table(t) for t in SQLModel.metadata.sorted_tables)
    with eng.begin() as connection:
        connection.execute(text(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def engine(db_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine on empty tables built from the models."""
    if _is_sqlite(db_url):
        wanted = "planned_template" if "plan" in request.fixturenames else "schema_template"
        template = request.getfixturevalue(wanted)
        shutil.copyfile(template, make_url(db_url).database or "")
        eng = make_engine(db_url)
    else:
        eng = make_engine(db_url)
        _reset_server(eng)
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


@pytest.fixture(scope="session")
def sample_plan_path() -> Path:
    """The demo plan shipped with planbot (a copy of shared/sample-plan.yaml)."""
    return SAMPLE_PLAN


@pytest.fixture
def plan(repo: PlanRepository, db_url: str, sample_plan_spec: PlanSpec) -> Plan:
    """The sample plan loaded the way ``planbot plan import`` loads it.

    On SQLite the ``engine`` fixture copied it in from ``planned_template``; the plan gets a stamp
    of its own, so no structure a process cached in another test can pass for this database's.
    On PostgreSQL it is imported in the test's unit of work.
    """
    if _is_sqlite(db_url):
        plan = repo.current_plan()
        assert plan is not None, "the engine fixture copies the planned template for tests that ask for plan"
        plan.structure_stamp = new_structure_stamp()
        repo.add(plan)
    else:
        _import_sample_plan(repo, sample_plan_spec)
        plan = repo.current_plan()
        assert plan is not None
    return plan


@pytest.fixture
def empty_db_url(db_url: str) -> str:
    """The test database with no tables at all, not even ``alembic_version``: as new as a fresh install."""
    _ServerSchema.built = False
    eng = make_engine(db_url)
    try:
        _drop_everything(eng)
    finally:
        eng.dispose()
    return db_url


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file the migrations brought to head, built once per run for every test to copy."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.db"
    eng = make_engine(f"sqlite:///{path}")
    try:
        upgrade_to_head(eng)
    finally:
        eng.dispose()
    assert not path.with_name(path.name + "-wal").exists(), "the migrated template's WAL was not checkpointed"
    return path


@pytest.fixture
def migrated_db_url(db_url: str, request: pytest.FixtureRequest) -> str:
    """The test database as the migrations build it (with ``alembic_version`` at head) and no rows:
    what ``planbot db upgrade`` leaves on a fresh install. Migrating from nothing is itself tested
    in tests/test_migrations.py and by the commands that start on ``empty_db_url``."""
    if _is_sqlite(db_url):
        shutil.copyfile(request.getfixturevalue("migrated_template"), make_url(db_url).database or "")
        return db_url
    url = request.getfixturevalue("empty_db_url")
    eng = make_engine(url)
    try:
        upgrade_to_head(eng)
    finally:
        eng.dispose()
    return url


@pytest.fixture(scope="session")
def imported_template(migrated_template: Path, sample_plan_path: Path) -> Path:
    """The migrated template with the sample plan imported through ``planbot plan import``, built once
    per run for ``imported_db_url`` to copy (printing the import's table of changes alone is dear)."""
    path = migrated_template.with_name("imported.db")
    shutil.copyfile(migrated_template, path)
    url = f"sqlite:///{path}"
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(io.StringIO()):
        use_database(url, patch, path.parent)
        imported_plan(url, sample_plan_path, lambda repo: None)
    assert not path.with_name(path.name + "-wal").exists(), "the imported template's WAL was not checkpointed"
    return path


def _own_stamp(repo: PlanRepository) -> None:
    """Give the copied plan a structure stamp of its own (as the ``plan`` fixture does), so no structure
    a process cached from another test's copy can pass for this database's."""
    plan = repo.current_plan()
    assert plan is not None, "the imported template holds the sample plan"
    plan.structure_stamp = new_structure_stamp()
    repo.add(plan)


@pytest.fixture
def imported_db_url(
    db_url: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sample_plan_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> str:
    """``migrated_db_url`` with the sample plan imported through ``planbot plan import``, and planbot
    pointed at it from a folder of the test's own (``use_database``); what the import printed is
    discarded. On SQLite it is a copy of ``imported_template``."""
    if _is_sqlite(db_url):
        shutil.copyfile(request.getfixturevalue("imported_template"), make_url(db_url).database or "")
        use_database(db_url, monkeypatch, tmp_path)
        play_on(db_url, _own_stamp)
        return db_url
    url = request.getfixturevalue("migrated_db_url")
    use_database(url, monkeypatch, tmp_path)
    imported_plan(url, sample_plan_path, lambda repo: None)
    capsys.readouterr()
    return url


@pytest.fixture(scope="module")
def module_migrated_db_url(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> str:
    """A database as ``migrated_db_url`` leaves it, shared by one module's tests: for a module whose
    dear set-up (say, a played quarter) its tests only read. On PostgreSQL it is the server's test
    database, so the module's tests must not use the fixtures that empty it (``engine``, ``db_url``)."""
    url = database_url(tmp_path_factory.mktemp("module-db"))
    if _is_sqlite(url):
        shutil.copyfile(request.getfixturevalue("migrated_template"), make_url(url).database or "")
        return url
    _ServerSchema.built = False
    eng = make_engine(url)
    try:
        _drop_everything(eng)
        upgrade_to_head(eng)
    finally:
        eng.dispose()
    return url


@pytest.fixture(scope="session")
def demo_play(tmp_path_factory: pytest.TempPathFactory) -> DemoPlay:
    """``planbot demo`` played once per run (each play takes seconds), its output as a pipe gets it."""
    from bot.demo import run_demo

    path = tmp_path_factory.mktemp("demo") / "planbot-demo.db"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = run_demo(path)
    assert not path.with_name(path.name + "-wal").exists(), "the demo database's WAL was not checkpointed"
    return DemoPlay(path, code, printed.getvalue())


@pytest.fixture
def demo_db(demo_play: DemoPlay, tmp_path: Path) -> Path:
    """A copy of the demo's database for the test to change, as a first ``planbot demo`` leaves it."""
    path = tmp_path / demo_play.db.name
    shutil.copyfile(demo_play.db, path)
    return path


@pytest.fixture
def delivery_engine(tmp_path: Path) -> Iterator[None]:
    """The delivery engine (DBOS) launched on a SQLite file of the test's own, then stopped, so
    every test starts with no workflow run yet (workflow ids repeat from test to test)."""
    from bot import engine

    engine.launch(engine_settings(tmp_path), "test", sweep_every=None)
    try:
        yield
    finally:
        engine.shutdown(timeout=5)


@pytest.fixture
def played_database(imported_db_url: str) -> str:
    """A migrated database with the sample plan imported through the command line and 2018/19 Q2 and Q3
    played, as an officer's database stands after the quarter (the Panel export and kept-chart tests)."""
    play_on(imported_db_url, play_quarter)
    return imported_db_url
