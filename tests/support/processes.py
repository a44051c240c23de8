"""planbot as a whole process, as an operator runs it: start it, wait until it answers, stop it, and
read back what it recorded."""

from __future__ import annotations

import datetime as dt
import signal
import socket
import subprocess
import time
import urllib.request

from storage.db import make_engine, session_scope
from storage.models import JobRun
from storage.repository import PlanRepository

START_SECONDS = 30.0


def ctrl_c_as_in_a_terminal() -> None:
    """Give the child the default SIGINT handling an operator's terminal gives it.

    A test run started in the background (``pytest &`` from a script) inherits SIGINT ignored,
    and Python then never turns Ctrl+C into KeyboardInterrupt, so planbot could not be stopped.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Ctrl+C, as an operator stops planbot; returns the exit code and what it printed to stderr."""
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    return process.returncode, err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"planbot exited early: {process.stderr.read() if process.stderr else ''}"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {START_SECONDS}s")


def sent_digests(database: str, count: int, timeout: float) -> list[JobRun]:
    """The weekly digest's records once ``count`` of them are sent (one per channel), read from the
    database the processes share; fails after ``timeout`` seconds."""
    eng = make_engine(database)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with session_scope(eng) as session:
                found = [
                    r
                    for r in PlanRepository(session).job_runs_since_any(dt.datetime(2000, 1, 1))
                    if r.job == "weekly_digest"
                ]
                if len(found) == count and all(r.state == "sent" for r in found):
                    for row in found:
                        session.expunge(row)
                    return found
            assert time.monotonic() < deadline, f"the digest was not delivered: {found}"
            time.sleep(0.1)
    finally:
        eng.dispose()


def parts_built(database: str, workflow_id: str) -> list[object]:
    """What the delivery engine recorded a channel report's build step as (its messages or cards),
    read from the engine's tables for the run ``workflow_id``."""
    from dbos import DBOSClient

    from bot.engine import SYSTEM_SCHEMA, system_database

    url, schema = system_database(database)
    client = DBOSClient(system_database_url=url, dbos_system_schema=schema or SYSTEM_SCHEMA)
    try:
        steps = client.list_workflow_steps(workflow_id)
    finally:
        client.destroy()
    [built] = [s["output"] for s in steps if s["function_name"] == "planbot.build"]
    return list(built)
