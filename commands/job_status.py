"""What ``planbot jobs`` and ``planbot doctor`` say about the scheduled runs: those that failed or
are stuck, and the last of each kind, so a digest that never arrived is visible without a log.

The record is ``JobRun``, kept by the delivery engine's workflows (``bot.scheduler``): a channel
report is ``claimed`` when its workflow starts, then ``sent`` or ``failed``; each direct message
is recorded once delivered or refused. A run is stuck when it is still ``claimed`` after
``STUCK_AFTER`` (a report takes seconds, a minute or two with Slack's rate limits): its process
stopped and no running process has taken it over yet (each does within a minute), or it is waiting
on a platform that does not answer. Failed runs are those the platform kept refusing, with its error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from commands.model import Line, Reply, Section
from commands.rag_views import plain_text
from storage.models import JobRun
from storage.repository import PlanRepository

LOOK_BACK = dt.timedelta(days=8)
"""How far back the overview reads: a week of runs, and the day before it."""
STUCK_AFTER = dt.timedelta(minutes=30)
STUCK_WHY = "a stopped process's runs are taken over within a minute: is the platform answering?"
"""A run still being delivered after this long needs looking at."""


class RunState(StrEnum):
    """Where a recorded run stands."""

    CLAIMED = "claimed"
    """Being delivered: its workflow has started it."""
    SENT = "sent"
    FAILED = "failed"


def is_stuck(run: JobRun, now: dt.datetime) -> bool:
    """A run still being delivered ``STUCK_AFTER`` after it started."""
    return run.state == RunState.CLAIMED.value and run.claimed_at <= now - STUCK_AFTER


@dataclass(frozen=True)
class JobsOverview:
    """Runs needing attention and the newest run of each job."""

    failed: tuple[JobRun, ...]
    stuck: tuple[JobRun, ...]
    last: tuple[JobRun, ...]

    @property
    def problems(self) -> int:
        return len(self.failed) + len(self.stuck)


def jobs_overview(repo: PlanRepository, now: dt.datetime) -> JobsOverview:
    """Failed and stuck runs of the last eight days, and the last run of each job (naive UTC ``now``)."""
    runs = repo.job_runs_since_any(now - LOOK_BACK)
    failed = tuple(r for r in runs if r.state == RunState.FAILED.value)
    stuck = tuple(r for r in runs if is_stuck(r, now))
    newest: dict[str, JobRun] = {}
    for run in runs:
        if run.job not in newest or run.claimed_at > newest[run.job].claimed_at:
            newest[run.job] = run
    return JobsOverview(failed, stuck, tuple(newest[job] for job in sorted(newest)))


def jobs_reply(overview: JobsOverview) -> Reply:
    """The overview as text: each failed or stuck run with why, then the last run of each job."""
    sections = []
    if overview.failed:
        sections.append(
            Section("Failed runs", tuple(Line(f"{_run(r)}: {r.detail or 'no reason kept'}") for r in overview.failed))
        )
    if overview.stuck:
        sections.append(
            Section(
                "Stuck runs",
                tuple(
                    Line(f"{_run(r)}: claimed {_when(r.claimed_at)} and not finished ({STUCK_WHY})")
                    for r in overview.stuck
                ),
            )
        )
    if not sections:
        sections.append(Section("Failed or stuck runs", (Line("None in the last eight days."),)))
    last = tuple(Line(f"{_run(r)}: {r.state} {_when(r.finished_at or r.claimed_at)}") for r in overview.last)
    sections.append(Section("Last run of each job", last or (Line("No scheduled run yet."),)))
    return Reply(text=plain_text(tuple(sections)), sections=tuple(sections))


def _run(run: JobRun) -> str:
    attempts = f", attempt {run.attempts}" if run.attempts > 1 else ""
    return f"{run.job} to {run.platform}:{run.target} for {run.period_key}{attempts}"


def _when(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"
