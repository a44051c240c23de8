"""The delivery engine's set-up (``bot.engine``): where DBOS keeps its tables, the process's id, the
version, and an orderly stop that hands unfinished work back instead of cutting a post off."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bot import engine
from bot.config import Settings
from storage.db import make_engine


def test_sqlite_keeps_the_engine_tables_in_a_file_beside_planbots() -> None:
    assert ("sqlite:////srv/planbot/planbot-jobs.sqlite", None) == engine.system_database(
        "sqlite:////srv/planbot/planbot.db"
    )
    assert ("sqlite:///planbot-jobs.sqlite", None) == engine.system_database("sqlite:///planbot.db")


def test_postgresql_keeps_them_in_their_own_schema_of_planbots_database() -> None:
    url, schema = engine.system_database("postgresql://planbot:secret@db:5432/planbot")
    assert ("postgresql+psycopg://planbot:secret@db:5432/planbot", "dbos") == (url, schema)


def test_a_jobs_database_url_puts_them_elsewhere() -> None:
    assert ("sqlite:////tmp/jobs.sqlite", None) == engine.system_database(
        "sqlite:///planbot.db", "sqlite:////tmp/jobs.sqlite"
    )


def test_process_id_is_the_setting_else_the_host_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.socket, "gethostname", lambda: "bot-host-1")
    assert "bot-host-1" == engine.process_id(Settings())
    assert "planbot-a" == engine.process_id(Settings.from_env({"PLANBOT_PROCESS_ID": " planbot-a "}))


def test_the_version_and_executor_are_explicit() -> None:
    config = engine.dbos_config(Settings(database_url="postgresql://postgres@127.0.0.1/planbot"), "planbot-a")
    assert "planbot-a" == config["executor_id"]
    assert engine.WORKFLOW_VERSION == config["application_version"]
    assert "dbos" == config["dbos_system_schema"]


def test_launch_on_sqlite_then_stop(tmp_path: Path) -> None:
    engine.launch(Settings(database_url=f"sqlite:///{tmp_path / 'planbot.db'}"), "test")
    try:
        assert (tmp_path / "planbot-jobs.sqlite").exists()
    finally:
        engine.shutdown(timeout=5)


def test_stopping_waits_for_the_post_in_flight_and_refuses_the_next() -> None:
    gate = engine.Gate()
    entered, finish, closed = threading.Event(), threading.Event(), []

    def post() -> None:
        with gate.post():
            entered.set()
            finish.wait(5)

    poster = threading.Thread(target=post)
    poster.start()
    assert entered.wait(5)
    closer = threading.Thread(target=lambda: closed.append(gate.close(timeout=5)))
    closer.start()
    closer.join(0.2)
    assert closer.is_alive(), "stopping waits while a post is in flight"
    finish.set()
    closer.join(5)
    poster.join(5)
    assert [True] == closed
    with pytest.raises(engine.HandedBack), gate.post():
        pass


def test_a_second_process_under_the_same_id_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The liveness lock: while one process runs as "planbot-a", another cannot; once it stops, it can."""
    monkeypatch.setattr(engine, "LOCK_WAIT_SECONDS", 0.1)
    url = f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    running, other = engine.Liveness(url, None), engine.Liveness(url, None)
    running.hold("planbot-a", 0)
    with pytest.raises(engine.ProcessIdInUse, match="PLANBOT_PROCESS_ID"):
        other.hold("planbot-a", 0.1)
    with other.probe("planbot-a") as stopped:
        assert not stopped
    running.release()
    with other.probe("planbot-a") as stopped:
        assert stopped
    other.hold("planbot-a", 0)
    other.release()


def libpq_options(url: str, **engine_kwargs: Any) -> dict[str, str]:
    """The options libpq connected with, from a connection of an engine built on ``url``."""
    built = create_engine(url, **engine_kwargs) if engine_kwargs else make_engine(url)
    try:
        with built.connect() as connection:
            dsn: str = connection.connection.dbapi_connection.info.dsn  # type: ignore[union-attr]
    finally:
        built.dispose()
    return {name: str(value) for name, value in conninfo_to_dict(dsn).items()}


def test_postgres_connections_give_up_on_a_vanished_server(db_url: str) -> None:
    """planbot's connections and the engine's carry libpq's keepalives and send time limit, so a
    server that vanished (dead host or route) fails a call within about a minute instead of
    blocking its thread: a statement's time limit is the server's own and cannot."""
    if make_url(db_url).get_backend_name() != "postgresql":
        pytest.skip("libpq's connection options (SQLite is a file)")
    wanted = {"keepalives": "1", "keepalives_idle": "30", "tcp_user_timeout": "30000"}
    assert wanted.items() <= libpq_options(db_url).items()
    config = engine.dbos_config(Settings(database_url=db_url), "planbot-a")
    assert wanted.items() <= libpq_options(engine.system_database(db_url)[0], **config["db_engine_kwargs"]).items()
