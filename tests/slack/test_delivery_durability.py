"""Whole ``planbot serve --http`` processes posting the digest to the fake Slack, killed, stopped and
doubled: every message reaches the channel exactly once (0 duplicates, 0 losses), counted at the
fake by each message's delivery key.

Each process is started as an operator starts it (test_runner.py beside this file), with the digest
set due a minute ago (``PLANBOT_DIGEST_TIME``) on a plan whose updates fill a channel's digest (the
core's channel summary: a headline and its thread replies, three to five messages), posts paced at
``PLANBOT_POST_INTERVAL_SECONDS`` (0.5 s, so each case takes seconds and a kill lands mid-digest;
the pacing case keeps Slack's 1.1 s). How many messages the digest has is read back from the
delivery engine's record of its build step (``DBOSClient``). On PostgreSQL each case also starts
from an empty ``dbos`` schema; the two-process cases need PostgreSQL and are skipped on SQLite.

The database is also taken away, at the start and mid-digest: planbot reaches PostgreSQL through a
relay (``support.db_proxy``) that refuses connections and cuts the open ones for
``REFUSED_SECONDS``, as a database restarting or failing over does. SQLite is a file beside planbot
and cannot be refused this way, so those cases run on PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from support.big_plan import load_big_plan
from support.db_proxy import relay
from support.fake_slack import FakeSlack
from support.processes import parts_built, sent_digests
from test_runner import free_port, start, wait_until_healthy

from bot import engine as delivery
from bot.container import utc_now
from commands.rules import LONDON
from storage.db import make_engine, session_scope
from storage.repository import PlanRepository

CHANNEL = "C0DIGEST01"
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
DONE_SECONDS = 60.0
REFUSED_SECONDS = 30.0
BACK_SECONDS = 90.0
"""How long planbot may take to notice the database is back (its start backoff tops out at 30 s)."""

pytestmark = pytest.mark.slow


def on_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


@pytest.fixture
def database(migrated_db_url: str) -> str:
    """The migrated test database with a big plan updated over the last ten days, and (PostgreSQL)
    no delivery engine tables left by an earlier case."""
    eng = make_engine(migrated_db_url)
    try:
        if on_postgres(migrated_db_url):
            with eng.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS dbos CASCADE"))
        with session_scope(eng) as session:
            load_big_plan(PlanRepository(session), utc_now() - dt.timedelta(days=10))
    finally:
        eng.dispose()
    return migrated_db_url


def due_a_minute_ago() -> str:
    """``PLANBOT_DIGEST_TIME`` for a digest that fell due a minute ago, London time (never in the
    01:00 hour, which planbot refuses)."""
    moment = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).astimezone(LONDON)
    if moment.hour == 1:
        moment = moment.replace(hour=0, minute=59)
    return f"{WEEKDAYS[moment.weekday()]} {moment:%H:%M}"


def planbot(
    database: str,
    fake_slack: FakeSlack,
    tmp_path: Path,
    process: str,
    interval: float = 0.5,
    log: Path | None = None,
    port: int | None = None,
) -> subprocess.Popen[str]:
    """``planbot serve --http`` with its scheduler, as process ``process`` (its stderr in ``log`` if
    given), once it answers its health check; given a ``port``, at once (the caller checks it)."""
    env = {
        "PLANBOT_PROCESS_ID": process,
        "PLANBOT_DIGEST_CHANNELS": CHANNEL,
        "PLANBOT_DIGEST_TIME": due_a_minute_ago(),
        "PLANBOT_POST_INTERVAL_SECONDS": str(interval),
        "PLANBOT_QUEUE_POLL_SECONDS": "0.1",
    }
    healthy = port is None
    port = port or free_port()
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        started = start(
            ["serve", "--http", "--host", "127.0.0.1", "--port", str(port)], database, fake_slack, tmp_path, log
        )
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if healthy:
        wait_until_healthy(f"http://127.0.0.1:{port}/healthz", started)
    return started


@pytest.fixture
def processes() -> list[subprocess.Popen[str]]:
    started: list[subprocess.Popen[str]] = []
    yield started  # type: ignore[misc]
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def digest_posts(fake_slack: FakeSlack) -> list[str]:
    """The delivery keys of the digest messages the fake accepted, in order."""
    return [
        p["metadata"]["event_payload"]["key"]
        for p in list(fake_slack.posted)
        if p.get("metadata") and p["metadata"]["event_payload"]["key"].startswith("weekly_digest/")
    ]


def wait_for_posts(fake_slack: FakeSlack, count: int, timeout: float = DONE_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while len(digest_posts(fake_slack)) < count:
        assert time.monotonic() < deadline, f"only {len(digest_posts(fake_slack))} digest messages posted"
        time.sleep(0.02)


def counted(fake_slack: FakeSlack, database: str, timeout: float = DONE_SECONDS) -> tuple[int, int, int]:
    """(messages, duplicates, losses) of the digest at the fake, once it is delivered."""
    [run] = sent_digests(database, 1, timeout)
    total = len(parts_built(database, f"weekly_digest/slack/{CHANNEL}/{run.period_key}"))
    keys = Counter(digest_posts(fake_slack))
    expected = {f"weekly_digest/slack/{CHANNEL}/{run.period_key}#{n}" for n in range(total)}
    return total, sum(n - 1 for n in keys.values()), len(expected - set(keys))


@pytest.mark.parametrize("after", [1, 2], ids=["after-message-1", "mid-digest"])
def test_kill_9_then_restart(database, fake_slack, tmp_path, processes, after: int) -> None:
    """kill -9 once ``after`` messages are in Slack; the process started again under the same id
    continues at the first message not in Slack."""
    processes.append(planbot(database, fake_slack, tmp_path, "planbot-a"))
    wait_for_posts(fake_slack, after)
    processes[0].send_signal(signal.SIGKILL)
    processes[0].wait(timeout=10)
    killed_at = len(digest_posts(fake_slack))
    processes.append(planbot(database, fake_slack, tmp_path, "planbot-a"))
    total, duplicates, losses = counted(fake_slack, database)
    print(f"kill -9 after {killed_at} of {total} messages: {duplicates} duplicates, {losses} losses")
    assert total >= 3 and killed_at < total, "the kill fell mid-digest"
    assert (0, 0) == (duplicates, losses)


def test_sigterm_mid_digest_then_restart(database, fake_slack, tmp_path, processes) -> None:
    """A deploy's SIGTERM mid-digest: the process exits 0 after the post in flight; started again,
    it finishes the digest with nothing posted twice."""
    processes.append(planbot(database, fake_slack, tmp_path, "planbot-a"))
    wait_for_posts(fake_slack, 2)
    processes[0].send_signal(signal.SIGTERM)
    assert 0 == processes[0].wait(timeout=30)
    stopped_at = len(digest_posts(fake_slack))
    processes.append(planbot(database, fake_slack, tmp_path, "planbot-a"))
    total, duplicates, losses = counted(fake_slack, database)
    assert stopped_at < total
    assert (0, 0) == (duplicates, losses)


def test_two_processes_at_once(database, fake_slack, tmp_path, processes) -> None:
    """Two processes start together on one PostgreSQL database: one digest in the channel."""
    if not on_postgres(database):
        pytest.skip("several processes share a PostgreSQL database (SQLite means one process)")
    processes += [planbot(database, fake_slack, tmp_path, name) for name in ("planbot-a", "planbot-b")]
    total, duplicates, losses = counted(fake_slack, database)
    assert (0, 0) == (duplicates, losses)
    time.sleep(1)  # nothing more arrives
    assert total == len(digest_posts(fake_slack))


def test_a_process_that_never_comes_back_is_taken_over(database, fake_slack, tmp_path, processes) -> None:
    """Process a is killed mid-digest and never restarted; process b, already running, takes the
    digest over at its next sweep and finishes it once."""
    if not on_postgres(database):
        pytest.skip("several processes share a PostgreSQL database (SQLite means one process)")
    processes.append(planbot(database, fake_slack, tmp_path, "planbot-a"))
    wait_for_posts(fake_slack, 2)
    processes[0].send_signal(signal.SIGKILL)
    processes[0].wait(timeout=10)
    processes.append(planbot(database, fake_slack, tmp_path, "planbot-b"))  # its first pass sweeps
    _, duplicates, losses = counted(fake_slack, database)
    assert (0, 0) == (duplicates, losses)


def owner_of_the_digest(database: str) -> str:
    """The process id now running the digest's channel report, from the engine's tables."""
    from dbos import DBOSClient

    url, schema = delivery.system_database(database)
    client = DBOSClient(system_database_url=url, dbos_system_schema=schema or "dbos")
    try:
        [found] = client.list_workflows(workflow_id_prefix="weekly_digest/slack/", load_input=False, load_output=False)
    finally:
        client.destroy()
    assert found.executor_id is not None
    return found.executor_id


def test_pacing_across_two_processes(database, fake_slack, tmp_path, processes) -> None:
    """At Slack's own pace (1.1 s): the process posting the digest is killed after message 2 and a
    new one (another id) takes the rest over at its start: no two posts to the channel less than a
    second apart, whichever process sent them."""
    if not on_postgres(database):
        pytest.skip("several processes share a PostgreSQL database (SQLite means one process)")
    named = {name: planbot(database, fake_slack, tmp_path, name, interval=1.1) for name in ("planbot-a", "planbot-b")}
    processes += named.values()
    wait_for_posts(fake_slack, 2)
    owner = named[owner_of_the_digest(database)]
    owner.send_signal(signal.SIGKILL)
    owner.wait(timeout=10)
    processes.append(planbot(database, fake_slack, tmp_path, "planbot-c", interval=1.1))
    total, duplicates, losses = counted(fake_slack, database, timeout=90)
    arrivals = [c.at for c in fake_slack.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL]
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    print(f"pacing: {total} messages, {len(gaps)} gaps, the smallest {min(gaps):.3f} s")
    assert (0, 0) == (duplicates, losses)
    assert len(gaps) == total - 1 and min(gaps) >= 1.0, gaps


def health(port: int) -> tuple[int, str]:
    """``/healthz``'s status and text; 0 while the port is not open."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


def health_once_open(port: int, timeout: float) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while (found := health(port))[0] == 0:
        assert time.monotonic() < deadline, "planbot never opened its port"
        time.sleep(0.1)
    return found


def wait_until_ready(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while health(port)[0] != 200:
        assert time.monotonic() < deadline, f"planbot was not ready {timeout:.0f} s after the database came back"
        time.sleep(0.2)


def test_a_database_refused_at_start(database, fake_slack, tmp_path, processes) -> None:
    """The database refuses for 30 s as planbot starts: the port opens at once and the health check
    answers 503 "not ready" meanwhile; once the database is back planbot is ready and posts the
    digest that fell due, once."""
    if not on_postgres(database):
        pytest.skip("a database server is taken away here (SQLite is a file beside planbot)")
    log = tmp_path / "planbot.log"
    port = free_port()
    with relay(database) as db:
        db.refuse()
        processes.append(planbot(db.url, fake_slack, tmp_path, "planbot-a", log=log, port=port))
        assert (503, "not ready: waiting for the database\n") == health_once_open(port, timeout=30)
        time.sleep(REFUSED_SECONDS)
        assert processes[0].poll() is None, log.read_text()
        assert 503 == health(port)[0]
        assert [] == fake_slack.calls_to("chat.postMessage")
        db.restore()
        wait_until_ready(port, BACK_SECONDS)
        total, duplicates, losses = counted(fake_slack, database)
    print(f"database refused {REFUSED_SECONDS:.0f} s at start: {total} messages, {duplicates} dup, {losses} lost")
    assert (0, 0) == (duplicates, losses)
    assert "The database refused" in log.read_text()


@pytest.mark.parametrize("fault", ["refused", "hung"])
def test_a_database_taken_away_mid_digest(database, fake_slack, tmp_path, processes, fault: str) -> None:
    """The database is taken away for 30 s after the digest's first message: refusing connections
    with the open ones cut, or hung (connections open, nothing passes). Nothing is posted meanwhile,
    and once it is back planbot carries on at the first message not yet in Slack, nothing twice."""
    if not on_postgres(database):
        pytest.skip("a database server is taken away here (SQLite is a file beside planbot)")
    log = tmp_path / "planbot.log"
    with relay(database) as db:
        processes.append(planbot(db.url, fake_slack, tmp_path, "planbot-a", log=log))
        wait_for_posts(fake_slack, 1)
        if fault == "refused":
            db.refuse()
        else:
            db.hang()
        time.sleep(2)  # a post already past its database calls may still land
        taken_at = len(digest_posts(fake_slack))
        time.sleep(REFUSED_SECONDS - 2)
        assert (taken_at, None) == (len(digest_posts(fake_slack)), processes[0].poll()), log.read_text()
        db.restore()
        total, duplicates, losses = counted(fake_slack, database, timeout=BACK_SECONDS + 60)
    print(f"{fault} {REFUSED_SECONDS:.0f} s after message {taken_at} of {total}: {duplicates} dup, {losses} lost")
    assert taken_at < total, "the database was taken away mid-digest"
    assert (0, 0) == (duplicates, losses)
