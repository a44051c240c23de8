"""The Panel appendix as a person gets it: whole `planbot report panel` processes, each format.

Builds the national dataset (benchmarks/reports_national.py's generator) at each plan size in a
SQLite file, freezes every quarter from the plan's first to 2018/19 Q3 (as the scheduler does at
each cut-off; the status-share chart reads an unfrozen quarter's updates live), then runs
``planbot report panel --quarter "2018/19 Q3" --format F`` as a separate process, several times per
format, recording wall time, that process's peak resident set size (``wait4``'s ``ru_maxrss``) and
its CPU time (user and system: on a shared machine the steadier figure, as it leaves out waiting for
a core).
The floor, in the same run on the same data, is the CSV export of the same rows: the same process
start, the same reads of the frozen quarter, the cheapest writer, so "over the floor" is what the
format's writer (and, for the formats that hold images, the charts) adds. Figures are medians.

A frozen quarter's charts are drawn once and kept (``bot.exports.kept_charts``): by the child
process ``planbot run``/``serve`` start right after the scheduler's freeze (``bot.chart_keeper``), or
else by the first export. So each format that holds images is measured twice: "(charts not kept)",
with the kept charts deleted before every run, as an officer waits when no scheduler froze the
quarter (a database only ever used from the terminal, or a keeper that failed); and plain, every
export once the charts are kept.

    python benchmarks/panel_files.py [--actions 300 3000 10000] [--formats docx xlsx] [--updates 100000] [--runs 3]
                                     [--before TREE]

``--before TREE`` runs every format (the floor too) a second time, interleaved, with ``PYTHONPATH``
set to TREE: a copy of older code (``git archive COMMIT | tar -x -C TREE``), on the same data.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from reports_national import AS_OF, QUARTER, database, generate
from rich.console import Console
from rich.table import Table
from sqlalchemy import delete
from sqlalchemy.engine import Engine

from commands.periods import Quarter
from commands.report_builders import freeze_if_cut_off_passed
from storage.db import session_scope
from storage.models import PanelChart
from storage.repository import PlanRepository

FLOOR = "csv"
IMAGE_FORMATS = ("docx", "html", "md")
FIRST = " (charts not kept)"
# The generated plan runs from 1 April 2016 (reports_national.generate).
FIRST_QUARTER = Quarter(2016, 1)
TARGETS = {
    ("docx", 3000): (2.0, 200),
    ("docx", 10000): (6.0, None),
    ("xlsx", 3000): (2.0, 200),
    ("xlsx", 10000): (6.0, None),
}
PLANBOT = Path(sys.executable).with_name("planbot")


class Run(NamedTuple):
    wall: float
    rss_mib: float
    cpu: float


def run_once(database_url: str, fmt: str, output: Path, code: Path | None = None) -> Run:
    """Wall seconds, peak RSS and CPU seconds of one whole export process (of the code in ``code``
    when given, else of this checkout's)."""
    output.unlink(missing_ok=True)
    command = [str(PLANBOT), "report", "panel", "--quarter", QUARTER.label, "--format", fmt, "--output", str(output),
               "--as-of", "2019-01-16"]  # fmt: skip
    env = {**os.environ, "DATABASE_URL": database_url}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0 or not output.exists():
        raise SystemExit(
            f"planbot report panel --format {fmt} failed: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return Run(elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def forget_charts(engine: Engine) -> None:
    """Delete every kept chart, so the next export of a frozen quarter draws its charts again."""
    with session_scope(engine) as session:
        session.execute(delete(PanelChart))


def older_copy(engine: Engine, code: Path) -> str:
    """A copy of the benchmark's SQLite database as the older code in ``code`` keeps one: only the
    tables its models have, at its own newest migration, so it neither refuses a revision it does
    not know nor migrates anything while it is timed."""
    source = Path(engine.url.database or "")
    copy = source.with_name(f"older-{source.name}")
    shutil.copyfile(source, copy)
    asked = (
        "import json, storage.models; from sqlmodel import SQLModel; from storage.migrate import shipped_head; "
        "print(json.dumps([shipped_head(), sorted(SQLModel.metadata.tables)]))"
    )
    env = {**os.environ, "PYTHONPATH": str(code)}
    found = subprocess.run([sys.executable, "-c", asked], env=env, capture_output=True, text=True, check=True)
    head, tables = json.loads(found.stdout)
    with sqlite3.connect(copy) as database:
        names = [row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in set(names) - {*tables, "alembic_version"} - {n for n in names if n.startswith("sqlite_")}:
            database.execute(f'DROP TABLE "{name}"')
        database.execute("UPDATE alembic_version SET version_num = ?", (head,))
    return f"sqlite:///{copy}"


def verdict(fmt: str, actions: int, wall: float, rss: float) -> str:
    """The issue's target for this format and size, and whether this run met it."""
    seconds, mib = TARGETS.get((fmt, actions), (None, None))
    if seconds is None:
        return ""
    met = wall < seconds and (mib is None or rss < mib)
    return f"< {seconds} s" + (f", < {mib} MiB" if mib else "") + (": met" if met else ": not met")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, nargs="+", default=[300, 3000, 10000])
    parser.add_argument("--formats", nargs="+", default=["docx", "xlsx"], choices=("docx", "xlsx", "html", "md"))
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a tree of older code to run beside this one")
    args = parser.parse_args()
    trees: dict[str, Path | None] = {"": None} | ({" (before)": args.before.resolve()} if args.before else {})
    out = Console()
    table = Table(
        title=f"planbot report panel, whole process, median of {args.runs} ({args.updates:,} updates, SQLite)"
    )
    columns = ("actions", "format", "wall s", "CPU s", "peak RSS MiB", "file KiB", "over floor", "over floor MiB")
    for column in (*columns, "target"):
        table.add_column(column, justify="left" if column in ("format", "target") else "right")
    with tempfile.TemporaryDirectory() as folder:
        for actions in args.actions:
            work = Path(folder) / str(actions)
            work.mkdir()
            with database("sqlite", work) as engine:
                generate(engine, actions, args.updates, out)
                with session_scope(engine) as session:
                    quarter = FIRST_QUARTER
                    while quarter <= QUARTER:
                        freeze_if_cut_off_passed(PlanRepository(session), quarter, AS_OF)
                        quarter = quarter.next()
                engine.dispose()
                urls = {
                    label: str(engine.url) if code is None else older_copy(engine, code)
                    for label, code in trees.items()
                }
                # Run by run, each format beside the floor (and the older code), so that all meet the same load.
                # A first export (charts drawn and kept) goes just before the exports that embed them.
                variants = [
                    (fmt, label)
                    for fmt in (FLOOR, *args.formats)
                    for label in ([FIRST] if fmt in IMAGE_FORMATS else []) + list(trees)
                ]
                runs: dict[tuple[str, str], list[Run]] = {variant: [] for variant in variants}
                load = os.getloadavg()[0]
                for _ in range(args.runs):
                    for fmt, label in runs:
                        if label == FIRST:
                            forget_charts(engine)
                        code, url = trees.get(label), urls.get(label, urls[""])
                        runs[fmt, label].append(run_once(url, fmt, work / f"appendix.{fmt}", code))
            out.print(f"  {actions:,} actions: load average {load:.1f} before the runs, {os.getloadavg()[0]:.1f} after")
            medians = {
                fmt: Run(*(statistics.median(column) for column in zip(*measured, strict=True)))
                for fmt, measured in runs.items()
            }
            for (fmt, label), median in sorted(medians.items(), key=lambda item: variants.index(item[0])):
                floor = medians[FLOOR, "" if label == FIRST else label]
                over = ("", "")
                if fmt != FLOOR:
                    over = (f"{median.wall - floor.wall:+.2f} s", f"{median.rss_mib - floor.rss_mib:+.0f}")
                size = (work / f"appendix.{fmt}").stat().st_size / 1024
                measured = (f"{median.wall:.2f}", f"{median.cpu:.2f}", f"{median.rss_mib:.0f}", f"{size:,.0f}")
                target = verdict(fmt, actions, median.wall, median.rss_mib) if label in ("", FIRST) else ""
                table.add_row(f"{actions:,}", fmt + label, *measured, *over, target)
    out.print(table)


if __name__ == "__main__":
    main()
