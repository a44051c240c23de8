"""``planbot demo``: a fresh SQLite file, a quarter replayed, refusals shown and the right updates kept."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select
from support.cli_support import DemoPlay

from bot.demo import SCRIPT, SUMMARY_AT, DelegateStep, Outcome, RagStep, run_demo
from commands.periods import Quarter
from commands.report_builders import quarterly_summary
from commands.report_model import QuarterlySummary
from commands.rules import Direction
from storage.db import make_engine, session_scope
from storage.models import Delegate, StatusUpdate
from storage.repository import PlanRepository


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
    def test_replays_the_quarter(self, demo_play: DemoPlay) -> None:
        """Exit 0, refusals and the closing tables printed, and exactly the valid updates stored."""
        db, code, out = demo_play

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

    def test_running_twice_starts_afresh(self, demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A second run replaces the first run's database instead of adding to it."""
        assert expected_updates() == counts(demo_db)[0]

        assert 0 == run_demo(demo_db)

        assert expected_updates() == counts(demo_db)[0]

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


@pytest.fixture(scope="module")
def summary(demo_play: DemoPlay, tmp_path_factory: pytest.TempPathFactory) -> QuarterlySummary:
    """The demo's 2018/19 Q3 as the quarterly summary frozen at its cut-off shows it (played once)."""
    db = tmp_path_factory.mktemp("demo") / demo_play.db.name
    shutil.copyfile(demo_play.db, db)
    engine = make_engine(f"sqlite:///{db}")
    try:
        with session_scope(engine) as session:
            return quarterly_summary(
                PlanRepository(session), Quarter(2018, 3), SUMMARY_AT.astimezone(dt.UTC).replace(tzinfo=None)
            )
    finally:
        engine.dispose()


class TestTheQuarterLooksLikeARealOne:
    """Issue 13: the demo's quarter is what a Panel would see of a real one, not a half-reported plan."""

    def test_every_action_is_reported_in_the_quarter(self, summary: QuarterlySummary) -> None:
        rows = [row for block in summary.themes for row in block.rows]

        assert 34 == len(rows)
        assert [] == [row.code for row in rows if row.updates == 0]
        assert 0 == next(c.count for c in summary.totals if c.status is None)

    def test_a_few_reds_and_ambers_with_reasons_and_a_deteriorating_action(self, summary: QuarterlySummary) -> None:
        rows = [row for block in summary.themes for row in block.rows]
        reds = [row for row in rows if row.status == "R"]
        ambers = [row for row in rows if row.status == "A"]

        assert 1 <= len(reds) <= 4 and 2 <= len(ambers) <= 10
        assert all(row.reason for row in reds + ambers)
        assert [row.code for row in rows if row.direction is Direction.DETERIORATING]

    def test_a_re_profile_with_its_approval_and_completions_with_their_outcomes(
        self, summary: QuarterlySummary
    ) -> None:
        reprofiles = [c for c in summary.changes if c.change == "re-profiled"]

        assert [("V9", "BCB 13/12/2018")] == [(c.action_code, c.approval) for c in reprofiles]
        assert len(summary.completed) >= 2
        assert all(row.reason for row in summary.completed)

    def test_measures_recorded_for_two_quarters(self, summary: QuarterlySummary) -> None:
        both = [m for m in summary.measures if m.value is not None and m.previous is not None]

        assert len(both) >= 3
        assert all(m.trend is not None for m in both)

    def test_the_exceptions_are_a_handful(self, summary: QuarterlySummary) -> None:
        assert 3 <= len(summary.exceptions) <= 8, [i.row.code for i in summary.exceptions]
