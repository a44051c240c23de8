"""Scheduled delivery on DBOS Transact: every scheduled report a durable workflow, every post a step.

DBOS keeps its own tables (the *system database*) and runs on threads inside planbot's process
(``bot.scheduler`` declares the workflows; this module sets DBOS up for one planbot process):

- **Where its tables live.** On SQLite, in their own file beside planbot's (``planbot.db`` →
  ``planbot-jobs.sqlite``), so DBOS's frequent small writes never wait on planbot's writer lock and
  planbot's migrations never see DBOS's tables; back up both files together. On PostgreSQL, in the
  schema ``dbos`` of planbot's own database, which every planbot process shares.
  ``PLANBOT_JOBS_DATABASE_URL`` puts them elsewhere.
- **Who recovers what.** Each process has a stable executor id (``PLANBOT_PROCESS_ID``, default the
  host name) and holds a liveness lock named after it for as long as it runs (a PostgreSQL
  advisory lock on a connection of its own; on SQLite a lock on a file beside the jobs file). A
  restarted process resumes its own unfinished workflows at the first post not yet delivered.
  The recovery sweep (``sweep``, at start and every ``SWEEP_SECONDS``) takes over the unfinished
  workflows of any other process whose lock is free, i.e. that is not running: it holds that
  process's lock while it hands them back to DBOS's queues (``DBOS.resume_workflow``), so two
  sweeps never take over the same workflow, and the process itself, if it comes back, waits.
  Two processes cannot run under one id: the second waits ``LOCK_WAIT_SECONDS`` for the lock,
  then refuses to start its scheduler, naming ``PLANBOT_PROCESS_ID``.
- **Which code may resume them.** The application version is ``WORKFLOW_VERSION``, set explicitly
  (DBOS's default is a hash of the code, which would strand unfinished digests at every deploy);
  change it only when the workflows' shape changes incompatibly.
- **Pacing.** A channel report is one workflow on its platform's queue (``post_queue``: Slack's
  ``planbot-posts``, Teams' ``planbot-posts-teams``), partitioned by channel with at most one running
  per channel across every process, whose steps are its posts, ``post_interval_seconds`` apart
  (``pace``); the run keeps its channel's turn for that long after its last post, so the next run to
  the channel, in any process, keeps the gap too. Teams also limits an app's requests in a tenant
  (about 20 a second is safe): its queue runs at most ``TEAMS_CHANNELS_AT_ONCE`` channels at once
  across every process, so at most that many posts per interval. A process listens only to the
  queues of the platforms it runs. Direct messages go to one person each and are not queued.
- **Stopping.** On SIGTERM or Ctrl+C the post in flight finishes; every workflow then stops at its
  next post without recording anything (``HandedBack`` is not an ``Exception``), so it stays
  pending for this process's next start, or for another process's sweep.
- **Keeping history.** A finished workflow's rows are kept ``KEEP_FINISHED`` (60 days, well past any
  run's grace window), so a run done once is never started again under its id; the sweep then
  deletes them (``prune``, hourly). planbot's own ``JobRun`` rows remain the record of what was
  sent where (the nudges' seven-day rule, the digest windows, ``planbot jobs``).
- **Loading.** DBOS (about 0.15 s of imports, psycopg among them) is imported by ``launch``, not
  with this module, so a server is ready before its scheduler loads it (``bot.serve``) and a set-up
  alert can ask ``launched()`` in a process that never launches it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import importlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from bot.config import Settings
from commands.ports import SLACK, TEAMS
from storage.db import DEFAULT_DATABASE_URL, POSTGRES_LIVENESS

if TYPE_CHECKING:
    from dbos import DBOSConfig

WORKFLOW_VERSION = "planbot-delivery-2"
"""DBOS's application version: unfinished workflows are resumed only by processes of the same one."""
POST_QUEUE = "planbot-posts"
"""Slack's channel reports (its name predates the other platforms')."""
POST_QUEUES = {SLACK: POST_QUEUE, TEAMS: "planbot-posts-teams"}
TEAMS_CHANNELS_AT_ONCE = 18
"""Teams channels posted to at once across every process: with ``post_interval_seconds`` (1.1 s)
between a channel's posts, at most about 16 posts a second in the tenant (Teams allows 30-50)."""
STOP_WAIT_SECONDS = 30.0
"""How long stopping waits for the posts in flight to finish."""
SWEEP_SECONDS = 60.0
KEEP_FINISHED = dt.timedelta(days=60)
"""How long a finished workflow's rows are kept. Its id is what makes a run start only once, and a
run is started again by every pass within its grace window (30 days at most, the freeze's), so
they must outlive that; past it they are only history (``JobRun`` keeps planbot's own record)."""
PRUNE_EVERY_SECONDS = 3600.0
PRUNE_BATCH = 1000
"""How often each process looks for the unfinished workflows of processes that stopped."""
LOCK_WAIT_SECONDS = 30.0
"""How long a starting process waits for its own liveness lock (its previous self still stopping)."""
WAIT_POLL_SECONDS = 0.02
SYSTEM_SCHEMA = "dbos"
WORKFLOW_MODULES = ("bot.scheduler", "bot.setup_alert_workflow")
"""Where planbot's workflows are declared: imported by ``launch``, as DBOS resumes unfinished ones by name."""

logger = logging.getLogger(__name__)


class HandedBack(BaseException):
    """Raised at a post's gate once the process is stopping. Not an ``Exception``, so DBOS records
    neither the step nor the workflow as failed: the workflow stays pending, to be resumed."""


class ProcessIdInUse(RuntimeError):
    """Another running planbot process holds this process's id."""


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

    @contextmanager
    def post(self) -> Iterator[None]:
        """Around one platform call: refused (``HandedBack``) once stopping, waited for by ``close``."""
        with self._lock:
            if self.stopping.is_set():
                raise HandedBack
            self._in_flight += 1
        try:
            yield
        finally:
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


class Liveness:
    """A lock per executor id, held by its process for as long as it runs; free once it has stopped
    (however it stopped: the operating system or the database server lets go of a dead process's)."""

    def __init__(self, url: str, schema: str | None) -> None:
        self.postgres = schema is not None
        self._guard = threading.Lock()
        self._held: IO[bytes] | None = None
        self._connection: Any = None
        self._probed: IO[bytes] | None = None
        if self.postgres:
            self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        else:
            self._folder = Path(make_url(url).database or "planbot-jobs.sqlite").resolve().parent

    def hold(self, executor: str, wait: float) -> None:
        """Take this process's own lock, waiting up to ``wait`` seconds for its previous self to stop.

        Raises:
            ProcessIdInUse: another running process holds it.
        """
        deadline = time.monotonic() + wait
        while not self._try(executor, keep=True):
            if time.monotonic() >= deadline:
                raise ProcessIdInUse(
                    f"another planbot process is running as {executor!r}; give each process its own PLANBOT_PROCESS_ID"
                )
            time.sleep(0.5)

    @contextmanager
    def probe(self, executor: str) -> Iterator[bool]:
        """Whether ``executor`` has stopped; if so its lock is held here until the block ends."""
        dead = self._try(executor, keep=False)
        try:
            yield dead
        finally:
            if dead:
                self._let_go(executor)

    def release(self) -> None:
        with self._guard:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            if self._held is not None:
                self._held.close()
                self._held = None

    def _key(self, executor: str) -> int:
        digest = hashlib.blake2b(f"planbot-executor:{executor}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)

    def _path(self, executor: str) -> Path:
        safe = hashlib.blake2b(executor.encode(), digest_size=8).hexdigest()
        return self._folder / f".planbot-process-{safe}.lock"

    def _try(self, executor: str, keep: bool) -> bool:
        with self._guard:
            if self.postgres:
                if self._connection is None:
                    import psycopg

                    self._connection = psycopg.connect(self._dsn, autocommit=True, **POSTGRES_LIVENESS)
                row = self._connection.execute("SELECT pg_try_advisory_lock(%s)", (self._key(executor),)).fetchone()
                return bool(row and row[0])
            handle = self._path(executor).open("wb")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
            if keep:
                self._held = handle
            else:
                self._probed = handle
            return True

    def _let_go(self, executor: str) -> None:
        with self._guard:
            if self.postgres:
                self._connection.execute("SELECT pg_advisory_unlock(%s)", (self._key(executor),))
            elif self._probed is not None:
                self._probed.close()
                self._probed = None


class _State:
    """What the running engine needs to know about this process."""

    executor = "planbot"
    post_interval = 1.1
    liveness: Liveness | None = None
    sweeper: threading.Thread | None = None
    last_post: dict[str, float] = {}  # noqa: RUF012  (one per process, reset at launch)
    pace_lock = threading.Lock()


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
        config["db_engine_kwargs"] = {"connect_args": dict(POSTGRES_LIVENESS), "pool_pre_ping": True}
    return config


def post_queue(platform: str) -> str:
    """The queue a platform's channel reports wait on."""
    return POST_QUEUES[platform]


def launch(
    settings: Settings,
    executor_id: str,
    sweep_every: float | None = SWEEP_SECONDS,
    platforms: Sequence[str] | None = None,
) -> None:
    """Take this process's liveness lock, create and launch DBOS (migrating its tables; it resumes
    this process's unfinished workflows), register the posting queues and start the sweep.

    ``platforms`` are those this process posts to: it takes reports only from their queues (``None``:
    every queue), so a channel report never lands in a process without its platform's notifier.

    Raises:
        ProcessIdInUse: another running process has this id.
    """
    from dbos import DBOS

    for module in WORKFLOW_MODULES:
        importlib.import_module(module)
    GATE.stopping.clear()
    config = dbos_config(settings, executor_id)
    url, schema = system_database(settings.database_url, settings.jobs_database_url)
    liveness = Liveness(url, schema)
    liveness.hold(executor_id, LOCK_WAIT_SECONDS)
    _State.executor, _State.liveness = executor_id, liveness
    _State.post_interval = settings.post_interval_seconds
    _State.last_post = {}
    DBOS(config=config)
    if platforms is not None:
        DBOS.listen_queues([POST_QUEUES[p] for p in platforms if p in POST_QUEUES])
    DBOS.launch()
    for platform, queue in POST_QUEUES.items():
        DBOS.register_queue(
            queue,
            partition_concurrency=1,
            global_concurrency=TEAMS_CHANNELS_AT_ONCE if platform == TEAMS else None,
            polling_interval_sec=settings.queue_poll_seconds,
            on_conflict="always_update",
        )
    if sweep_every is not None:
        _State.sweeper = start_background(lambda: _sweep_forever(sweep_every), "planbot-sweep")
    logger.info("Delivery engine started (DBOS, process %s, version %s)", executor_id, WORKFLOW_VERSION)


def shutdown(timeout: float = STOP_WAIT_SECONDS) -> None:
    """Let the posts in flight finish, hand every other workflow back, then stop DBOS."""
    if not GATE.close(timeout):
        logger.warning(
            "Stopping with a post still in flight after %.0f s; it is checked again at the next start", timeout
        )
    from dbos import DBOS

    DBOS.destroy(workflow_completion_timeout_sec=0)
    if _State.sweeper is not None:
        _State.sweeper.join(5)
        _State.sweeper = None
    if _State.liveness is not None:
        _State.liveness.release()
        _State.liveness = None


def launched() -> bool:
    return _State.liveness is not None and not GATE.stopping.is_set()


def sweep() -> int:
    """Take over the unfinished workflows of every process that has stopped; returns how many.

    Each is handed back to the queue it was on (``DBOS.resume_workflow``), so any running process
    resumes it at its first post not yet delivered.
    """
    liveness = _State.liveness
    if liveness is None:
        return 0
    from dbos import DBOS

    pending = DBOS.list_workflows(status="PENDING", app_version=WORKFLOW_VERSION, load_input=False, load_output=False)
    others = sorted({w.executor_id for w in pending if w.executor_id and w.executor_id != _State.executor})
    taken = 0
    for other in others:
        with liveness.probe(other) as stopped:
            if not stopped:
                continue
            orphans = DBOS.list_workflows(
                status="PENDING",
                executor_id=other,
                app_version=WORKFLOW_VERSION,
                load_input=False,
                load_output=False,
            )
            for orphan in orphans:
                DBOS.resume_workflow(orphan.workflow_id, queue_name=orphan.queue_name)
            if orphans:
                logger.warning(
                    "Taking over %d unfinished deliveries of planbot process %s, which stopped: %s",
                    len(orphans),
                    other,
                    ", ".join(o.workflow_id for o in orphans),
                )
            taken += len(orphans)
    return taken


def prune(now: dt.datetime) -> int:
    """Delete finished workflows completed more than ``KEEP_FINISHED`` before ``now`` (at most
    ``PRUNE_BATCH`` at a time); returns how many. Unfinished ones are never touched."""
    from dbos import DBOS

    finished = DBOS.list_workflows(
        status=["SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"],
        completed_before=(now - KEEP_FINISHED).isoformat(),
        load_input=False,
        load_output=False,
        limit=PRUNE_BATCH,
    )
    if finished:
        DBOS.delete_workflows([w.workflow_id for w in finished])
        logger.info("Forgot %d deliveries finished more than %d days ago", len(finished), KEEP_FINISHED.days)
    return len(finished)


def _sweep_forever(every: float) -> None:
    pruned_at = 0.0
    while not GATE.stopping.wait(every):
        try:
            sweep()
            if time.monotonic() - pruned_at >= PRUNE_EVERY_SECONDS:
                prune(dt.datetime.now(dt.UTC))
                pruned_at = time.monotonic()
        except Exception:
            logger.exception("The recovery sweep failed; it runs again in %.0f s", every)


def pace(channel: str) -> None:
    """Wait until ``post_interval`` has passed since this process's last post to ``channel``
    (other processes wait their channel's turn on the queue)."""
    with _State.pace_lock:
        last = _State.last_post.get(channel)
    if last is not None:
        wait = last + _State.post_interval - time.monotonic()
        if wait > 0 and GATE.stopping.wait(wait):
            raise HandedBack


def posted(channel: str) -> None:
    """A post to ``channel`` was answered: the next one waits its interval from now."""
    with _State.pace_lock:
        _State.last_post[channel] = time.monotonic()


def keep_turn() -> None:
    """Hold the channel's turn for one interval after a run's last post, so the next run there, in
    any process, keeps the gap."""
    GATE.stopping.wait(_State.post_interval)


def wait_all(workflow_ids: list[str], timeout: float) -> list[BaseException]:
    """Wait for workflows and for every workflow each returned the id of (a list of ids), polling
    their status without recording anything; returns the failures, which are logged."""
    from dbos import DBOS

    deadline = time.monotonic() + timeout
    waiting, failures = list(workflow_ids), []
    while waiting:
        workflow_id = waiting.pop(0)
        while True:
            status = DBOS.get_workflow_status(workflow_id)
            if status is not None and status.status not in ("PENDING", "ENQUEUED", "DELAYED"):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"workflow {workflow_id} still {status.status if status else 'missing'}")
            time.sleep(WAIT_POLL_SECONDS)
        if status.status == "SUCCESS":
            result = DBOS.retrieve_workflow(workflow_id).get_result()
            if isinstance(result, list):
                waiting += [child for child in result if isinstance(child, str)]
        else:
            error = status.error if isinstance(status.error, BaseException) else RuntimeError(str(status.error))
            logger.warning("Scheduled run %s ended %s: %s", workflow_id, status.status, error)
            failures.append(error)
    return failures


def start_detached(workflow: Callable[..., Any], workflow_id: str, *args: object) -> None:
    """Start a workflow of its own (not a child), from anywhere, even inside a step: in a thread
    without the caller's workflow context. Its id makes it run once, however often it is started."""
    from dbos import DBOS, SetWorkflowID

    def start() -> None:
        with SetWorkflowID(workflow_id):
            DBOS.start_workflow(workflow, *args)

    thread = threading.Thread(target=start, name="planbot-detached")
    thread.start()
    thread.join()


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
