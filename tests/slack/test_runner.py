"""``planbot run`` and ``planbot serve --http``: they refuse clearly without tokens, and start with them."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack, FakeSocketMode
from support.processes import START_SECONDS, ctrl_c_as_in_a_terminal, free_port, interrupt, wait_until_healthy
from support.slash import CHANNEL_ID, SIGNING_SECRET, send_slash, slash_fields
from support.workspace import ADMIN, OWNER

from bot.cli import main
from bot.config import Settings
from bot.container import Container
from bot.http_server import Router
from bot.runtime import Runtime
from commands.plan_file import load_plan
from storage.plan_import import import_plan

SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL")


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No Slack variables and no .env to find them in."""
    for name in SLACK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


class TestMissingTokens:
    def test_run_names_both_tokens_and_the_alternatives(self, bare_environment, capsys) -> None:
        """`planbot run` with no tokens says which are missing and what else to try, and exits 2."""
        assert 2 == main(["run"])

        err = capsys.readouterr().err
        assert "needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (not set)" in err
        for alternative in ("planbot serve --http", "planbot console", "planbot demo"):
            assert alternative in err

    def test_run_names_only_the_missing_token(self, bare_environment, capsys) -> None:
        """With the bot token set, only the app-level token is reported missing."""
        bare_environment.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)

        assert 2 == main(["run"])

        assert "needs SLACK_APP_TOKEN (not set)" in capsys.readouterr().err

    def test_serve_http_needs_the_signing_secret(self, bare_environment, capsys) -> None:
        """`planbot serve --http` will not serve unsigned traffic: it names the signing secret and exits 2."""
        bare_environment.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)

        assert 2 == main(["serve", "--http", "--port", "0"])

        err = capsys.readouterr().err
        assert "needs SLACK_SIGNING_SECRET (not set)" in err
        assert "planbot run" in err


@pytest.fixture
def database(tmp_path: Path, sample_plan_path: Path) -> str:
    """A SQLite file brought to the newest migration with the sample plan loaded, as an admin would."""
    url = f"sqlite:///{tmp_path / 'planbot.db'}"
    container = Container.open(Settings(database_url=url))
    with container.unit_of_work() as repo:
        import_plan(repo, load_plan(sample_plan_path), actor="tests", at=container.clock())
    container.engine.dispose()
    return url


def start(
    args: list[str], database: str, fake_slack: FakeSlack, tmp_path: Path, log: Path | None = None
) -> subprocess.Popen[str]:
    """The installed command, as an operator starts it, with only the environment it documents;
    what it prints to stderr is piped, or written to ``log`` (for a process that logs a lot)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": database,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
    }
    script = Path(sys.executable).with_name("planbot")
    return subprocess.Popen(
        [str(script), *args],
        cwd=tmp_path,
        env=env,
        text=True,
        stderr=subprocess.PIPE if log is None else log.open("w"),
        preexec_fn=ctrl_c_as_in_a_terminal,
    )


@pytest.fixture
def stop_on_exit() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test started; any still running at the end are interrupted, then killed."""
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


class _StoppedWhenReady:
    """A waitress server stand-in that is interrupted, as by Ctrl+C, as soon as planbot is ready."""

    def __init__(self, router: Router) -> None:
        self.router = router

    def run(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while self.router.not_ready is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        raise KeyboardInterrupt

    def close(self) -> None:
        """Nothing to close: it never listened."""


@pytest.mark.parametrize(("flags", "schedulers"), [([], 1), (["--no-scheduler"], 0)])
def test_the_scheduler_starts_beside_slack_unless_told_not_to(
    database, fake_slack, bare_environment, monkeypatch, flags, schedulers
) -> None:
    """`planbot serve --http` starts the scheduler with the app; `--no-scheduler` leaves it to another process.

    The subprocess tests below start planbot with ``--no-scheduler``, so that a scheduler on the
    wall clock never competes with what they measure; this proves the default still starts it.
    """
    started: list[Runtime] = []
    monkeypatch.setattr(Runtime, "start_scheduler", lambda runtime: started.append(runtime))
    monkeypatch.setattr("bot.serve.http_server.create_http_server", lambda router, *_args: _StoppedWhenReady(router))
    monkeypatch.setattr(gc, "freeze", lambda: None)
    for name, value in (
        ("DATABASE_URL", database),
        ("SLACK_BOT_TOKEN", BOT_TOKEN),
        ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
        ("SLACK_API_URL", fake_slack.api_url),
    ):
        monkeypatch.setenv(name, value)

    assert 0 == main(["serve", "--http", "--port", "0", *flags])

    assert schedulers == len(started)
    for runtime in started:
        runtime.container.engine.dispose()


def serve_slack(
    database: str, fake_slack: FakeSlack, tmp_path: Path, stop_on_exit: list[subprocess.Popen[str]]
) -> tuple[subprocess.Popen[str], str]:
    """`planbot serve --http --no-scheduler` on a free port, once healthy; returns it and its Slack events URL."""
    port = free_port()
    process = start(
        ["serve", "--http", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"],
        database,
        fake_slack,
        tmp_path,
    )
    stop_on_exit.append(process)
    wait_until_healthy(f"http://127.0.0.1:{port}/healthz", process)
    return process, f"http://127.0.0.1:{port}/slack/events"


def test_serve_http_starts_answers_and_stops(database, fake_slack, tmp_path, stop_on_exit) -> None:
    """`planbot serve --http --port N` answers a signed /rag on N and stops cleanly on Ctrl+C."""
    process, url = serve_slack(database, fake_slack, tmp_path, stop_on_exit)

    answer = send_slash(
        url,
        "V9 green On track",
        user_id=OWNER.id,
        response_url=fake_slack.response_url("serve"),
    )

    assert 200 == answer.status
    assert "V9 updated" in fake_slack.wait_for("response")[0].params["text"]
    assert 0 == interrupt(process)[0]


def test_run_connects_over_socket_mode_and_stops(database, fake_slack, tmp_path, stop_on_exit) -> None:
    """`planbot run` opens Socket Mode with the app token, answers a /rag envelope and stops on Ctrl+C."""
    server = FakeSocketMode().start()
    fake_slack.socket_mode_url = server.url
    try:
        process = start(["run", "--no-scheduler"], database, fake_slack, tmp_path)
        stop_on_exit.append(process)
        assert server.connected.wait(START_SECONDS), "planbot run did not connect"

        payload = slash_fields("V9 amber Awaiting CPS", user_id=OWNER.id, response_url=fake_slack.response_url("run"))
        envelope_id = server.send("slash_commands", payload)

        assert envelope_id == server.next_ack(timeout=3.0)["envelope_id"]
        assert "V9 updated" in fake_slack.wait_for("response")[0].params["text"]
        assert 0 == interrupt(process)[0]
    finally:
        server.stop()


def children(process: subprocess.Popen[str]) -> list[int]:
    """The processes ``process`` started (Linux's /proc), waited for until the first appears."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        found = [int(pid) for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
        if found:
            return found
        time.sleep(0.05)
    return []


def gone(pid: int, timeout: float = 20.0) -> bool:
    """Whether process ``pid`` has ended (or is a zombie no one waits for) within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z"):
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


class TestSlackWorker:
    """`planbot serve --http` acknowledges in one process and does Slack's work in a child (``bot.slack.worker``)."""

    def rag(self, url: str, fake_slack: FakeSlack, text: str, name: str) -> str:
        answer = send_slash(url, text, user_id=OWNER.id, response_url=fake_slack.response_url(name))
        assert 200 == answer.status
        return fake_slack.wait_for("response", count=1, timeout=20)[-1].params["text"]

    def test_the_work_runs_in_a_child_that_ends_with_the_server(
        self, database, fake_slack, tmp_path, stop_on_exit
    ) -> None:
        """The reply comes from the worker process; Ctrl+C ends both, leaving no process behind."""
        process, url = serve_slack(database, fake_slack, tmp_path, stop_on_exit)
        [worker] = children(process)

        assert "V9 updated" in self.rag(url, fake_slack, "V9 green On track", "worker")

        assert 0 == interrupt(process)[0]
        assert gone(worker), "the worker outlived planbot serve"

    def test_a_command_handed_over_is_answered_though_planbot_stops(
        self, database, fake_slack, tmp_path, stop_on_exit
    ) -> None:
        """Ctrl+C straight after the acknowledgement: the worker finishes the command before planbot exits."""
        process, url = serve_slack(database, fake_slack, tmp_path, stop_on_exit)
        late = fake_slack.response_url("late")
        answer = send_slash(url, "V9 amber Awaiting CPS", user_id=OWNER.id, response_url=late)
        assert 200 == answer.status

        assert 0 == interrupt(process)[0]

        assert "V9 updated" in fake_slack.wait_for("response", timeout=1)[0].params["text"]

    def test_a_lost_worker_leaves_the_work_to_the_server(self, database, fake_slack, tmp_path, stop_on_exit) -> None:
        """If the worker dies, commands are still answered (by the server's own threads) and the log says why."""
        process, url = serve_slack(database, fake_slack, tmp_path, stop_on_exit)
        [worker] = children(process)
        os.kill(worker, signal.SIGKILL)
        assert gone(worker)

        assert "V9 updated" in self.rag(url, fake_slack, "V9 green Back on track", "after")

        code, err = interrupt(process)
        assert 0 == code
        assert "Slack's work now runs in this process" in err

    def test_a_killed_server_leaves_no_worker_behind(self, database, fake_slack, tmp_path, stop_on_exit) -> None:
        """A server killed outright (out of memory, kill -9): its worker notices and ends by itself."""
        process, _url = serve_slack(database, fake_slack, tmp_path, stop_on_exit)
        [worker] = children(process)

        process.kill()
        process.wait(timeout=10)

        assert gone(worker), "the worker outlived a killed planbot serve"

    def test_a_set_up_alert_raised_in_the_worker_reaches_each_admin_once(
        self, database, fake_slack, tmp_path, stop_on_exit
    ) -> None:
        """Two updates whose announcements Slack refuses (not_in_channel): each person is told, and the admin
        gets the fix once that day, though the worker runs no delivery engine."""
        fake_slack.emails[ADMIN.email] = ADMIN.id
        fake_slack.channel_failures[CHANNEL_ID] = {"error": "not_in_channel"}
        process, url = serve_slack(database, fake_slack, tmp_path, stop_on_exit)

        for n, text in enumerate(("V9 amber Waiting on the CJS review", "V9 green Review done")):
            send_slash(url, text, user_id=OWNER.id, response_url=fake_slack.response_url(f"refused-{n}"))
            # the update's reply, then what went wrong with its announcement
            reply = fake_slack.wait_for("response", 2 * (n + 1), timeout=20)[-1].params["text"]
            assert "Your update is saved, but I couldn't announce it" in reply
        assert 0 == interrupt(process)[0]

        to_admin = [p["text"] for p in fake_slack.posted if p["channel"] == f"D{ADMIN.id}"]
        assert 1 == len(to_admin)
        assert f"Invite @planbot to channel {CHANNEL_ID}" in to_admin[0]
