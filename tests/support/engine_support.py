"""The delivery engine (DBOS) in tests: settings for a test's own, a restart, and waiting for quiet."""

from __future__ import annotations

import time
from pathlib import Path

from dbos import DBOS

from bot import engine
from bot.config import Settings


def engine_settings(tmp_path: Path, **more: object) -> Settings:
    """Settings for a test's own delivery engine: its tables in a SQLite file of the test's, the
    queue looked at every 20 ms, no pause between posts (the pacing tests measure real gaps)."""
    values: dict[str, object] = {
        "jobs_database_url": f"sqlite:///{tmp_path / 'jobs.sqlite'}",
        "queue_poll_seconds": 0.02,
        "post_interval_seconds": 0.0,
    }
    return Settings(**(values | more))  # type: ignore[arg-type]


def restart_engine(tmp_path: Path) -> None:
    """The test's delivery engine stopped and launched again under the same process id, as a
    restarted process: it resumes the workflows the first left unfinished."""
    engine.shutdown(timeout=5)
    engine.launch(engine_settings(tmp_path), "test", sweep_every=None)


def settle(timeout: float = 60.0) -> None:
    """Wait until the delivery engine has no workflow left pending or queued."""
    deadline = time.monotonic() + timeout
    while DBOS.list_workflows(status=["PENDING", "ENQUEUED"], load_input=False, load_output=False):
        assert time.monotonic() < deadline, "workflows still pending"
        time.sleep(0.02)
