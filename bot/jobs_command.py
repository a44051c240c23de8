"""``planbot jobs``: the scheduled runs that failed or are stuck, and the last run of each job.

It reads the database only (no Slack call), so it answers even when the platform is down, and
exits 1 when a run needs attention, so a monitor can run it.
"""

from __future__ import annotations

from rich.console import Console

from bot.config import Settings
from bot.console_render import render_reply
from bot.container import utc_now
from bot.db_command import open_container
from commands.job_status import jobs_overview, jobs_reply


def run_jobs(settings: Settings) -> int:
    """Print the overview of scheduled runs.

    Returns:
        0 when nothing failed or is stuck, 1 when something is (or the database cannot be reached).
    """
    container = open_container(settings, Console(stderr=True))
    if container is None:
        return 1
    try:
        with container.unit_of_work() as repo:
            overview = jobs_overview(repo, utc_now())
    finally:
        container.engine.dispose()
    Console(highlight=False).print(render_reply(jobs_reply(overview)))
    return 1 if overview.problems else 0
