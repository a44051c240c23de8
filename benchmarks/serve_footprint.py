"""A lean server: how long ``planbot serve --http`` takes to be ready and how much memory it holds idle.

Starts the real command N times with both platforms configured (Slack against the tests' fake Web API,
Teams against the tests' fake Bot Connector and token authority) and the scheduler on (DBOS, its jobs
file beside planbot's SQLite file holding the sample plan), and, as the floor in the same run, the bare
bolt app ``slash_roundtrip.py`` builds (planbot's bolt set-up whose ``/rag`` only acknowledges, served by
the same waitress server). For each start: process start → first 200 on ``/healthz`` (wall time, and the
process's CPU time to that point), then, after ``--idle`` seconds of no traffic, the server's resident
memory (VmRSS) and the memory of the server and every process it started (Slack's worker), each page
counted once (the sum of their PSS: pages the worker shares with the server, forked after the
imports, are split between them rather than counted twice).
The targets (issue 14, item 6) are ready within 1 s and idle under 150 MiB.

    python benchmarks/serve_footprint.py [--starts 5] [--idle 3]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # tests/support: the fake Slack, Bot Connector and token authority
sys.path.insert(0, str(ROOT / "benchmarks"))

from slash_roundtrip import environment as slack_environment  # noqa: E402
from slash_roundtrip import free_port, load_sample_plan  # noqa: E402
from support.fake_authority import FakeAuthority  # noqa: E402
from support.fake_slack import FakeSlack  # noqa: E402
from support.fake_teams import APP_ID, TENANT_ID, FakeBotConnector  # noqa: E402

SECRET = "a-client-secret-for-the-benchmark"
READY_SECONDS = 30.0
POLL_SECONDS = 0.005
STOP_SECONDS = 30.0
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Start:
    """One process start: seconds to the first 200 on /healthz, CPU seconds by then, idle RSS of the
    server and idle PSS of the server and its children, in MiB."""

    ready: float
    cpu: float
    rss: float
    total: float


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="starts of each process (default 5)")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds idle before reading RSS (default 3)")
    args = parser.parse_args()
    slack = FakeSlack().start()
    authority = FakeAuthority(APP_ID, SECRET).start()
    connector = FakeBotConnector().start()
    load_before = os.getloadavg()
    try:
        with tempfile.TemporaryDirectory(prefix="planbot-footprint-") as tmp:
            env = environment(Path(tmp), slack, authority, connector)
            load_sample_plan(env["DATABASE_URL"])
            planbot = [sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1", "--port", "{port}"]
            bare = [sys.executable, str(ROOT / "benchmarks" / "slash_roundtrip.py"), "--serve-bare", "{port}"]
            runs = {"bare bolt": [], "planbot, Slack + Teams + scheduler": []}
            for _ in range(args.starts):  # alternate, so both see the same machine
                runs["bare bolt"].append(start(bare, env, args.idle))
                runs["planbot, Slack + Teams + scheduler"].append(start(planbot, env, args.idle))
    finally:
        connector.stop()
        authority.stop()
        slack.stop()
    load_after = os.getloadavg()
    Console(width=130).print(table(runs, args.idle))
    print(
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after. Targets: ready within 1 s, idle under 150 MiB (all processes)."
    )
    return 0


def environment(tmp: Path, slack: FakeSlack, authority: FakeAuthority, connector: FakeBotConnector) -> dict[str, str]:
    """Slack as ``slash_roundtrip.py`` sets it, plus Teams as ``teams_roundtrip.py`` does, scheduler on."""
    env = {k: v for k, v in slack_environment(tmp, slack).items() if not k.startswith("PLANBOT_")}
    return (
        env
        | authority.trust_env()
        | {
            "PLANBOT_TEAMS_APP_ID": APP_ID,
            "PLANBOT_TEAMS_APP_PASSWORD": SECRET,
            "PLANBOT_TEAMS_TENANT_ID": TENANT_ID,
            "PLANBOT_TEAMS_AUTHORITY": authority.url,
            "PLANBOT_TEAMS_JWKS_URL": connector.jwks_url,
            "PLANBOT_PROCESS_ID": "footprint",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
    )


def start(command: list[str], env: dict[str, str], idle: float) -> Start:
    """Start the process, time it to its first 200 on /healthz, wait ``idle`` seconds, read its RSS, stop it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/healthz"
    began = time.perf_counter()
    process = subprocess.Popen(
        [part.format(port=port) for part in command],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        ready = until_healthy(url, process) - began
        cpu = cpu_seconds(process.pid)
        time.sleep(idle)
        return Start(
            ready, cpu, rss_mib(process.pid), sum(pss_mib(pid) for pid in (process.pid, *children(process.pid)))
        )
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def until_healthy(url: str, process: subprocess.Popen[bytes]) -> float:
    """When /healthz first answered 200 (a 503 "not ready" or a refused connection is polled again)."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited early:\n{process.stderr.read().decode() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter()
        except (urllib.error.HTTPError, OSError):
            time.sleep(POLL_SECONDS)
    raise SystemExit(f"{url} did not answer 200 within {READY_SECONDS}s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used (from /proc, Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS in /proc (Linux only)")


def pss_mib(pid: int) -> float:
    """The process's proportional set size: its private pages plus its share of pages it shares."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no Pss in /proc (Linux only)")


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def table(runs: dict[str, list[Start]], idle: float) -> Table:
    result = Table(title=f"serve --http: start → first 200 on /healthz, and memory after {idle:g} s idle (medians)")
    columns = ("process", "starts", "ready ms", "ready max ms", "CPU to ready ms", "idle RSS MiB", "idle PSS, all MiB")
    for column in columns:
        result.add_column(column, justify="left" if column == "process" else "right")
    for name, starts in runs.items():
        result.add_row(
            name,
            str(len(starts)),
            f"{statistics.median(s.ready for s in starts) * 1000:.0f}",
            f"{max(s.ready for s in starts) * 1000:.0f}",
            f"{statistics.median(s.cpu for s in starts) * 1000:.0f}",
            f"{statistics.median(s.rss for s in starts):.1f}",
            f"{statistics.median(s.total for s in starts):.1f}",
        )
    return result


if __name__ == "__main__":
    sys.exit(main())
