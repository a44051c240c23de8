"""``planbot jobs`` and ``planbot doctor`` say which scheduled runs failed or are stuck, and the last of each job."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from rich.console import Console
from support.cli_support import use_database
from support.fake_slack import BOT_TOKEN, FakeSlack

from bot.cli import main
from bot.config import Settings
from bot.container import utc_now
from bot.doctor import run_doctor
from storage.db import make_engine, session_scope
from storage.migrate import upgrade_to_head
from storage.models import JobRun


@pytest.fixture
def upgraded(empty_db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    engine = make_engine(empty_db_url)
    upgrade_to_head(engine)
    engine.dispose()
    use_database(empty_db_url, monkeypatch, tmp_path)
    return empty_db_url


def add_runs(url: str, *runs: JobRun) -> None:
    engine = make_engine(url)
    with session_scope(engine) as session:
        session.add_all(runs)
    engine.dispose()


def ago(**delta: float) -> dt.datetime:
    return utc_now() - dt.timedelta(**delta)


def test_failed_and_stuck_runs_are_listed_with_why(upgraded: str, capsys: pytest.CaptureFixture[str]) -> None:
    add_runs(
        upgraded,
        JobRun(
            job="weekly_digest",
            target="C0DIGEST",
            period_key="2026-W49",
            state="failed",
            claimed_at=ago(hours=2),
            finished_at=ago(hours=2),
            detail="SlackApiError: not_in_channel",
            attempts=3,
        ),
        JobRun(job="nudge", target="person:4", period_key="V9:2026-12-01", state="claimed", claimed_at=ago(hours=1)),
        JobRun(
            job="nudges",
            target="*",
            period_key="2026-12-01",
            state="sent",
            claimed_at=ago(minutes=70),
            finished_at=ago(minutes=60),
        ),
    )
    code = main(["jobs"])
    out = capsys.readouterr().out
    assert 1 == code
    assert "weekly_digest to slack:C0DIGEST for 2026-W49, attempt 3: SlackApiError: not_in_channel" in out
    assert "nudge to slack:person:4 for V9:2026-12-01: claimed" in out and "not finished" in out
    assert "nudges to slack:* for 2026-12-01: sent" in out


def test_nothing_wrong_exits_zero(upgraded: str, capsys: pytest.CaptureFixture[str]) -> None:
    add_runs(
        upgraded,
        JobRun(
            job="weekly_digest",
            target="C0DIGEST",
            period_key="2026-W49",
            state="sent",
            claimed_at=ago(hours=2),
            finished_at=ago(hours=2),
        ),
        JobRun(job="nudge", target="person:4", period_key="V9:2026-12-01", state="claimed", claimed_at=ago(minutes=1)),
    )
    assert 0 == main(["jobs"])
    out = capsys.readouterr().out
    assert "None in the last eight days." in out
    assert "weekly_digest to slack:C0DIGEST for 2026-W49: sent" in out


def test_doctor_marks_a_failed_run_to_fix(upgraded: str) -> None:
    add_runs(
        upgraded,
        JobRun(
            job="quarterly_summary",
            target="C0GOV",
            period_key="FY2026-27-Q2",
            state="failed",
            claimed_at=ago(days=1),
            detail="SlackApiError: channel_not_found",
        ),
    )
    fake = FakeSlack().start()
    try:
        out = io.StringIO()
        settings = Settings(database_url=upgraded, slack_bot_token=BOT_TOKEN, slack_api_url=fake.api_url)
        code = run_doctor(settings, Console(file=out, width=400, color_system=None))
    finally:
        fake.stop()
    [row] = [line for line in out.getvalue().splitlines() if "Scheduled runs" in line]
    assert 1 == code
    assert " FIX " in row and "channel_not_found" in row and "planbot jobs lists them" in row
