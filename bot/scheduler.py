"""The scheduler: on each pass, find the runs that are due, claim each, build its content, post it, record it.

Timing lives in ``commands.schedule`` and the claim rules in ``commands.jobs``; this module only
sequences units of work. Each claim is committed *before* anything is posted, so a process that
dies mid-run leaves a ``claimed`` row that a later pass (in this or another process) takes over
once it goes stale, and two processes on one database never post the same run twice.

Passes that message people (nudges, quarter-close reminders) are claimed as a whole under the
target ``*`` as well, so a restart does not re-run a finished pass with fresher data and nudge
someone at midnight.

Every post names its target's platform; the scheduler hands it to that platform's notifier (the
runtime passes one per configured platform). A channel on a platform this process does not run is
left unclaimed for a process that does; a person is messaged on the platform they used planbot on
most recently, else on the first configured one.

The wall clock is read only in ``run_forever``, through ``container.clock``; ``tick(now)`` takes
the moment as an argument so tests can replay any day. ``stop_event`` is checked before each claim,
so stopping finishes the post in flight and leaves the rest unclaimed for the next start.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, is_dataclass, replace

from bot.container import Container
from commands.jobs import HEARTBEAT, RunState, claim, delivery_key, heartbeat, mark_failed, mark_sent, resuming
from commands.nudges import DirectMessage, nudge_digest, nudges_and_escalations, quarter_close_reminders
from commands.periods import Quarter
from commands.ports import SLACK, Notifier, Notifiers, ReportSource, Target
from commands.quarterly import freeze_quarter, quarterly_summary
from commands.reports import weekly_digest
from commands.rules import DEFAULT_SCHEME, RagScheme
from commands.schedule import (
    DIRECT_JOBS,
    DueRun,
    JobName,
    ScheduleConfig,
    due_runs,
    is_late,
    late_note,
    may_message_people,
    next_run_at,
    superseded,
)
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
        notifiers: Notifiers,
        reports: ReportSource,
        config: ScheduleConfig | None = None,
        scheme: RagScheme = DEFAULT_SCHEME,
        stop_event: threading.Event | None = None,
        heartbeat: dt.timedelta = HEARTBEAT,
    ) -> None:
        if not notifiers:
            raise ValueError("the scheduler needs the notifier of at least one platform")
        self.container = container
        self.notifiers = notifiers
        self.stop_event = stop_event or threading.Event()
        self.reports = reports
        self.config = config or container.settings.schedule
        self.scheme = scheme
        self._told: set[tuple[str, str, str]] = set()
        self.heartbeat = heartbeat

    def tick(self, now: dt.datetime) -> None:
        """One pass at ``now`` (naive UTC) over every run within its grace window; done runs are skipped.

        So the first pass after a start catches up what was missed while the bot was down, and any
        pass takes over a run another process abandoned.
        """
        due = due_runs(self.config, now)
        for run in due:
            if self.stop_event.is_set():
                return
            if self._held_back(run, due, now):
                continue
            try:
                self._run(run, now)
            except Exception:
                logger.exception("Scheduled %s for %s failed; a later pass retries it", run.job, run.period_key)

    def run_forever(self) -> None:
        """Pass, then sleep until the next occurrence or ``POLL``, whichever is sooner, until stopped.

        A run that fails (the database unreachable, the platform refusing) is logged by ``tick``
        and covered again by a later pass, so the loop itself never stops on an error.
        """
        while not self.stop_event.is_set():
            self.tick(self.container.clock())
            now = self.container.clock()
            upcoming = next_run_at(self.config, now, POLL)
            wait = POLL if upcoming is None else upcoming - now
            self.stop_event.wait(max(wait.total_seconds(), 0.0))

    def _held_back(self, run: DueRun, due: list[DueRun], now: dt.datetime) -> bool:
        """Whether a due run must not go out now: a day's nudges superseded by a later day's, or a
        message to people outside working hours (it waits for the next working morning). Said once
        per run at WARNING, with why, when the run has not been done already."""
        if superseded(run, due):
            why = "superseded by a later day's nudges, which choose afresh whom to nudge"
        elif run.job in DIRECT_JOBS and not may_message_people(now):
            why = "waiting for working hours (08:00-18:00 London on a working day) to message people"
        else:
            return False
        if (run.job, run.period_key, why) not in self._told and not self._done(run):
            self._told.add((run.job, run.period_key, why))
            logger.warning("Scheduled %s for %s held back: %s", run.job, run.period_key, why)
        return True

    def _done(self, run: DueRun) -> bool:
        with self.container.unit_of_work() as repo:
            found = repo.job_run(run.job, PASS_TARGET, run.period_key)
        return found is not None and found.state == RunState.SENT.value

    # -- jobs ---------------------------------------------------------------------------

    def _run(self, run: DueRun, now: dt.datetime) -> None:
        if run.job is JobName.WEEKLY_DIGEST:
            self._channel_report(
                run,
                "weekly",
                now,
                lambda repo, channel: self.reports.weekly_digest(repo, now, channel),
                per_channel=True,
            )
        elif run.job is JobName.QUARTERLY_SUMMARY:
            assert run.quarter is not None
            quarter = run.quarter
            self._channel_report(
                run, "quarterly", now, lambda repo, _channel: self.reports.quarterly_summary(repo, quarter, now)
            )
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
        self,
        run: DueRun,
        word: str,
        now: dt.datetime,
        build: Callable[[PlanRepository, Target], object],
        per_channel: bool = False,
    ) -> None:
        """Claim each channel that receives the run just before posting to it. The content is built
        after the first claim, so a run already done everywhere builds nothing; once for every
        channel, or (``per_channel``, the digest) for each, since each channel's window starts at
        the last digest it received. A late run says so in the report."""
        with self.container.unit_of_work() as repo:
            channels = subscribed_channels(repo, word, self.container.settings.report_channels[word])
        built: list[object] = []
        for channel in channels:
            notifier = self._notifier_for(channel)
            if notifier is None or self.stop_event.is_set():
                continue
            job_run = self._claim(run.job, channel.address, run.period_key, now, channel.platform)
            if job_run is None:
                continue
            if per_channel or not built:
                try:
                    with self.container.unit_of_work() as repo:
                        built[:] = [self._marked_late(build(repo, channel), run, now)]
                except Exception as error:
                    self._finish_failed(job_run, error, now)
                    raise
            content = built[0]
            self._deliver(
                job_run,
                lambda key, again, n=notifier, c=channel.address, r=content: n.post_to_channel(c, r, key, again),
                now,
            )

    def _marked_late(self, content: object, run: DueRun, now: dt.datetime) -> object:
        """The report, saying it is late when it is caught up after an outage (logged at WARNING too)."""
        if not is_late(run, now):
            return content
        note = late_note(run, self.config)
        logger.warning(
            "Scheduled %s for %s is late (due %s UTC): %s", run.job, run.period_key, run.scheduled_at_utc, note
        )
        return replace(content, late=note) if is_dataclass(content) and hasattr(content, "late") else content

    def _notifier_for(self, channel: Target) -> Notifier | None:
        """The notifier of the channel's platform; ``None`` (logged) when this process does not run it."""
        notifier = self.notifiers.get(channel.platform)
        if notifier is None:
            logger.warning(
                "Channel %s is on %s, which this process does not run; left for a process that does",
                channel.address,
                channel.platform,
            )
        return notifier

    def _direct_pass(
        self, run: DueRun, now: dt.datetime, select: Callable[[PlanRepository], list[DirectMessage]]
    ) -> None:
        """Claim the pass, then claim and send each direct message; nudge passes also tell subscribed
        channels who was messaged, read back from what was delivered (so a pass resumed after a
        crash or an outage still lists the people its first attempt messaged)."""
        pass_run = self._claim(run.job, PASS_TARGET, run.period_key, now)
        if pass_run is None:
            return
        try:
            with self.container.unit_of_work() as repo:
                messages = select(repo)
            for message in messages:
                self._direct(message, now)
            if self.stop_event.is_set():
                self._finish_failed(pass_run, RuntimeError("stopped before the pass was finished"), now)
                return
            digest = nudge_digest(self._delivered(messages)) if run.job is JobName.NUDGES else None
            if digest is not None:
                self._channel_report(run, "nudges", now, lambda _repo, _channel: digest)
        except Exception as error:
            self._finish_failed(pass_run, error, now)
            raise
        with self.container.unit_of_work() as repo:
            mark_sent(repo, pass_run, "", now)

    def _direct(self, message: DirectMessage, now: dt.datetime) -> bool:
        if self.stop_event.is_set():
            return False
        platform = self._platform_of(message.recipient.person_id)
        job_run = self._claim(message.job, message.target, message.period_key, now, platform)
        if job_run is None:
            return False
        notifier = self.notifiers[platform]
        return self._deliver(
            job_run, lambda key, again: notifier.send_direct(message.recipient, message, key, again), now
        )

    def _delivered(self, messages: list[DirectMessage]) -> list[DirectMessage]:
        """The messages of a pass that were delivered, in this attempt or an earlier one."""
        with self.container.unit_of_work() as repo:
            return [
                m
                for m in messages
                if (found := repo.job_run(m.job, m.target, m.period_key, self._platform_of(m.recipient.person_id)))
                and found.state == RunState.SENT.value
            ]

    def _platform_of(self, person_id: int) -> str:
        """Where a person is messaged: the configured platform they used planbot on most recently,
        else the first configured one (Slack finds people by their plan email)."""
        with self.container.unit_of_work() as repo:
            used = repo.platforms_of(person_id)
        return next((p for p in used if p in self.notifiers), next(iter(self.notifiers)))

    # -- bookkeeping ----------------------------------------------------------------------

    def _claim(self, job: str, target: str, period_key: str, now: dt.datetime, platform: str = SLACK) -> JobRun | None:
        """Claim in a unit of work of its own, committed before the caller posts anything."""
        with self.container.unit_of_work() as repo:
            earlier = repo.job_run(job, target, period_key, platform)
            taken = claim(repo, job, target, period_key, now, platform=platform)
        if taken is not None and earlier is not None:
            self._say_taken_over(taken, earlier.state, earlier.detail, earlier.claimed_at)
        return taken

    def _say_taken_over(self, taken: JobRun, state: str, detail: str, claimed_at: dt.datetime) -> None:
        """A retried or taken-over run, at WARNING with why."""
        if state == RunState.FAILED.value:
            why = f"it failed ({detail[:200]})"
        else:
            why = f"the process that claimed it at {claimed_at} UTC stopped before finishing"
        logger.warning(
            "Taking over %s to %s for %s (attempt %d): %s; resuming after what is already delivered",
            taken.job,
            taken.target,
            taken.period_key,
            taken.attempts,
            why,
        )

    def _deliver(self, job_run: JobRun, send: Callable[[str, bool], str], now: dt.datetime) -> bool:
        """Post with the run's delivery key, then record the outcome; a refusal is recorded as failed
        (retried on a later pass, which looks for what the earlier attempt already posted)."""
        try:
            with self._kept_alive(job_run):
                ts = send(delivery_key(job_run), resuming(job_run))
        except Exception as error:
            logger.exception("Could not deliver %s to %s for %s", job_run.job, job_run.target, job_run.period_key)
            self._finish_failed(job_run, error, now)
            return False
        with self.container.unit_of_work() as repo:
            mark_sent(repo, job_run, ts, now)
        return True

    @contextmanager
    def _kept_alive(self, job_run: JobRun) -> Iterator[None]:
        """Renew the run's claim every ``heartbeat`` while it is being posted (a slow platform, a
        long report), so no other process takes over a run that is still going out."""
        done = threading.Event()

        def beat() -> None:
            while not done.wait(self.heartbeat.total_seconds()):
                try:
                    with self.container.unit_of_work() as repo:
                        if not heartbeat(repo, job_run, self.container.clock()):
                            return
                except Exception:
                    logger.exception("Could not renew the claim on %s for %s", job_run.job, job_run.period_key)

        beating = threading.Thread(target=beat, name="planbot-heartbeat", daemon=True)
        beating.start()
        try:
            yield
        finally:
            done.set()
            beating.join()

    def _finish_failed(self, job_run: JobRun, error: Exception, now: dt.datetime) -> None:
        with self.container.unit_of_work() as repo:
            mark_failed(repo, job_run, f"{type(error).__name__}: {error}", now)


class PlanReports:
    """The report builders of ``commands.reports`` and ``commands.quarterly``, as the scheduler's ``ReportSource``."""

    def __init__(self, scheme: RagScheme = DEFAULT_SCHEME) -> None:
        self.scheme = scheme

    def weekly_digest(self, repo: PlanRepository, now: dt.datetime, channel: Target | None = None) -> object:
        return weekly_digest(repo, now, scheme=self.scheme, channel=channel)

    def quarterly_summary(self, repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> object:
        return quarterly_summary(repo, quarter, now, self.scheme)

    def freeze_quarter(self, repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> bool:
        return freeze_quarter(repo, quarter, now)


STOP_TIMEOUT = 60.0
"""How long stopping waits for the post in flight: a 27-message digest at one message a second."""


@dataclass
class SchedulerThread:
    """A scheduler running in a background thread; ``stop()`` lets the post in flight finish, then ends it."""

    scheduler: Scheduler
    thread: threading.Thread

    def stop(self, timeout: float | None = STOP_TIMEOUT) -> None:
        self.scheduler.stop_event.set()
        self.thread.join(timeout)


def start_scheduler_thread(
    container: Container,
    notifiers: Notifiers,
    report_source: ReportSource | None = None,
    config: ScheduleConfig | None = None,
) -> SchedulerThread:
    """Start the scheduler beside the platforms' listeners (``bot.runtime``); its first pass catches
    up runs missed while the bot was down.

    The thread is not a daemon: the runtime stops it on SIGTERM and Ctrl+C, so a deploy restart
    never cuts a post off half-way and leaves its claim to go stale.
    """
    scheduler = Scheduler(container, notifiers, report_source or PlanReports(), config)
    thread = threading.Thread(target=scheduler.run_forever, name="planbot-scheduler")
    thread.start()
    return SchedulerThread(scheduler, thread)
