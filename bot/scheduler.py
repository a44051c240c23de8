"""The scheduler: on each pass, find the runs that are due, claim each, build its content, post it, record it.

Timing lives in ``commands.schedule`` and the claim rules in ``commands.jobs``; this module only
sequences units of work. Each claim is committed *before* anything is posted, so a process that
dies mid-run leaves a ``claimed`` row that a later pass (in this or another process) takes over
once it goes stale, and two processes on one database never post the same run twice.

Passes that message people (nudges, quarter-close reminders) are claimed as a whole under the
target ``*`` as well, so a restart does not re-run a finished pass with fresher data and nudge
someone at midnight.

The wall clock is read only in ``run_forever``, through ``container.clock``; ``tick(now)`` takes
the moment as an argument so tests can replay any day.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from bot.container import Container
from commands.jobs import claim, mark_failed, mark_sent
from commands.nudges import DirectMessage, nudge_digest, nudges_and_escalations, quarter_close_reminders
from commands.periods import Quarter
from commands.ports import Notifier, ReportSource
from commands.quarterly import freeze_quarter, quarterly_summary
from commands.reports import weekly_digest
from commands.rules import DEFAULT_SCHEME, RagScheme
from commands.schedule import DueRun, JobName, ScheduleConfig, due_runs, next_run_at
from commands.subscriptions import subscribed_channels
from storage.models import JobRun
from storage.repository import PlanRepository

POLL = dt.timedelta(seconds=30)
PASS_TARGET = "*"
logger = logging.getLogger(__name__)


class Scheduler:
    """Runs the jobs of SPEC §5 for one bot process; any number may share a database."""

    def __init__(
        self,
        container: Container,
        notifier: Notifier,
        reports: ReportSource,
        config: ScheduleConfig | None = None,
        scheme: RagScheme = DEFAULT_SCHEME,
    ) -> None:
        self.container = container
        self.notifier = notifier
        self.reports = reports
        self.config = config or container.settings.schedule
        self.scheme = scheme

    def tick(self, now: dt.datetime) -> None:
        """One pass at ``now`` (naive UTC) over every run within its grace window; done runs are skipped.

        So the first pass after a start catches up what was missed while the bot was down, and any
        pass takes over a run another process abandoned.
        """
        for run in due_runs(self.config, now):
            try:
                self._run(run, now)
            except Exception:
                logger.exception("Scheduled %s for %s failed; a later pass retries it", run.job, run.period_key)

    def run_forever(self, stop_event: threading.Event) -> None:
        """Pass, then sleep until the next occurrence or ``POLL``, whichever is sooner, until stopped.

        A run that fails (the database unreachable, the platform refusing) is logged by ``tick``
        and covered again by a later pass, so the loop itself never stops on an error.
        """
        while not stop_event.is_set():
            self.tick(self.container.clock())
            now = self.container.clock()
            upcoming = next_run_at(self.config, now, POLL)
            wait = POLL if upcoming is None else upcoming - now
            stop_event.wait(max(wait.total_seconds(), 0.0))

    # -- jobs ---------------------------------------------------------------------------

    def _run(self, run: DueRun, now: dt.datetime) -> None:
        if run.job is JobName.WEEKLY_DIGEST:
            self._channel_report(run, "weekly", now, lambda repo: self.reports.weekly_digest(repo, now))
        elif run.job is JobName.QUARTERLY_SUMMARY:
            assert run.quarter is not None
            quarter = run.quarter
            self._channel_report(run, "quarterly", now, lambda repo: self.reports.quarterly_summary(repo, quarter, now))
        elif run.job is JobName.NUDGES:
            self._direct_pass(run, now, lambda repo: nudges_and_escalations(repo, run.period_key, now, self.scheme))
        elif run.job is JobName.QUARTER_CLOSE:
            assert run.quarter is not None
            quarter = run.quarter
            self._direct_pass(run, now, lambda repo: quarter_close_reminders(repo, quarter, self.scheme))
        else:
            self._freeze(run, now)

    def _freeze(self, run: DueRun, now: dt.datetime) -> None:
        """Freeze the quarter's snapshot, claimed like any run so that one process does it."""
        assert run.quarter is not None
        pass_run = self._claim(run.job, PASS_TARGET, run.period_key, now)
        if pass_run is None:
            return
        try:
            with self.container.unit_of_work() as repo:
                if self.reports.freeze_quarter(repo, run.quarter, now):
                    mark_sent(repo, pass_run, "", now)
                else:
                    mark_failed(repo, pass_run, "the cut-off has not passed yet", now)
        except Exception as error:
            self._finish_failed(pass_run, error, now)
            raise

    def _channel_report(
        self, run: DueRun, word: str, now: dt.datetime, build: Callable[[PlanRepository], object]
    ) -> None:
        """Claim the run for every channel that receives it, build the content once, post to each."""
        with self.container.unit_of_work() as repo:
            channels = subscribed_channels(repo, word, self.container.settings.report_channels[word])
        claimed = [
            (channel, job_run)
            for channel in channels
            if (job_run := self._claim(run.job, channel, run.period_key, now))
        ]
        if not claimed:
            return
        try:
            with self.container.unit_of_work() as repo:
                content = build(repo)
        except Exception as error:
            for _, job_run in claimed:
                self._finish_failed(job_run, error, now)
            raise
        for channel, job_run in claimed:
            self._deliver(job_run, lambda c=channel: self.notifier.post_to_channel(c, content), now)

    def _direct_pass(
        self, run: DueRun, now: dt.datetime, select: Callable[[PlanRepository], list[DirectMessage]]
    ) -> None:
        """Claim the pass, then claim and send each direct message; nudge passes also tell subscribed channels."""
        pass_run = self._claim(run.job, PASS_TARGET, run.period_key, now)
        if pass_run is None:
            return
        try:
            with self.container.unit_of_work() as repo:
                messages = select(repo)
            sent = [m for m in messages if self._direct(m, now)]
            digest = nudge_digest(sent) if run.job is JobName.NUDGES else None
            if digest is not None:
                self._channel_report(run, "nudges", now, lambda _repo: digest)
        except Exception as error:
            self._finish_failed(pass_run, error, now)
            raise
        with self.container.unit_of_work() as repo:
            mark_sent(repo, pass_run, "", now)

    def _direct(self, message: DirectMessage, now: dt.datetime) -> bool:
        job_run = self._claim(message.job, message.target, message.period_key, now)
        if job_run is None:
            return False
        return self._deliver(job_run, lambda: self.notifier.send_direct(message.recipient, message), now)

    # -- bookkeeping ----------------------------------------------------------------------

    def _claim(self, job: str, target: str, period_key: str, now: dt.datetime) -> JobRun | None:
        """Claim in a unit of work of its own, committed before the caller posts anything."""
        with self.container.unit_of_work() as repo:
            return claim(repo, job, target, period_key, now)

    def _deliver(self, job_run: JobRun, send: Callable[[], str], now: dt.datetime) -> bool:
        """Post, then record the outcome; a refusal is recorded as failed (retried on a later pass)."""
        try:
            ts = send()
        except Exception as error:
            logger.exception("Could not deliver %s to %s for %s", job_run.job, job_run.target, job_run.period_key)
            self._finish_failed(job_run, error, now)
            return False
        with self.container.unit_of_work() as repo:
            mark_sent(repo, job_run, ts, now)
        return True

    def _finish_failed(self, job_run: JobRun, error: Exception, now: dt.datetime) -> None:
        with self.container.unit_of_work() as repo:
            mark_failed(repo, job_run, f"{type(error).__name__}: {error}", now)


class PlanReports:
    """The report builders of ``commands.reports`` and ``commands.quarterly``, as the scheduler's ``ReportSource``."""

    def __init__(self, scheme: RagScheme = DEFAULT_SCHEME) -> None:
        self.scheme = scheme

    def weekly_digest(self, repo: PlanRepository, now: dt.datetime) -> object:
        return weekly_digest(repo, now, scheme=self.scheme)

    def quarterly_summary(self, repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> object:
        return quarterly_summary(repo, quarter, now, self.scheme)

    def freeze_quarter(self, repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> bool:
        return freeze_quarter(repo, quarter, now)


@dataclass
class SchedulerThread:
    """A scheduler running in a background thread; ``stop()`` ends it after the current pass."""

    scheduler: Scheduler
    thread: threading.Thread
    stop_event: threading.Event

    def stop(self, timeout: float | None = 10.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)


def start_scheduler_thread(
    container: Container,
    notifier: Notifier,
    report_source: ReportSource | None = None,
    config: ScheduleConfig | None = None,
) -> SchedulerThread:
    """Start the scheduler beside the Slack listener (``planbot run`` and ``planbot serve --http``).

    The thread is a daemon so Ctrl+C on the bot is never held up by a sleeping scheduler; its
    first pass catches up runs missed while the bot was down.
    """
    scheduler = Scheduler(container, notifier, report_source or PlanReports(), config)
    stop_event = threading.Event()
    thread = threading.Thread(target=scheduler.run_forever, args=(stop_event,), name="planbot-scheduler", daemon=True)
    thread.start()
    return SchedulerThread(scheduler, thread, stop_event)
