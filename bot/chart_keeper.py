"""Drawing a newly frozen quarter's Panel charts in a process of its own.

Drawing the appendix's two charts costs a few seconds of CPU and about 60 MiB (matplotlib), once per
frozen quarter (``bot.exports.kept_charts``). Left to the first export, an officer asking for the
appendix the morning after the cut-off would wait for it; done inside ``planbot run`` or
``planbot serve``, the server would carry matplotlib for the rest of its life and its answers would
queue behind the drawing. So the scheduler's freeze starts a short child process that draws and keeps
them, and goes on; the child's outcome is logged, and an export finds the charts kept or, if the
child failed, draws them itself as before.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import threading

from commands.periods import Quarter

logger = logging.getLogger(__name__)

DRAW_SECONDS = 300
"""How long the child may take before it is stopped (drawing takes seconds)."""


def draw_in_background(database_url: str, quarter: Quarter, now: dt.datetime) -> threading.Thread:
    """Start the child that keeps ``quarter``'s charts as at ``now``; the returned thread waits for
    it and logs how it ended. The database's address goes in the child's environment, not its
    command line, where any user of the machine could read a password in it."""
    command = [sys.executable, "-m", "bot.chart_keeper", str(quarter.year), str(quarter.number), now.isoformat()]
    child = subprocess.Popen(
        command,
        env={**os.environ, "DATABASE_URL": database_url},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def wait() -> None:
        try:
            _, errors = child.communicate(timeout=DRAW_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            logger.warning("Drawing %s's Panel charts took over %d s and was stopped", quarter.label, DRAW_SECONDS)
            return
        if child.returncode:
            last = errors.strip().splitlines()[-1:] or ["no message"]
            logger.warning("Could not draw %s's Panel charts ahead of its export: %s", quarter.label, last[0])
        else:
            logger.info("%s's Panel charts are drawn and kept", quarter.label)

    waiter = threading.Thread(target=wait, name="planbot-chart-keeper", daemon=True)
    waiter.start()
    return waiter


def main(argv: list[str]) -> int:
    """The child: ``python -m bot.chart_keeper YEAR NUMBER NOW`` (2018 3 for 2018/19 Q3; NOW as ISO
    naive UTC) with ``DATABASE_URL`` set."""
    from bot.exports.kept_charts import keep_quarter_charts
    from storage.db import make_engine, session_scope
    from storage.repository import PlanRepository

    quarter, now = Quarter(int(argv[0]), int(argv[1])), dt.datetime.fromisoformat(argv[2])
    engine = make_engine(os.environ["DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            keep_quarter_charts(PlanRepository(session), quarter, now)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
