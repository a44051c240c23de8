"""The runtime owns the scheduler: it starts it over every platform added, and SIGTERM stops it as Ctrl+C does."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from support.engine_support import engine_settings
from test_scheduler import DIGEST_CHANNEL, MONDAY_0900, load_sample_plan

from bot.config import Settings
from bot.container import Container
from bot.runtime import Runtime, interrupt_on_sigterm
from commands.testing import RecordingNotifier


def test_scheduler_posts_through_the_added_platform_and_stops(
    db_url: str, engine: Engine, sample_plan_path: Path, tmp_path: Path
) -> None:
    """Started after Monday 09:00, the first pass posts the digest through Slack's notifier; stop() ends the thread."""
    own = engine_settings(tmp_path)  # the engine's tables in a file of the test's own, on either database
    settings = replace(own, database_url=db_url, digest_channels=(DIGEST_CHANNEL,))
    runtime = Runtime(Container(settings, engine, clock=lambda: MONDAY_0900 + dt.timedelta(minutes=1)))
    load_sample_plan(runtime.container, sample_plan_path)
    slack = RecordingNotifier()
    runtime.add_platform("slack", slack)
    runtime.start_scheduler()
    thread = runtime.scheduler.thread if runtime.scheduler else None
    deadline = time.monotonic() + 10
    while DIGEST_CHANNEL not in slack.targets() and time.monotonic() < deadline:
        time.sleep(0.01)
    runtime.stop()
    assert [DIGEST_CHANNEL] == [target for target in slack.targets() if not target.startswith("person:")]
    assert thread is not None and not thread.is_alive() and runtime.scheduler is None


def test_sigterm_interrupts_like_ctrl_c() -> None:
    """A deploy's SIGTERM reaches the same orderly stop as Ctrl+C (the runners catch KeyboardInterrupt)."""
    previous = signal.getsignal(signal.SIGTERM)
    interrupt_on_sigterm()
    try:
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_database_refusing_at_start_is_retried_with_backoff(tmp_path: Path) -> None:
    """The database's folder appears only after the second wait (a volume mounted late): the start
    waits 1 s, then 2 s, then opens it."""
    folder = tmp_path / "late-volume"
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            folder.mkdir()

    runtime = Runtime.open(Settings(database_url=f"sqlite:///{folder / 'planbot.db'}"), sleep=sleep)
    runtime.container.engine.dispose()
    assert [1.0, 2.0] == waits


def test_database_that_never_answers_gives_up_after_the_patience(tmp_path: Path) -> None:
    waits: list[float] = []
    with pytest.raises(OperationalError):
        Runtime.open(
            Settings(database_url=f"sqlite:///{tmp_path / 'missing' / 'planbot.db'}"), sleep=waits.append, patience=5
        )
    assert [1.0, 2.0] == waits
