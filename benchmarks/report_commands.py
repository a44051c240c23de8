"""Whole ``planbot`` report commands as a person runs them: wall and CPU time of each process, start
to exit, output to /dev/null (rich then writes lines, as to a pipe).

    DATABASE_URL=sqlite:////tmp/national.db python benchmarks/report_commands.py [--runs 12] [--warm-up 2]

The database is ``benchmarks/national_db.py``'s (3,000 actions, 500,000 updates); reports are as of
16 January 2019, the working day after 2018/19 Q3's cut-off. CPU is the process's own (user and
system, from ``RUSAGE_CHILDREN``), so on PostgreSQL the server's work shows only in wall time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import time

from rich.console import Console
from rich.table import Table

AS_OF = ("--as-of", "2019-01-16")
COMMANDS = (
    ("--help",),
    ("report", "digest", *AS_OF),
    ("report", "quarter", "2018/19 Q3", *AS_OF),
    ("report", "summary", "Victims", *AS_OF),
)


def timed(argv: list[str]) -> tuple[float, float]:
    """One process: (wall seconds, CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--warm-up", type=int, default=2)
    args = parser.parse_args()
    planbot = shutil.which("planbot")
    if planbot is None or "DATABASE_URL" not in os.environ:
        raise SystemExit("needs the installed planbot on PATH and DATABASE_URL naming the national database")
    table = Table(title=f"whole processes, medians of {args.runs - args.warm_up} after {args.warm_up} warm-up")
    for column in ("command", "wall ms", "min–max ms", "CPU ms"):
        table.add_column(column, justify="left" if column == "command" else "right")
    load = os.getloadavg()[0]
    for command in COMMANDS:
        runs = [timed([planbot, *command]) for _ in range(args.runs)][args.warm_up :]
        walls, cpus = [w * 1000 for w, _ in runs], [c * 1000 for _, c in runs]
        table.add_row(
            "planbot " + " ".join(command),
            f"{statistics.median(walls):.0f}",
            f"{min(walls):.0f}–{max(walls):.0f}",
            f"{statistics.median(cpus):.0f}",
        )
    Console().print(table)
    print(f"{os.cpu_count()} CPUs; load average {load:.2f} before, {os.getloadavg()[0]:.2f} after.")


if __name__ == "__main__":
    main()
