"""Slash-command round trip: how fast planbot acknowledges ``/rag`` over HTTP, against a bare bolt app.

Starts ``planbot serve --http`` (waitress, 8 threads) on a SQLite file holding the sample plan, and, as
the floor to compare with, a bolt app set up by the same code whose ``/rag`` only acknowledges, served
the same way. Each runs in its own process, as it would in production; this process plays Slack's
clients, and a process of its own plays Slack's Web API (the tests' fake), so that the replies planbot
posts are not received on the interpreter that times the next acknowledgement. Signed
``/rag V9 green On track`` commands are sent from 1 and then 20 concurrent clients (each on a
kept-alive connection) and request → HTTP 200 is timed; for planbot, request → reply at response_url
(the whole job: identify, parse, store, reply, announce) is timed too, under that load and one
command at a time. Everything stays on 127.0.0.1.

    python benchmarks/slash_roundtrip.py [--requests 1000] [--levels 1,20]
"""

from __future__ import annotations

import argparse
import gc
import http.client
import itertools
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from rich.console import Console
from rich.table import Table
from slack_bolt import Ack, App

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # tests/support: the fake Slack server and signed requests the tests use

from support.fake_slack import APP_TOKEN, BOT_TOKEN, Call, FakeSlack, SlackUser  # noqa: E402
from support.slash import SIGNING_SECRET, post, signed_headers, slash_fields  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.container import Container  # noqa: E402
from bot.slack.app import build_bolt_app  # noqa: E402
from bot.slack.runner import create_http_server  # noqa: E402
from commands.plan_file import load_plan  # noqa: E402
from storage.plan_import import import_plan  # noqa: E402

OWNER = SlackUser("U0OLLIE001", "Ollie Kerr", "ollie.kerr@example.org")
COMMAND = "V9 green On track"
WARM_UP = 20
ROUNDS = 5
ONE_AT_A_TIME = 50
START_SECONDS = 30.0
LEVEL_SECONDS = 120.0  # clients stop sending after this; the table then shows fewer requests
DRAIN_SECONDS = 180.0
WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Sent:
    """One request: its response_url key, when it left, how long the 200 took, and the status."""

    key: str
    started: float
    seconds: float
    status: int


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per app and level (default 1000)")
    parser.add_argument("--levels", default="1,20", help="concurrent clients, comma-separated (default 1,20)")
    parser.add_argument("--serve-bare", metavar="PORT", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare is not None:
        return serve_bare(args.serve_bare)
    levels = [int(level) for level in args.levels.split(",")]

    fake = RemoteFakeSlack()
    try:
        with tempfile.TemporaryDirectory(prefix="planbot-bench-") as tmp:
            env = environment(Path(tmp), fake)
            load_sample_plan(env["DATABASE_URL"])
            table = measure(env, Path(tmp), fake, levels, args.requests)
    finally:
        fake.stop()
    console = Console(width=130)
    console.print(table)
    console.print(
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; servers: waitress with 8 threads in their own "
        "process; the clients in this one; the fake Slack Web API in another."
    )
    return 0


class RemoteFakeSlack:
    """The tests' fake Slack Web API in a process of its own, read from here through a pipe.

    ``at`` on each call is ``time.perf_counter()`` in that process: Linux's monotonic clock, which
    this process reads too, so request → reply is still one clock's difference.
    """

    def __init__(self) -> None:
        self._here, there = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("fork").Process(target=_serve_fake, args=(there,), daemon=True)
        self._process.start()
        self.base_url: str = self._here.recv()
        self._lock = threading.Lock()

    api_url = FakeSlack.api_url
    response_url = FakeSlack.response_url

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            self._here.send(method)
            calls: list[Call] = self._here.recv()
        return calls

    def wait_for(self, method: str, count: int, timeout: float) -> list[Call]:
        deadline = time.monotonic() + timeout
        while len(found := self.calls_to(method)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return found

    def stop(self) -> None:
        with self._lock:
            self._here.send(None)
        self._process.join(timeout=WAIT_SECONDS)


def _serve_fake(pipe: Connection) -> None:
    """(In the fake's process.) Serve the fake Slack and answer what the benchmark asks of it."""
    fake = FakeSlack(users={OWNER.id: OWNER}).start()
    pipe.send(fake.base_url)
    while (method := pipe.recv()) is not None:
        pipe.send([Call(c.method, c.path, _text_only(c.params), {}, c.at) for c in fake.calls_to(method)])
    fake.stop()


def _text_only(params: dict[str, Any]) -> dict[str, Any]:
    return {"text": params.get("text", "")}


def measure(env: dict[str, str], tmp: Path, fake: RemoteFakeSlack, levels: list[int], requests: int) -> Table:
    """Both servers run side by side; each level alternates batches between them, and planbot's replies
    are awaited after each batch, so neither app is measured while the other is still busy."""
    table = Table(title=f"/rag over HTTP: {requests} signed requests per app and level, {ROUNDS} alternating rounds")
    columns = (
        "clients",
        "app",
        "requests",
        "200 median ms",
        "200 p99 ms",
        "p99 / bare",
        "reply median ms",
        "apologies",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "app" else "right")
    bare_command = [sys.executable, __file__, "--serve-bare", "{port}"]
    planbot_command = ["planbot", "serve", "--http", "--host", "127.0.0.1", "--port", "{port}"]
    with (
        started(bare_command, env, tmp / "bare.log") as bare_url,
        started(planbot_command, env, tmp / "planbot.log") as url,
    ):
        send_all(bare_url, fake, 1, WARM_UP)
        await_replies(fake, send_all(url, fake, 1, WARM_UP))  # the first command looks the user up
        for clients in levels:
            bare: list[Sent] = []
            full: list[Sent] = []
            replies: list[float] = []
            for share in shares(requests, ROUNDS):
                bare += send_all(bare_url, fake, clients, share)
                batch = send_all(url, fake, clients, share)
                full += batch
                replies += await_replies(fake, batch)
                fake.wait_for("chat.postMessage", count=len(fake.calls_to("response")), timeout=DRAIN_SECONDS)
            table.add_row(str(clients), "bare bolt", *figures(bare), "", "", "")
            ratio = f"{p99(full) / p99(bare):.2f}×"
            table.add_row(str(clients), "planbot", *figures(full), ratio, ms(median_of(replies)), str(apologies(fake)))
        alone = [one_command(url, fake) for _ in range(ONE_AT_A_TIME)]
    table.add_row(
        "1", "planbot, one at a time", str(len(alone)), "", "", "", ms(median_of(alone)), str(apologies(fake))
    )
    return table


def environment(tmp: Path, fake: FakeSlack | RemoteFakeSlack) -> dict[str, str]:
    """What an operator would set, pointing Slack's Web API at the fake."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    return env | {
        "DATABASE_URL": f"sqlite:///{tmp / 'planbot.db'}",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def load_sample_plan(database_url: str) -> None:
    """The database at the newest migration with the sample plan, as ``planbot plan import`` leaves it."""
    container = Container.open(Settings(database_url=database_url))
    with container.unit_of_work() as repo:
        plan = load_plan(ROOT / "bot" / "data" / "sample-plan.yaml")
        import_plan(repo, plan, actor="benchmark", at=container.clock())
    container.engine.dispose()


def serve_bare(port: int) -> int:
    """(In the server process.) planbot's bolt set-up with a /rag that only acknowledges."""
    app: App = build_bolt_app(Settings.from_env())

    def acknowledge(ack: Ack) -> None:
        ack()

    app.command("/rag")(acknowledge)
    gc.freeze()  # as planbot's runner does
    server = create_http_server(app, "127.0.0.1", port, SIGNING_SECRET)
    try:
        server.run()
    except KeyboardInterrupt:
        server.close()
    return 0


@contextmanager
def started(command: list[str], env: dict[str, str], log: Path) -> Iterator[str]:
    """Start a server process on a free port and wait for /healthz; yields its events URL, and at the
    end interrupts it (Ctrl+C) and waits for it to finish its background work."""
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [part.format(port=port) for part in command], env=env, cwd=ROOT, stdout=output, stderr=output
        )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/healthz", process, log)
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=DRAIN_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=WAIT_SECONDS)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early; see {log}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {START_SECONDS}s; see {log}")


_keys = itertools.count()


def send_all(url: str, fake: RemoteFakeSlack, clients: int, total: int) -> list[Sent]:
    """``total`` commands from ``clients`` threads, each on its own kept-alive connection, all opened
    before the first command is sent (so connecting is not timed)."""
    results: list[Sent] = []
    lock = threading.Lock()
    host, port = url.split("/")[2].split(":")
    ready = threading.Barrier(clients, timeout=WAIT_SECONDS)
    deadline = time.monotonic() + LEVEL_SECONDS

    def client(count: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=WAIT_SECONDS)
        try:
            connection.connect()
            ready.wait()
            for _ in range(count):
                if time.monotonic() > deadline:
                    return
                key, body = command(fake)
                started_at = time.perf_counter()
                answer = post(url, body, signed_headers(body), connection)
                with lock:
                    results.append(Sent(key, started_at, answer.seconds, answer.status))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(share,)) for share in shares(total, clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=LEVEL_SECONDS + WAIT_SECONDS)
    return results


def command(fake: RemoteFakeSlack) -> tuple[str, str]:
    key = f"bench-{next(_keys)}"
    return key, urlencode(slash_fields(COMMAND, user_id=OWNER.id, response_url=fake.response_url(key)))


def one_command(url: str, fake: RemoteFakeSlack) -> float:
    """Request → reply at response_url for a single command on an idle server."""
    key, body = command(fake)
    started_at = time.perf_counter()
    post(url, body, signed_headers(body))
    return await_replies(fake, [Sent(key, started_at, 0.0, 200)])[0]


def shares(total: int, clients: int) -> list[int]:
    return [total // clients + (1 if n < total % clients else 0) for n in range(clients)]


def await_replies(fake: RemoteFakeSlack, sent: list[Sent]) -> list[float]:
    """Request → reply at response_url, once every reply has arrived (or the drain time is up)."""
    wanted = {s.key: s.started for s in sent}
    deadline = time.monotonic() + DRAIN_SECONDS
    arrived: dict[str, float] = {}
    while time.monotonic() < deadline:
        arrived = {c.path.rsplit("/", 1)[-1]: c.at for c in fake.calls_to("response")}
        if wanted.keys() <= arrived.keys():
            break
        time.sleep(0.05)
    return [arrived[key] - started_at for key, started_at in wanted.items() if key in arrived]


def apologies(fake: RemoteFakeSlack) -> int:
    """Replies so far that say planbot failed (the work went wrong after the acknowledgement)."""
    return sum(1 for call in fake.calls_to("response") if "something went wrong" in call.params.get("text", ""))


def figures(sent: list[Sent]) -> tuple[str, str, str]:
    ok = [s.seconds for s in sent if s.status == 200]
    failed = len(sent) - len(ok)
    count = f"{len(ok)}" + (f" ({failed} failed)" if failed else "")
    return count, ms(median_of(ok)), ms(p99_of(ok))


def p99(sent: list[Sent]) -> float:
    return p99_of([s.seconds for s in sent if s.status == 200])


def p99_of(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98] if len(values) > 1 else float("nan")


def median_of(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


if __name__ == "__main__":
    sys.exit(main())
