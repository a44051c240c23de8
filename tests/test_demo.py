"""``planbot demo``: a fresh SQLite file, a quarter replayed, refusals shown and the right updates kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.demo import SCRIPT, DelegateStep, Outcome, RagStep, run_demo
from storage.db import make_engine
from storage.models import Delegate, StatusUpdate


def expected_updates() -> int:
    """The script's own count of commands that should store an update."""
    return sum(1 for step in SCRIPT if isinstance(step, RagStep) and step.expect is Outcome.STORED)


def counts(db: Path) -> tuple[int, int, int]:
    """(status updates, of which on behalf, delegates) in a demo database."""
    engine = make_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session:
            updates = session.exec(select(func.count()).select_from(StatusUpdate)).one()
            on_behalf = session.exec(select(func.count()).where(col(StatusUpdate.on_behalf))).one()
            delegates = session.exec(select(func.count()).select_from(Delegate)).one()
    finally:
        engine.dispose()
    return updates, on_behalf, delegates


class TestDemo:
    def test_replays_the_quarter(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Exit 0, refusals and the closing tables printed, and exactly the valid updates stored."""
        db = tmp_path / "planbot-demo.db"

        code = run_demo(db)

        out = capsys.readouterr().out
        assert 0 == code
        assert "Not done" in out
        assert "You can't update V9" in out
        assert "quarterly summary 2018/19 Q3" in out and "weekly digest" in out
        assert "Whole plan" in out
        assert "\x1b[" not in out, "piped output carries no terminal escape codes"
        delegates = sum(1 for step in SCRIPT if isinstance(step, DelegateStep))
        updates, on_behalf, stored_delegates = counts(db)
        assert (expected_updates(), delegates) == (updates, stored_delegates)
        assert on_behalf >= 1

    def test_running_twice_starts_afresh(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A second run replaces the first run's database instead of adding to it."""
        db = tmp_path / "planbot-demo.db"

        assert 0 == run_demo(db)
        assert 0 == run_demo(db)

        assert expected_updates() == counts(db)[0]

    def test_leaves_a_file_that_is_not_a_database_alone(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Pointing --db at someone's document refuses instead of deleting it."""
        notes = tmp_path / "notes.db"
        notes.write_text("minutes of the Business Coordination Board")

        code = run_demo(notes)

        assert 2 == code
        assert "minutes of the Business Coordination Board" == notes.read_text()
        assert f"{notes} is not a planbot SQLite database" in capsys.readouterr().err

    def test_leaves_another_applications_database_alone(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A SQLite database that planbot did not make is not deleted either."""
        other = tmp_path / "other.db"
        with sqlite3.connect(other) as connection:
            connection.execute("CREATE TABLE budget (line TEXT, amount INTEGER)")
            connection.execute("INSERT INTO budget VALUES ('overtime', 120000)")
        connection.close()

        code = run_demo(other)

        assert 2 == code
        with sqlite3.connect(other) as connection:
            assert [("overtime", 120000)] == connection.execute("SELECT * FROM budget").fetchall()
        connection.close()
        assert "not a planbot SQLite database" in capsys.readouterr().err
