"""Teams round trip: how fast planbot answers a signed Teams message, against a bare Agents SDK app.

Starts ``planbot serve --http`` (waitress, 8 threads; Teams alone) on a SQLite file holding the sample
plan, and, as the floor, ``benchmarks/teams_bare_agent.py``: an aiohttp ``CloudAdapter`` and
``AgentApplication`` whose message handler only sends "ok". Each runs in its own process. This
process plays Microsoft: the fake Bot Connector from the tests (it records every reply and serves the
JWKS both apps verify inbound tokens against), a local HTTPS token authority that both apps' MSAL
gets outbound tokens from, and the clients. Personal-chat ``rag V9 green On track`` messages from the
sample plan's V9 owner, each with a Bot Framework-style signed token, are sent from 20 concurrent
clients (each on a kept-alive connection); request → HTTP answer and request → reply at the
connector (matched by the activity id the reply answers) are timed. The two apps alternate batches,
so both meet the same load. Everything stays on 127.0.0.1.

    python benchmarks/teams_roundtrip.py [--requests 400] [--clients 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
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
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # tests/support: the fake Bot Connector, token signer and authority

from support.fake_authority import FakeAuthority  # noqa: E402
from support.fake_teams import (  # noqa: E402
    APP_ID,
    OWNER,
    TENANT_ID,
    FakeBotConnector,
    TokenSigner,
    card_texts,
    personal_message,
)

from bot.config import Settings  # noqa: E402
from bot.container import Container  # noqa: E402
from commands.errors import APOLOGY  # noqa: E402
from commands.plan_file import load_plan  # noqa: E402
from storage.plan_import import import_plan  # noqa: E402

TEXT = "rag V9 green On track"
SECRET = "a-client-secret-for-the-benchmark"
WARM_UP = 20
ROUNDS = 5
ONE_AT_A_TIME = 50
START_SECONDS = 30.0
LEVEL_SECONDS = 120.0  # clients stop sending after this; the table then shows fewer requests
DRAIN_SECONDS = 60.0
WAIT_SECONDS = 30.0
MESSAGES_PATH = "/api/messages"
BACKLOG = 128
CONFIRMED = {"planbot": "V9 updated", "bare": "ok"}


@dataclass(frozen=True)
class Sent:
    """One activity: its id, when it left, how long the HTTP answer took, and the status."""

    activity_id: str
    started: float
    seconds: float
    status: int


@dataclass
class Timed:
    """What a batch measured: the HTTP answers and, matched to them, the replies at the connector."""

    sent: list[Sent]
    replies: list[float]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="activities per app under load (default 400)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    args = parser.parse_args()

    authority = FakeAuthority(APP_ID, SECRET).start()
    signer = TokenSigner()
    connector = FakeBotConnector(people={OWNER.user_id: OWNER}, jwks=signer.jwks()).start()
    connector.accepts = authority.issued.__contains__  # only tokens MSAL got from the authority
    # Each turn opens a new connection to the connector (the SDK makes a client session per turn); the
    # fake's listen backlog (socketserver's default, 5) overflows under 20 at once, and a dropped SYN
    # costs a 1 s retransmission, which is the fake's limit, not an app's. Microsoft's is not 5.
    connector._server.socket.listen(BACKLOG)
    load_before = os.getloadavg()
    try:
        with tempfile.TemporaryDirectory(prefix="planbot-teams-bench-") as tmp:
            env = environment(Path(tmp), authority, connector)
            load_sample_plan(env["DATABASE_URL"])
            table, verdict = measure(env, Path(tmp), connector, signer, args.clients, args.requests)
    finally:
        connector.stop()
        authority.stop()
    load_after = os.getloadavg()
    console = Console(width=180)
    console.print(table)
    console.print(verdict)
    console.print(
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after. planbot: waitress with 8 threads; bare: aiohttp; each in its own process. "
        "Clients, fake Bot Connector and token authority in this one."
    )
    return 0


def measure(
    env: dict[str, str], tmp: Path, connector: FakeBotConnector, signer: TokenSigner, clients: int, requests: int
) -> tuple[Table, str]:
    table = Table(
        title=f"Teams message round trip: {requests} signed activities per app from {clients} concurrent clients, "
        f"{ROUNDS} alternating rounds"
    )
    columns = (
        "clients",
        "app",
        "activities",
        "HTTP p50 ms",
        "HTTP p99 ms",
        "HTTP p99 / bare",
        "reply p50 ms",
        "reply p99 ms",
        "reply p99 / bare",
        "confirmed",
        "apologies",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "app" else "right")
    bare_command = [sys.executable, str(ROOT / "benchmarks" / "teams_bare_agent.py"), "{port}"]
    planbot_command = ["planbot", "serve", "--http", "--host", "127.0.0.1", "--port", "{port}"]
    with (
        started(bare_command, env, tmp / "bare.log") as bare_url,
        started(planbot_command, env, tmp / "planbot.log") as url,
    ):
        token = signer.token(connector.service_url)  # Teams reuses one token for many requests
        first_bare = send_all(bare_url, connector, token, 1, 1)
        first = send_all(url, connector, token, 1, 1)  # the roster lookup, the link to the plan's person
        table.add_row("1", "bare SDK app, first message", *row(connector, "bare", first_bare))
        table.add_row("1", "planbot, first message (roster lookup)", *row(connector, "planbot", first))
        send_all(bare_url, connector, token, 1, WARM_UP)
        send_all(url, connector, token, 1, WARM_UP)
        bare = Timed([], [])
        full = Timed([], [])
        for share in shares(requests, ROUNDS):
            extend(bare, send_all(bare_url, connector, token, clients, share))
            extend(full, send_all(url, connector, token, clients, share))
        table.add_row(str(clients), "bare SDK app", *row(connector, "bare", bare))
        table.add_row(str(clients), "planbot", *row(connector, "planbot", full, bare))
        alone_bare = Timed([], [])
        alone = Timed([], [])
        for _ in range(ONE_AT_A_TIME):
            extend(alone_bare, send_all(bare_url, connector, token, 1, 1))
            extend(alone, send_all(url, connector, token, 1, 1))
        table.add_row("1", "bare SDK app, one at a time", *row(connector, "bare", alone_bare))
        table.add_row("1", "planbot, one at a time", *row(connector, "planbot", alone, alone_bare))
    return table, verdict(full, bare)


def environment(tmp: Path, authority: FakeAuthority, connector: FakeBotConnector) -> dict[str, str]:
    """What an operator would set for Teams alone, with the authority and the keys on this machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "PLANBOT_"))}
    return (
        env
        | authority.trust_env()
        | {
            "DATABASE_URL": f"sqlite:///{tmp / 'planbot.db'}",
            "PLANBOT_TEAMS_APP_ID": APP_ID,
            "PLANBOT_TEAMS_APP_PASSWORD": SECRET,
            "PLANBOT_TEAMS_TENANT_ID": TENANT_ID,
            "PLANBOT_TEAMS_AUTHORITY": authority.url,
            "PLANBOT_TEAMS_JWKS_URL": connector.jwks_url,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )


def load_sample_plan(database_url: str) -> None:
    """The database at the newest migration with the sample plan, as ``planbot plan import`` leaves it."""
    container = Container.open(Settings(database_url=database_url))
    with container.unit_of_work() as repo:
        plan = load_plan(ROOT / "bot" / "data" / "sample-plan.yaml")
        import_plan(repo, plan, actor="benchmark", at=container.clock())
    container.engine.dispose()


@contextmanager
def started(command: list[str], env: dict[str, str], log: Path) -> Iterator[str]:
    """Start a server process on a free port and wait for /healthz; yields its messages URL, and at the
    end interrupts it (Ctrl+C)."""
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [part.format(port=port) for part in command], env=env, cwd=ROOT, stdout=output, stderr=output
        )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/healthz", process, log)
        yield f"http://127.0.0.1:{port}{MESSAGES_PATH}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=WAIT_SECONDS)
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
    raise SystemExit(f"{url} did not answer within {START_SECONDS}s; see {log}:\n{log.read_text()}")


def send_all(url: str, connector: FakeBotConnector, token: str, clients: int, total: int) -> Timed:
    """``total`` activities from ``clients`` threads, each on its own kept-alive connection, all opened
    (and every body built) before the first is sent, so neither is timed; then every reply awaited."""
    results: list[Sent] = []
    lock = threading.Lock()
    host, port = url.split("/")[2].split(":")
    path = "/" + url.split("/", 3)[3]
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    counts = [count for count in shares(total, clients) if count]
    ready = threading.Barrier(len(counts), timeout=WAIT_SECONDS)
    deadline = time.monotonic() + LEVEL_SECONDS

    def client(count: int) -> None:
        activities = [personal_message(OWNER, TEXT, connector.service_url) for _ in range(count)]
        bodies = [(a["id"], json.dumps(a).encode()) for a in activities]
        connection = http.client.HTTPConnection(host, int(port), timeout=WAIT_SECONDS)
        try:
            connection.connect()
            ready.wait()
            for activity_id, body in bodies:
                if time.monotonic() > deadline:
                    return
                started_at = time.perf_counter()
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                seconds = time.perf_counter() - started_at
                with lock:
                    results.append(Sent(activity_id, started_at, seconds, response.status))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(count,)) for count in counts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=LEVEL_SECONDS + WAIT_SECONDS)
    return Timed(results, await_replies(connector, results))


def await_replies(connector: FakeBotConnector, sent: list[Sent]) -> list[float]:
    """Request → reply at the connector for each activity, once every reply has arrived (or the drain
    time is up). A reply is posted to ``…/v3/conversations/{conversation}/activities/{activity id}``."""
    wanted = {s.activity_id: s.started for s in sent}
    deadline = time.monotonic() + DRAIN_SECONDS
    arrived: dict[str, float] = {}
    while time.monotonic() < deadline:
        arrived = {c.path.rsplit("/", 1)[-1]: c.at for c in connector.sent()}
        if wanted.keys() <= arrived.keys():
            break
        time.sleep(0.01)
    return [arrived[key] - started_at for key, started_at in wanted.items() if key in arrived]


def answered(connector: FakeBotConnector, sent: list[Sent], expected: str) -> tuple[int, int]:
    """How many replies to these activities say ``expected`` (planbot: the update stored), and how many
    are planbot's apology."""
    ids = {s.activity_id for s in sent}
    texts = [card_texts(c.body) for c in connector.sent() if c.path.rsplit("/", 1)[-1] in ids]
    return sum(1 for t in texts if expected in t), sum(1 for t in texts if APOLOGY in t)


def extend(into: Timed, batch: Timed) -> None:
    into.sent += batch.sent
    into.replies += batch.replies


def row(connector: FakeBotConnector, app: str, timed: Timed, bare: Timed | None = None) -> tuple[str, ...]:
    """A table row's figures; ``bare`` (the floor's batch) adds the ratios of the p99s."""
    ok = [s.seconds for s in timed.sent if s.status == 202]
    failed = len(timed.sent) - len(ok)
    missing = len(timed.sent) - len(timed.replies)
    count = f"{len(ok)}" + (f" ({failed} not 202)" if failed else "") + (f" ({missing} no reply)" if missing else "")
    http_p99, reply_p99 = p99_of(ok), p99_of(timed.replies)
    if bare is None:
        ratios = ("", "")
    else:
        bare_ok = [s.seconds for s in bare.sent if s.status == 202]
        ratios = (f"{http_p99 / p99_of(bare_ok):.2f}×", f"{reply_p99 / p99_of(bare.replies):.2f}×")
    return (
        count,
        ms(median_of(ok)),
        ms(http_p99),
        ratios[0],
        ms(median_of(timed.replies)),
        ms(reply_p99),
        ratios[1],
        *(str(n) for n in answered(connector, timed.sent, CONFIRMED[app])),
    )


def verdict(full: Timed, bare: Timed) -> str:
    """The issue's targets under load: HTTP p99 at most 1.5× the bare app's, the reply's p99 under 1 s."""
    ratio = p99_of([s.seconds for s in full.sent if s.status == 202]) / p99_of(
        [s.seconds for s in bare.sent if s.status == 202]
    )
    reply = p99_of(full.replies)
    return (
        f"Target p99 ≤ 1.5× bare: {'met' if ratio <= 1.5 else 'missed'} ({ratio:.2f}×); "
        f"reply p99 under 1 s: {'met' if reply < 1.0 else 'missed'} ({ms(reply)} ms)."
    )


def shares(total: int, clients: int) -> list[int]:
    return [total // clients + (1 if n < total % clients else 0) for n in range(clients)]


def p99_of(values: list[float]) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[98] if values else float("nan")


def median_of(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


if __name__ == "__main__":
    sys.exit(main())
