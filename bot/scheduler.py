"""The scheduler: which runs are due (``commands.schedule``), each started as a durable DBOS workflow.

``Scheduler.tick(now)`` is one pass: every run within its grace window that may go now (not a
day's nudges superseded by a later day's, not a message to people outside working hours) is
started as a workflow whose id is its delivery key (``bot.engine``), so a run already done, or
being done by another process, is not started again. DBOS's cron schedules and the start of each
process call ``tick``; tests call it with any moment to replay a day.

A run's workflow builds its content once (the step's result is kept, so a resumed run posts the
same messages), then makes each post a child workflow on the paced queue, and records the outcome
in ``JobRun`` (what ``planbot jobs``, the digest windows and the nudges' seven-day rule read). A
crash, a restart or a take-over resumes it at the first post not yet delivered.

Every post names its target's platform; the workflow hands it to that platform's notifier. A
notifier that can split a report into its messages (``commands.ports.PostsInParts``, as Slack's
does: the headline and each thread reply) gets a step per message; any other gets one step per
report. A person is messaged on the platform they used planbot on most recently, else on the first
configured one.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, is_dataclass, replace
from typing import Any

from dbos import DBOS, SetEnqueueOptions, SetWorkflowID

from bot import engine
from bot.container import Container
from commands.nudges import DirectMessage, nudge_digest, nudges_and_escalations, quarter_close_reminders
from commands.periods import Quarter
from commands.ports import Notifier, Notifiers, PostsInParts, ReportSource, Target
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
    superseded,
)
from commands.subscriptions import subscribed_channels
from storage.models import JobRun
from storage.repository import PlanRepository

PASS_TARGET = "*"
RETRY_AFTER_SECONDS = 300.0
"""A post the platform refused (the bot not yet in the channel) is tried again this much later…"""
POST_ATTEMPTS = 3
"""…this many times in all, before the run is recorded as failed."""
logger = logging.getLogger(__name__)

_active: Scheduler | None = None
"""The scheduler whose container and notifiers this process's workflows use (one per process)."""


def run_id(job: str, target: str, period_key: str, platform: str = "slack") -> str:
    """A run's workflow id, which is also its delivery key on the platform: job/platform/target/period."""
    return f"{job}/{platform}/{target}/{period_key}"


class Scheduler:
    """Starts the jobs of SPEC §5 as workflows for one bot process; any number may share a database."""

    def __init__(
        self,
        container: Container,
        notifiers: Notifiers,
        reports: ReportSource,
        config: ScheduleConfig | None = None,
        scheme: RagScheme = DEFAULT_SCHEME,
    ) -> None:
        if not notifiers:
            raise ValueError("the scheduler needs the notifier of at least one platform")
        self.container = container
        self.notifiers = notifiers
        self.reports = reports
        self.config = config or container.settings.schedule
        self.scheme = scheme
        self._told: set[tuple[str, str, str]] = set()
        global _active
        _active = self

    def tick(self, now: dt.datetime, wait: bool = True) -> list[str]:
        """One pass at ``now`` (naive UTC): start every due run that may go now; with ``wait``,
        wait for them (a failure is logged; the run's workflow keeps its outcome).

        Returns:
            The workflow ids started or found already started.
        """
        handles = [self.start(run, now) for run in self.runs_to_start(now)]
        if wait:
            for handle in handles:
                try:
                    engine.wait_for(handle.workflow_id, handle.get_result)
                except Exception:
                    logger.exception("Scheduled run %s failed", handle.workflow_id)
        return [h.workflow_id for h in handles]

    def runs_to_start(self, now: dt.datetime) -> list[DueRun]:
        due = due_runs(self.config, now)
        return [run for run in due if not self._held_back(run, due, now)]

    def start(self, run: DueRun, now: dt.datetime) -> Any:
        """Start one run's workflow under its id (a no-op handle when it exists already)."""
        workflow_id = run_id(run.job, PASS_TARGET, run.period_key)
        if (found := _status(workflow_id)) is not None and found != "SUCCESS":
            logger.warning("Scheduled %s for %s found %s; leaving it to its workflow", run.job, run.period_key, found)
        with SetWorkflowID(workflow_id):
            return DBOS.start_workflow(run_job, run, now)

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
        if (run.job, run.period_key, why) not in self._told and _status(
            run_id(run.job, PASS_TARGET, run.period_key)
        ) is None:
            self._told.add((run.job, run.period_key, why))
            logger.warning("Scheduled %s for %s held back: %s", run.job, run.period_key, why)
        return True

    def notifier_for(self, platform: str) -> Notifier | None:
        return self.notifiers.get(platform)

    def platform_of(self, person_id: int) -> str:
        """Where a person is messaged: the configured platform they used planbot on most recently,
        else the first configured one (Slack finds people by their plan email)."""
        with self.container.unit_of_work() as repo:
            used = repo.platforms_of(person_id)
        return next((p for p in used if p in self.notifiers), next(iter(self.notifiers)))

    def marked_late(self, content: object, run: DueRun, now: dt.datetime) -> object:
        """The report, saying it is late when it is caught up after an outage (logged at WARNING too)."""
        if not is_late(run, now):
            return content
        note = late_note(run, self.config)
        logger.warning(
            "Scheduled %s for %s is late (due %s UTC): %s", run.job, run.period_key, run.scheduled_at_utc, note
        )
        return replace(content, late=note) if is_dataclass(content) and hasattr(content, "late") else content


def _scheduler() -> Scheduler:
    if _active is None:
        raise RuntimeError("no scheduler in this process: start the runtime's scheduler first")
    return _active


def _status(workflow_id: str) -> str | None:
    from dbos._dbos import _get_dbos_instance

    found = _get_dbos_instance()._sys_db.get_workflow_status(workflow_id)
    return None if found is None else str(found["status"])


# -- workflows ----------------------------------------------------------------------------
# Workflow code must take the same path when it is resumed: everything that reads the database,
# the clock or the platform is a step, whose result DBOS keeps.


@DBOS.workflow(name="planbot.scheduled_pass")
def scheduled_pass(scheduled_at: dt.datetime, context: Any) -> None:
    """A DBOS cron firing: one pass at the time it fired, starting each due run as a child."""
    for run, now in _plan_pass():
        with SetWorkflowID(run_id(run.job, PASS_TARGET, run.period_key)):
            DBOS.start_workflow(run_job, run, now)


@DBOS.step(name="planbot.plan_pass")
def _plan_pass() -> list[tuple[DueRun, dt.datetime]]:
    scheduler = _scheduler()
    now = scheduler.container.clock()
    return [(run, now) for run in scheduler.runs_to_start(now)]


@DBOS.workflow(name="planbot.run")
def run_job(run: DueRun, now: dt.datetime) -> None:
    """One occurrence of a job: a report to each of its channels, a pass of direct messages, or a freeze."""
    if run.job is JobName.WEEKLY_DIGEST:
        _to_channels(run, now, "weekly", None)
    elif run.job is JobName.QUARTERLY_SUMMARY:
        _to_channels(run, now, "quarterly", None)
    elif run.job in DIRECT_JOBS:
        _direct_pass(run, now)
    else:
        _freeze(run, now)


def _to_channels(run: DueRun, now: dt.datetime, word: str, content: object | None) -> None:
    """A child workflow per channel, one after another (each channel's digest covers what that
    channel has not had yet); a channel that fails does not stop the others."""
    failed: Exception | None = None
    for channel in _channels(word):
        with SetWorkflowID(run_id(run.job, channel.address, run.period_key, channel.platform)):
            handle = DBOS.start_workflow(channel_report, run, now, channel, content)
        failed = _wait_all([handle], raise_first=False) or failed
    if failed is not None:
        raise failed


@DBOS.step(name="planbot.channels")
def _channels(word: str) -> list[Target]:
    scheduler = _scheduler()
    with scheduler.container.unit_of_work() as repo:
        channels = subscribed_channels(repo, word, scheduler.container.settings.report_channels[word])
    kept = []
    for channel in channels:
        if scheduler.notifier_for(channel.platform) is None:
            logger.warning(
                "Channel %s is on %s, which this process does not run; not sent", channel.address, channel.platform
            )
        else:
            kept.append(channel)
    return kept


@DBOS.workflow(name="planbot.channel_report")
def channel_report(run: DueRun, now: dt.datetime, channel: Target, content: object | None) -> str:
    """One report to one channel: built once, posted message by message (each paced), then recorded."""
    key = run_id(run.job, channel.address, run.period_key, channel.platform)
    started = now
    parts = _build(run, now, channel, content)
    try:
        ts = _post_parts(key, channel, parts)
    except Exception as error:
        _record(run.job, channel.platform, channel.address, run.period_key, started, None, error)
        raise
    _record(run.job, channel.platform, channel.address, run.period_key, started, ts, None)
    return ts


@DBOS.step(name="planbot.build")
def _build(run: DueRun, now: dt.datetime, channel: Target, content: object | None) -> list[object]:
    """The report's messages as the platform will post them (kept, so a resumed run posts the same)."""
    scheduler = _scheduler()
    if content is None:
        with scheduler.container.unit_of_work() as repo:
            if run.job is JobName.WEEKLY_DIGEST:
                content = scheduler.reports.weekly_digest(repo, now, channel)
            else:
                assert run.quarter is not None
                content = scheduler.reports.quarterly_summary(repo, run.quarter, now)
    content = scheduler.marked_late(content, run, now)
    notifier = scheduler.notifier_for(channel.platform)
    if isinstance(notifier, PostsInParts):
        return notifier.parts(content)
    return [content]


def _post_parts(key: str, channel: Target, parts: list[object]) -> str:
    """Each message a child workflow on the paced queue (partitioned by channel); the rest threaded
    under the first. Returns the first message's id."""
    first: str | None = None
    for place, part in enumerate(parts):
        engine.GATE.check()
        with (
            SetWorkflowID(f"{key}#{place}"),
            SetEnqueueOptions(queue_partition_key=f"{channel.platform}:{channel.address}"),
        ):
            handle = DBOS.enqueue_workflow(engine.POST_QUEUE, post_part, key, channel, place, part, first)
        ts = engine.wait_for(handle.workflow_id, handle.get_result)
        first = first or ts
    assert first is not None
    return first


@DBOS.workflow(name="planbot.post")
def post_part(key: str, channel: Target, place: int, part: object, thread: str | None) -> str:
    return _send_part(key, channel, place, part, thread, _resuming())


@DBOS.step(name="planbot.send")
def _send_part(key: str, channel: Target, place: int, part: object, thread: str | None, resuming: bool) -> str:
    """The platform call, last in its step: a step cut off mid-call runs again after recovery, and
    then looks for the post by its delivery key before sending (``resuming``)."""
    notifier = _scheduler().notifier_for(channel.platform)
    assert notifier is not None
    if isinstance(notifier, PostsInParts):
        return _attempts(lambda again: notifier.post_part(channel.address, part, f"{key}#{place}", thread, again), resuming)
    return _attempts(lambda again: notifier.post_to_channel(channel.address, part, key, again), resuming)


def _direct_pass(run: DueRun, now: dt.datetime) -> None:
    """Each direct message a child workflow (paced per person), then, for nudges, the list of who
    was messaged to the nudge channels, read back from what was delivered."""
    chosen = _select(run, now)
    handles = []
    for message, platform in chosen:
        with (
            SetWorkflowID(run_id(message.job, message.target, message.period_key, platform)),
            SetEnqueueOptions(queue_partition_key=f"{platform}:{message.target}"),
        ):
            handles.append(DBOS.enqueue_workflow(engine.POST_QUEUE, direct_message, message, platform, now))
    failed = _wait_all(handles, raise_first=False)
    if run.job is JobName.NUDGES:
        digest = nudge_digest(_delivered(chosen))
        if digest is not None:
            _to_channels(run, now, "nudges", digest)
    if failed is not None:
        raise failed


@DBOS.step(name="planbot.select")
def _select(run: DueRun, now: dt.datetime) -> list[tuple[DirectMessage, str]]:
    scheduler = _scheduler()
    with scheduler.container.unit_of_work() as repo:
        if run.job is JobName.NUDGES:
            messages = nudges_and_escalations(repo, run.period_key, now, scheduler.scheme)
        else:
            assert run.quarter is not None
            messages = quarter_close_reminders(repo, run.quarter, scheduler.scheme)
    return [(m, scheduler.platform_of(m.recipient.person_id)) for m in messages]


@DBOS.workflow(name="planbot.direct")
def direct_message(message: DirectMessage, platform: str, now: dt.datetime) -> str:
    started = now
    try:
        ts = _send_direct(message, platform, _resuming())
    except Exception as error:
        _record(message.job, platform, message.target, message.period_key, started, None, error)
        raise
    _record(message.job, platform, message.target, message.period_key, started, ts, None)
    return ts


@DBOS.step(name="planbot.send_direct")
def _send_direct(message: DirectMessage, platform: str, resuming: bool) -> str:
    notifier = _scheduler().notifier_for(platform)
    assert notifier is not None
    key = run_id(message.job, message.target, message.period_key, platform)
    return _attempts(lambda again: notifier.send_direct(message.recipient, message, key, again), resuming)


def _attempts(send: Callable[[bool], str], resuming: bool) -> str:
    """Call the platform (through the stop gate) up to ``POST_ATTEMPTS`` times, ``RETRY_AFTER_SECONDS``
    apart, for a post it refused (the bot not in the channel yet: an admin is told and may fix it).
    Rate limits and lost answers are retried inside the notifier; a retry here looks first."""
    for attempt in range(1, POST_ATTEMPTS + 1):
        engine.GATE.enter()
        try:
            return send(resuming or attempt > 1)
        except Exception:
            if attempt == POST_ATTEMPTS:
                raise
            logger.warning("Post refused (attempt %d of %d); trying again in %.0f s", attempt, POST_ATTEMPTS, RETRY_AFTER_SECONDS, exc_info=True)
        finally:
            engine.GATE.leave()
        if engine.GATE.stopping.wait(RETRY_AFTER_SECONDS):
            raise engine.HandedBack
    raise AssertionError("unreachable")


@DBOS.step(name="planbot.delivered")
def _delivered(chosen: list[tuple[DirectMessage, str]]) -> list[DirectMessage]:
    """The messages of a pass that were delivered, in this attempt or an earlier one."""
    with _scheduler().container.unit_of_work() as repo:
        return [
            m
            for m, platform in chosen
            if (found := repo.job_run(m.job, m.target, m.period_key, platform)) and found.state == "sent"
        ]


@DBOS.step(name="planbot.freeze")
def _freeze(run: DueRun, now: dt.datetime) -> None:
    scheduler = _scheduler()
    assert run.quarter is not None
    with scheduler.container.unit_of_work() as repo:
        frozen = scheduler.reports.freeze_quarter(repo, run.quarter, now)
    _record(
        run.job,
        "slack",
        PASS_TARGET,
        run.period_key,
        now,
        "" if frozen else None,
        None if frozen else RuntimeError("the cut-off has not passed yet"),
    )


def _record(
    job: str,
    platform: str,
    target: str,
    period_key: str,
    started: dt.datetime,
    ts: str | None,
    error: Exception | None,
) -> None:
    """Keep the outcome in ``JobRun`` (a step, so a resumed run does not record twice)."""
    detail = "" if error is None else f"{type(error).__name__}: {error}"[:2000]
    _record_step(job, platform, target, period_key, started, ts, detail)


@DBOS.step(name="planbot.record")
def _record_step(
    job: str, platform: str, target: str, period_key: str, started: dt.datetime, ts: str | None, detail: str
) -> None:
    scheduler = _scheduler()
    now = started  # the run's moment, as every rule reads it (the nudges' seven days, digest windows)
    state = "sent" if ts is not None else "failed"
    with scheduler.container.unit_of_work() as repo:
        existing = repo.job_run(job, target, period_key, platform)
        if existing is None:
            repo.insert_once(
                JobRun(
                    job=job,
                    platform=platform,
                    target=target,
                    period_key=period_key,
                    state=state,
                    claimed_at=started,
                    finished_at=now,
                    message_ts=ts,
                    detail=detail,
                )
            )
        else:
            repo.update_job_run(
                existing,
                existing.state,
                {"state": state, "finished_at": now, "message_ts": ts, "detail": detail},
            )
    if ts is None:
        logger.warning("Could not deliver %s to %s:%s for %s: %s", job, platform, target, period_key, detail)


def _resuming() -> bool:
    """Whether this workflow ran before (a crash, a restart, a take-over): its posts may be out already."""
    workflow_id = DBOS.workflow_id
    assert workflow_id is not None
    from dbos._dbos import _get_dbos_instance

    found = _get_dbos_instance()._sys_db.get_workflow_status(workflow_id)
    resumed = found is not None and int(found.get("recovery_attempts") or 0) > 1
    if resumed:
        logger.warning("Resuming %s after an interruption; checking what is already delivered", workflow_id)
    return resumed


def _wait_all(handles: list[Any], raise_first: bool = True) -> Exception | None:
    """Wait for every child; the first failure is raised once all have finished (or returned)."""
    failed: Exception | None = None
    for handle in handles:
        try:
            engine.wait_for(handle.workflow_id, handle.get_result)
        except Exception as error:
            failed = failed or error
    if failed is not None and raise_first:
        raise failed
    return failed


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


@dataclass
class SchedulerThread:
    """The scheduler under DBOS: its schedules declared, and a first pass to catch up what was
    missed while no process ran; ``stop()`` lets the posts in flight finish, then stops DBOS."""

    scheduler: Scheduler
    thread: threading.Thread
    """The first pass, catching up what was missed while no process ran."""

    def stop(self, timeout: float = engine.STOP_WAIT_SECONDS) -> None:
        engine.shutdown(timeout)
        self.thread.join(timeout)


SCHEDULE_NAMES = {
    JobName.WEEKLY_DIGEST: "planbot-weekly-digest",
    JobName.NUDGES: "planbot-nudges",
    JobName.QUARTER_CLOSE: "planbot-quarter-close",
    JobName.QUARTERLY_SUMMARY: "planbot-quarterly-summary",
    JobName.QUARTER_FREEZE: "planbot-quarter-freeze",
}
WORKING_MORNING = "planbot-working-morning"


def crons(config: ScheduleConfig) -> dict[str, str]:
    """DBOS cron expressions (seconds first, Europe/London) for each job's time, and the working
    morning (08:00 on weekdays), when messages held back overnight or over a weekend may go."""
    digest_day = (config.digest_weekday + 1) % 7  # cron counts from Sunday
    times = {
        JobName.WEEKLY_DIGEST: (config.digest_time, str(digest_day)),
        JobName.NUDGES: (config.nudge_time, "*"),
        JobName.QUARTER_CLOSE: (config.quarter_close_time, "*"),
        JobName.QUARTERLY_SUMMARY: (config.summary_time, "*"),
        JobName.QUARTER_FREEZE: (config.freeze_time, "*"),
    }
    found = {SCHEDULE_NAMES[job]: f"0 {at.minute} {at.hour} * * {days}" for job, (at, days) in times.items()}
    found[WORKING_MORNING] = "0 0 8 * * 1-5"
    return found


def start_scheduler_thread(
    container: Container,
    notifiers: Notifiers,
    report_source: ReportSource | None = None,
    config: ScheduleConfig | None = None,
) -> SchedulerThread:
    """Launch DBOS, declare the schedules, and start a first pass in the background."""
    scheduler = Scheduler(container, notifiers, report_source or PlanReports(), config)
    engine.launch(container.settings, engine.process_id(container.settings))
    DBOS.apply_schedules(
        [
            {
                "schedule_name": name,
                "workflow_fn": scheduled_pass,
                "schedule": cron,
                "cron_timezone": "Europe/London",
                "context": name,
            }
            for name, cron in crons(scheduler.config).items()
        ]
    )
    thread = engine.start_background(lambda: scheduler.tick(container.clock(), wait=False), "planbot-catch-up")
    return SchedulerThread(scheduler, thread)
