"""Scheduled delivery on DBOS Transact: every scheduled report a durable workflow, every post a step.

Status: this module sets DBOS up for a planbot process (where its tables live, the process's id,
the version, launch and an orderly stop); ``bot.scheduler`` does not run on it yet (issue #10).

DBOS keeps its own tables (the *system database*) and runs on threads inside planbot's process:

- **Where its tables live.** On SQLite, in their own file beside planbot's (``planbot.db`` →
  ``planbot-jobs.sqlite``), so DBOS's frequent small writes never wait on planbot's writer lock and
  planbot's migrations never see DBOS's tables; back up both files together. On PostgreSQL, in the
  schema ``dbos`` of planbot's own database, which every planbot process shares.
- **Who recovers what.** Each process has a stable executor id (``PLANBOT_PROCESS_ID``, default the
  host name): a restarted process resumes its own unfinished workflows at the first post not yet
  delivered. (Not built yet: a sweep taking over the workflows of a process that never comes back.)
- **Which code may resume them.** The application version is ``WORKFLOW_VERSION``, set explicitly
  (DBOS's default is a hash of the code, which would strand unfinished digests at every deploy);
  change it only when the workflows' shape changes incompatibly.
- **Exactly once, by workflow id.** A run's workflow id is its delivery key,
  ``job/platform/target/period`` (``weekly_digest/slack/C0123/2018-W48``); each post's is the run's
  id and its place (``…#3``). Two processes starting the same id run it once. A step is
  at-least-once (a process killed during the platform call runs it again), so the platform call is
  the last thing in its step and a re-run first looks for the post by its delivery key.
- **Pacing.** Every post is a child workflow on the queue ``planbot-posts``, partitioned by
  platform and channel, whose limiter starts at most one per ``POST_PERIOD_SECONDS`` per channel
  across every process sharing the database (on SQLite, within the one process).
- **Schedules.** ``DBOS.apply_schedules`` declares one cron schedule per job at its configured
  Europe/London time, and one at 08:00 on weekdays (when held-back messages to people may go).
  Each firing, and the start of every process, runs one pass of ``Scheduler.tick``: it works out
  from ``commands.schedule`` which runs are due (grace windows, working days, bank holidays,
  superseded nudges, working hours) and starts each by its workflow id. Schedules never fall
  between 01:00 and 02:00 London time (``bot.schedule_settings`` refuses such times): the autumn
  clock change makes that hour happen twice.
- **Stopping.** On SIGTERM or Ctrl+C the post in flight finishes; every workflow then stops at its
  next post without recording anything (``HandedBack`` is not an ``Exception``), so it stays
  pending for this process's next start, or for the sweep.
- **Keeping history.** Workflow rows are not garbage-collected (DBOS does not, unless asked), so
  the nudges' seven-day rule and ``planbot jobs`` can always read what was delivered; planbot's
  own ``JobRun`` rows remain the record of what was sent where.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dbos import DBOS, DBOSConfig
from dbos._dbos import _get_dbos_instance
from sqlalchemy.engine import make_url

from bot.config import Settings
from storage.db import DEFAULT_DATABASE_URL

WORKFLOW_VERSION = "planbot-delivery-1"
"""DBOS's application version: unfinished workflows are resumed only by processes of the same one."""
POST_QUEUE = "planbot-posts"
POST_PERIOD_SECONDS = 1.1
"""At most one post per channel per this many seconds: Slack allows about one a second, and a post
starts a moment after its workflow does, so a little margin keeps every gap at Slack over 1 s."""
QUEUE_POLL_SECONDS = 0.2
WAIT_POLL_SECONDS = 0.1
STOP_WAIT_SECONDS = 30.0
"""How long stopping waits for the posts in flight to finish."""
SYSTEM_SCHEMA = "dbos"

logger = logging.getLogger(__name__)


class HandedBack(BaseException):
    """Raised at a post's gate once the process is stopping. Not an ``Exception``, so DBOS records
    neither the step nor the workflow as failed: the workflow stays pending, to be resumed."""


def process_id(settings: Settings) -> str:
    """This process's DBOS executor id: ``PLANBOT_PROCESS_ID``, else the host name.

    It must stay the same across a restart (so the process resumes its own unfinished workflows)
    and differ between processes running at once; set ``PLANBOT_PROCESS_ID`` when several planbot
    processes share one host.
    """
    return settings.process_id or socket.gethostname() or "planbot"


def system_database(database_url: str, jobs_database_url: str | None = None) -> tuple[str, str | None]:
    """DBOS's system database URL and schema for planbot's ``DATABASE_URL``.

    SQLite: a file of its own beside planbot's (``planbot.db`` → ``planbot-jobs.sqlite``), no
    schema. PostgreSQL: planbot's own database, schema ``dbos``. ``PLANBOT_JOBS_DATABASE_URL``
    (``jobs_database_url``) puts them elsewhere.
    """
    url = make_url(jobs_database_url or database_url or DEFAULT_DATABASE_URL)
    if url.get_backend_name() == "sqlite":
        if jobs_database_url:
            return jobs_database_url, None
        path = Path(url.database or "planbot.db")
        return f"sqlite:///{path.with_name(f'{path.stem}-jobs.sqlite')}", None
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False), SYSTEM_SCHEMA


class Gate:
    """Counts posts in flight and refuses new ones once stopping, so a stop never cuts a post off."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._in_flight = 0
        self._lock = threading.Condition()

    def enter(self) -> None:
        with self._lock:
            if self.stopping.is_set():
                raise HandedBack
            self._in_flight += 1

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
            self._lock.notify_all()

    def check(self) -> None:
        if self.stopping.is_set():
            raise HandedBack

    def close(self, timeout: float) -> bool:
        """Refuse new posts and wait for those in flight; ``False`` if some were still going."""
        self.stopping.set()
        with self._lock:
            return self._lock.wait_for(lambda: self._in_flight == 0, timeout)


GATE = Gate()


def wait_for(workflow_id: str, get_result: Callable[[], Any]) -> Any:
    """A child workflow's result, polling its status without recording anything, so that a stop
    (``HandedBack``) can interrupt the wait; the result itself is read (and recorded) by DBOS."""
    sys_db = _get_dbos_instance()._sys_db
    while True:
        status = sys_db.get_workflow_status(workflow_id)
        if status is not None and status["status"] not in ("PENDING", "ENQUEUED", "DELAYED"):
            return get_result()
        GATE.check()
        time.sleep(WAIT_POLL_SECONDS)


def dbos_config(settings: Settings, executor_id: str) -> DBOSConfig:
    """DBOS's configuration for planbot: the system database, this process's id, the version."""
    url, schema = system_database(settings.database_url, settings.jobs_database_url)
    config: DBOSConfig = {
        "name": "planbot",
        "system_database_url": url,
        "executor_id": executor_id,
        "application_version": WORKFLOW_VERSION,
        "scheduler_polling_interval_sec": 5.0,
        "notification_listener_polling_interval_sec": 0.2,
        "log_level": "WARNING",
    }
    if schema is not None:
        config["dbos_system_schema"] = schema
        config["db_engine_kwargs"] = {"connect_args": {"connect_timeout": 10}, "pool_pre_ping": True}
    return config


def launch(settings: Settings, executor_id: str) -> None:
    """Create DBOS for this process, register the posting queue and launch it (migrating its tables)."""
    GATE.stopping.clear()
    config = dbos_config(settings, executor_id)
    DBOS(config=config)
    DBOS.launch()
    DBOS.register_queue(
        POST_QUEUE,
        partition_limiter={"limit": 1, "period": POST_PERIOD_SECONDS},
        polling_interval_sec=QUEUE_POLL_SECONDS,
        on_conflict="always_update",
    )
    logger.info("Delivery engine started (DBOS, executor %s, version %s)", executor_id, WORKFLOW_VERSION)


def shutdown(timeout: float = STOP_WAIT_SECONDS) -> None:
    """Let the posts in flight finish, hand every other workflow back, then stop DBOS."""
    if not GATE.close(timeout):
        logger.warning(
            "Stopping with a post still in flight after %.0f s; it is checked again at the next start", timeout
        )
    DBOS.destroy(workflow_completion_timeout_sec=0)


def start_background(work: Callable[[], object], name: str) -> threading.Thread:
    """Run ``work`` once in a daemon thread, logging (not raising) its failure."""

    def run() -> None:
        try:
            work()
        except HandedBack:
            pass
        except Exception:
            logger.exception("%s failed; the next scheduled pass tries again", name)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
