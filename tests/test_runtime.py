"""The runtime owns the scheduler: it starts it over every platform added, and SIGTERM stops it as Ctrl+C does."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from test_scheduler import DIGEST_CHANNEL, MONDAY_0900, load_sample_plan

from bot.config import Settings
from bot.container import Container
from bot.runtime import Runtime, interrupt_on_sigterm
from commands.testing import RecordingNotifier


def test_scheduler_posts_through_the_added_platform_and_stops(
    db_url: str, engine: Engine, sample_plan_path: Path
) -> None:
    """Started after Monday 09:00, the first pass posts the digest through Slack's notifier; stop() ends the thread."""
    settings = Settings(database_url=db_url, digest_channels=(DIGEST_CHANNEL,))
    runtime = Runtime(Container(settings, engine, clock=lambda: MONDAY_0900 + dt.timedelta(minutes=1)))
    load_sample_plan(runtime.container, sample_plan_path)
    slack = RecordingNotifier()
    runtime.add_platform("slack", slack)
    runtime.start_scheduler()
    thread = runtime.scheduler.thread if runtime.scheduler else None
    deadline = time.monotonic() + 10
    while not slack.deliveries and time.monotonic() < deadline:
        time.sleep(0.01)
    runtime.stop()
    assert [DIGEST_CHANNEL] == slack.targets()
    assert thread is not None and not thread.is_alive() and not thread.daemon


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
