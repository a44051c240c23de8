"""``planbot report …`` and ``planbot measure set`` as someone at a terminal uses them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support.big_plan import load_big_plan
from support.cli_support import play_on, row_counts, use_database

from bot.cli import main
from commands.rules import LONDON
from storage.db import make_engine, session_scope
from storage.models import StatusUpdate
from storage.repository import PlanRepository


def utc(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=LONDON).astimezone(dt.UTC).replace(tzinfo=None)


def play_v9(repo: PlanRepository) -> None:
    """V9 reported green in 2018/19 Q2 and red in Q3, by an admin, the red asking for 31 March 2019."""
    action = repo.action_by_code("V9")
    author = repo.admins()[0]
    assert action is not None and action.id is not None and author.id is not None
    asked = dt.date(2019, 3, 31)
    for status, reason, at, proposed in (
        ("G", "", utc(2018, 9, 3), None),
        ("R", "CJS review delayed", utc(2018, 11, 12), asked),
    ):
        repo.add(
            StatusUpdate(
                action_id=action.id,
                status=status,
                reason=reason,
                author_id=author.id,
                created_at=at,
                proposed_due=proposed,
            )
        )


@pytest.fixture
def database(imported_db_url: str) -> str:
    """The sample plan imported through the command line, V9 reported green in Q2 and red in Q3."""
    play_on(imported_db_url, play_v9)
    return imported_db_url


class TestReports:
    def test_theme_summary(self, database: str, capsys: pytest.CaptureFixture[str]) -> None:
        """The Victims summary names the theme, counts V9 red and shows its reason as an exception."""
        assert 0 == main(["report", "summary", "victims", "--as-of", "2018-11-26"])

        out = capsys.readouterr().out
        assert "summary of Victims as of 26 Nov 2018" in out
        assert "↓ Deteriorating" in out
        assert "CJS review delayed" in out
        assert "Not yet reported" in out

    def test_overdue_and_digest(self, database: str, capsys: pytest.CaptureFixture[str]) -> None:
        """The overdue list and the digest print, with V9 overdue after its due date."""
        assert 0 == main(["report", "overdue", "--as-of", "2019-01-16"])
        overdue = capsys.readouterr().out
        assert "oldest first" in overdue and "V9" in overdue

        assert 0 == main(["report", "digest", "--as-of", "2018-11-14"])
        digest = capsys.readouterr().out
        assert "weekly digest, 7 Nov 2018 to 14 Nov 2018" in digest
        assert "New reds" in digest and "CJS review delayed" in digest
        assert "Re-profile requests awaiting approval" in digest and "31 Mar 2019" in digest

    def test_quarter(self, database: str, capsys: pytest.CaptureFixture[str]) -> None:
        """The 2018/19 Q3 summary after the cut-off is frozen and compares with Q2."""
        assert 0 == main(["report", "quarter", "2018/19", "Q3", "--as-of", "2019-01-16"])

        out = capsys.readouterr().out
        assert "quarterly summary 2018/19 Q3\nOctober–December 2018. Cut-off 15 Jan 2019; snapshot frozen;" in out
        assert "compared with 2018/19 Q2" in out
        assert "↓ Deteriorating" in out and "CJS review delayed" in out
        assert row_counts(database)["quartersnapshot"] > 0

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["report", "summary", "vic"], "Did you mean Victims?"),
            (["report", "quarter", "Q5"], '"Q5" is not a quarter.'),
            (["report", "quarter", "2018/20", "Q3"], "is not a financial year"),
            (["report", "overdue", "--as-of", "16/01/2019"], '"16/01/2019" is not a date: write it as YYYY-MM-DD'),
            (
                ["measure", "set", "V9", "Ineffective trials", "abc", "--quarter", "2018/19 Q3"],
                '"abc" is not a number.',
            ),
            (["measure", "set", "V9", "Trials", "12", "--quarter", "2018/19 Q3"], "V9 has no measure"),
            (["measure", "set", "V99", "Trials", "12", "--quarter", "Q3"], "There is no action V99"),
        ],
    )
    def test_bad_input_is_refused_and_writes_nothing(
        self, database: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
    ) -> None:
        """Each refusal says what was wrong, exits 2 and leaves every table as it was."""
        before = row_counts(database)

        assert 2 == main(argv)

        assert message in capsys.readouterr().err
        assert before == row_counts(database)


class TestMeasureSet:
    def test_value_stored_then_replaced(self, database: str, capsys: pytest.CaptureFixture[str]) -> None:
        """A second value for the same quarter replaces the first and says what it replaced."""
        name = "Ineffective trials caused by prosecution witness issues"
        assert 0 == main(["measure", "set", "v9", name.lower(), "18%", "--quarter", "2018/19 Q3"])
        assert f"V9 {name}, 2018/19 Q3: 18%" in capsys.readouterr().out

        assert 0 == main(["measure", "set", "V9", name, "17.5", "--quarter", "2018/19 Q3"])

        assert "17.5% (was 18%)" in capsys.readouterr().out
        assert 1 == row_counts(database)["measurevalue"]


class TestNarrowTerminal:
    """At 80 columns, and when piped, reports wrap or stack their columns; none is dropped."""

    @pytest.mark.parametrize("width", [80, 60])
    def test_overdue_keeps_days_overdue_for_every_action(
        self, database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int
    ) -> None:
        monkeypatch.setenv("COLUMNS", str(width))
        assert 0 == main(["report", "overdue", "--as-of", "2019-01-16"])

        out = capsys.readouterr().out
        words = " ".join(out.split())
        assert "17 overdue action(s)" in words
        assert 17 == words.count(" days overdue · ")
        row = "V9 priority · Red · ↓ Deteriorating · updated 12 Nov 2018 · due 31 Dec 2018 · 16 days overdue"
        assert f"{row} · Head of Criminal Justice" in words
        assert all(len(line) <= width for line in out.splitlines())

    def test_digest_keeps_owner_and_reason(
        self, database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("COLUMNS", "80")
        assert 0 == main(["report", "digest", "--as-of", "2018-11-14"])

        out = capsys.readouterr().out
        words = " ".join(out.split())
        row = "V9 priority · Red · ↓ Deteriorating · updated 12 Nov 2018 · due 31 Dec 2018"
        assert f"{row} · Head of Criminal Justice" in words
        assert "Reason: CJS review delayed" in words
        assert all(len(line) <= 80 for line in out.splitlines())

    def test_a_wide_terminal_gets_every_column_under_its_header(
        self, database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("COLUMNS", "200")
        monkeypatch.setenv("TTY_COMPATIBLE", "1")
        monkeypatch.setenv("NO_COLOR", "1")
        assert 0 == main(["report", "overdue", "--as-of", "2019-01-16"])

        header = next(line for line in capsys.readouterr().out.splitlines() if "Days overdue" in line)
        for label in ("Action", "Status", "Direction", "Updated", "Due", "Owner", "Title"):
            assert label in header


@pytest.fixture
def big_database(migrated_db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The generated 300-action plan (``support.big_plan``), long enough to be shortened in a terminal."""
    use_database(migrated_db_url, monkeypatch, tmp_path)
    engine = make_engine(migrated_db_url)
    try:
        with session_scope(engine) as session:
            load_big_plan(PlanRepository(session), dt.datetime(2018, 12, 3, 10))
    finally:
        engine.dispose()
    return migrated_db_url


class TestLongReports:
    """A long report in a terminal is its summary and the exceptions that matter most; --all prints every action."""

    @pytest.mark.parametrize(
        ("argv", "command"),
        [
            (["quarter", "2018/19", "Q3", "--as-of", "2019-01-20"], 'planbot report quarter "2018/19 Q3" --all'),
            (["digest", "--as-of", "2018-12-10"], "planbot report digest --all"),
            (["summary", "--as-of", "2019-01-20"], "planbot report summary --all"),
            (["overdue", "--as-of", "2019-06-30"], "planbot report overdue --all"),
        ],
    )
    def test_summary_by_default_every_action_with_all(
        self, big_database: str, capsys: pytest.CaptureFixture[str], argv: list[str], command: str
    ) -> None:
        assert 0 == main(["report", *argv])
        short = capsys.readouterr().out
        assert 0 == main(["report", *argv, "--all"])
        whole = capsys.readouterr().out

        assert f"every action: {command}" in " ".join(short.split())
        assert "every action:" not in whole
        assert 3 * len(short.splitlines()) < len(whole.splitlines())
        heading = whole.splitlines()[0]
        assert heading == short.splitlines()[0]
        assert all(len(line) <= 160 for line in (*short.splitlines(), *whole.splitlines()))

    def test_the_short_quarterly_summary_keeps_every_themes_counts(
        self, big_database: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert 0 == main(["report", "quarter", "2018/19", "Q3", "--as-of", "2019-01-20"])
        short = capsys.readouterr().out
        assert 0 == main(["report", "quarter", "2018/19", "Q3", "--as-of", "2019-01-20", "--all"])
        whole = capsys.readouterr().out

        themes = {"Whole plan", *(f"{code} Theme {code} & <Partners>" for code in "ABCDEFGHIJ")}
        counted = [line for line in whole.splitlines() if line.split(":")[0] in themes]
        assert 11 == len(counted)
        assert all(line in short.splitlines() for line in counted)
        assert "Exceptions, worst status, then longest overdue, then deteriorating, first" in short
        assert "more exceptions." in short
        codes = {f"{theme}{number}" for theme in "ABCDEFGHIJ" for number in range(1, 31)}
        assert codes <= set(whole.split())

    def test_a_short_report_is_printed_whole(self, database: str, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == main(["report", "quarter", "2018/19", "Q3", "--as-of", "2019-01-16"])
        assert "every action:" not in capsys.readouterr().out
