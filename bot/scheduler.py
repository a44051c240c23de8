"""The scheduler: which runs are due (``commands.schedule``), each delivered by durable DBOS workflows.

``Scheduler.tick(now)`` is one pass: every run within its grace window that may go now (not a
day's nudges superseded by a later day's, not a message to people outside working hours) is
started as a workflow whose id is its delivery key (``bot.engine``), so a run already done, or
being done by another process, is not started again (and a run this process has seen finish is
not looked at again). DBOS's cron schedules and the start of each
process call it; tests call it with any moment to replay a day.

What each run's workflow does:

- **A channel report** (the digest, the quarterly summary, the nudge list): one workflow per
  channel, on the paced queue (one run per channel at a time, across processes). Its steps are
  built once (the content, kept, so a resumed run posts the same messages), then one step per
  message (the headline, each thread reply), the platform call last in each. After a crash, a
  restart or a take-over DBOS replays the recorded steps and continues at the first message not
  yet delivered; only that message can have been sent without being recorded, so only its step
  looks for it on the platform by its delivery key before sending.
- **A pass of direct messages** (nudges and escalations, quarter-close reminders): one workflow;
  who is messaged is chosen once (a step), then each message is a step, its outcome another.
  Nudge passes then post the list of who was messaged, read back from what was delivered, to the
  nudge channels.
- **The quarter's freeze**: one step.

Outcomes are kept in ``JobRun`` (what ``planbot jobs``, the digest windows and the nudges'
seven-day rule read): ``claimed`` when a channel report starts, then ``sent`` or ``failed``.

Every post names its target's platform; the workflow hands it to that platform's notifier. A
notifier that can split a report into its messages (``commands.ports.PostsInParts``, as Slack's
does) gets a step per message; any other gets one step per report. A person is messaged on the
platform they used planbot on most recently, else on the first configured one.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, is_dataclass, replace
from typing import Any

from dbos import DBOS, SetEnqueueOptions, SetWorkflowID

from bot import engine
from bot.container import Container
from commands.command_words import CommandWords
from commands.job_status import RunState
from commands.nudges import DirectMessage, nudge_digest, nudges_and_escalations, quarter_close_reminders
from commands.periods import Quarter
from commands.ports import SLACK, Notifier, Notifiers, PostsInParts, ReportSource, Target, Undeliverable
from commands.quarterly import freeze_if_cut_off_passed, quarterly_summary
from commands.rag_scheme import plan_scheme
from commands.report_builders import weekly_digest
from commands.rules import RagScheme
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
TICK_TIMEOUT_SECONDS = 600.0
"""How long ``tick(wait=True)`` waits for what it started (tests; the schedules never wait)."""
FINISHED = frozenset({"SUCCESS", "ERROR"})
"""DBOS states a workflow never leaves: started again under its id, it does nothing."""
logger = logging.getLogger(__name__)

_active: Scheduler | None = None
"""The scheduler whose container and notifiers this process's workflows use (one per process)."""


def run_id(job: str, target: str, period_key: str, platform: str = SLACK) -> str:
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
        scheme: RagScheme | None = None,
        on_frozen: Callable[[Quarter, dt.datetime], object] | None = None,
    ) -> None:
        """``on_frozen``: called once a quarter's freeze has committed (the live scheduler starts
        drawing its Panel charts, ``bot.chart_keeper``)."""
        if not notifiers:
            raise ValueError("the scheduler needs the notifier of at least one platform")
        self.container = container
        self.notifiers = notifiers
        self.reports = reports
        self.config = config or container.settings.schedule
        self.scheme = scheme
        self.on_frozen = on_frozen
        self._told: set[tuple[str, str, str]] = set()
        self._finished: set[str] = set()
        global _active
        _active = self

    def tick(self, now: dt.datetime, wait: bool = True) -> list[str]:
        """One pass at ``now`` (naive UTC): start every due run that may go now; with ``wait``, wait
        for them and for the channel reports they started (a failure is logged; each workflow
        keeps its outcome).

        Returns:
            The workflow ids started or found already started.
        """
        global _active
        _active = self  # the one whose workflows these are (tests run several in one process)
        started = [workflow_id for run in self.runs_to_start(now) for workflow_id in start(run, now)]
        if wait:
            engine.wait_all(started, TICK_TIMEOUT_SECONDS)
        return started

    def runs_to_start(self, now: dt.datetime) -> list[DueRun]:
        """The due runs that may go now and are not done already."""
        due = due_runs(self.config, now)
        channels: dict[str, list[Target]] = {}
        return [run for run in due if not self._held_back(run, due, now) and not self._done(run, channels)]

    def _done(self, run: DueRun, channels: dict[str, list[Target]]) -> bool:
        """Whether every workflow of the run has finished, so starting it again would do nothing.

        Each pass looks at every run within its grace window (days, for some), so it remembers the
        workflows it has seen finish rather than asking DBOS about each again. A channel subscribed
        since has no workflow yet, so its report still goes on a later pass; a run with no channel
        here is started as before (which says why nothing is sent).

        Args:
            channels: each report's channels, looked up once per pass.
        """
        word = CHANNEL_WORDS.get(run.job)
        if word is None:
            ids = [run_id(run.job, PASS_TARGET, run.period_key)]
        else:
            if word not in channels:
                channels[word] = _subscribed(self, word)
            ids = [run_id(run.job, c.address, run.period_key, c.platform) for c in channels[word]]
        return bool(ids) and all(self._finished_workflow(workflow_id) for workflow_id in ids)

    def _finished_workflow(self, workflow_id: str) -> bool:
        if workflow_id not in self._finished:
            status = DBOS.get_workflow_status(workflow_id)
            if status is None or status.status not in FINISHED:
                return False
            self._finished.add(workflow_id)
        return True

    def _held_back(self, run: DueRun, due: list[DueRun], now: dt.datetime) -> bool:
        """Whether a due run must not go out now: a day's nudges superseded by a later day's, or a
        message to people outside working hours (it waits for the next working morning). Said once
        per run at WARNING, with why, when the run has not been started already."""
        if superseded(run, due):
            why = "superseded by a later day's nudges, which choose afresh whom to nudge"
        elif run.job in DIRECT_JOBS and not may_message_people(now):
            why = "waiting for working hours (08:00-18:00 London on a working day) to message people"
        else:
            return False
        told = (run.job, run.period_key, why)
        if told not in self._told:
            self._told.add(told)  # a run started already stays started: asked once
            if DBOS.get_workflow_status(run_id(run.job, PASS_TARGET, run.period_key)) is None:
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


# -- workflows ----------------------------------------------------------------------------
# Workflow code must take the same path when it is replayed: everything that reads the database,
# the clock or the platform is a step, whose result DBOS keeps.


@DBOS.workflow(name="planbot.scheduled_pass")
def scheduled_pass(scheduled_at: dt.datetime, context: Any) -> None:
    """A DBOS cron firing: one pass at the time it fired, starting each due run."""
    for run, now in _plan_pass():
        start(run, now)


@DBOS.step(name="planbot.plan_pass")
def _plan_pass() -> list[tuple[DueRun, dt.datetime]]:
    scheduler = _scheduler()
    now = scheduler.container.clock()
    return [(run, now) for run in scheduler.runs_to_start(now)]


CHANNEL_WORDS = {JobName.WEEKLY_DIGEST: "weekly", JobName.QUARTERLY_SUMMARY: "quarterly"}


def start(run: DueRun, now: dt.datetime) -> list[str]:
    """Start one due run: its report queued for each channel that has not had it (a channel
    subscribed later, or on a platform only another process runs, still gets it on a later pass),
    or its pass of direct messages or freeze. A workflow already started under its id is left be.

    Returns:
        The ids of the workflows started or found already started.
    """
    word = CHANNEL_WORDS.get(run.job)
    if word is not None:
        return _to_channels(run, now, word, None)
    with SetWorkflowID(run_id(run.job, PASS_TARGET, run.period_key)):
        return [DBOS.start_workflow(run_job, run, now).workflow_id]


@DBOS.workflow(name="planbot.run")
def run_job(run: DueRun, now: dt.datetime) -> list[str]:
    """A pass of direct messages or a freeze. Returns the ids of the channel reports it queued."""
    if run.job in DIRECT_JOBS:
        return _direct_pass(run, now)
    _freeze(run, now)
    return []


def _to_channels(run: DueRun, now: dt.datetime, word: str, content: object | None) -> list[str]:
    """Queue the report for each channel (each its own workflow, paced by its channel's turn)."""
    queued = []
    for channel in _channels(word):
        with (
            SetWorkflowID(run_id(run.job, channel.address, run.period_key, channel.platform)),
            SetEnqueueOptions(queue_partition_key=str(channel)),
        ):
            queued.append(
                DBOS.enqueue_workflow(engine.post_queue(channel.platform), channel_report, run, now, channel, content)
            )
    return [handle.workflow_id for handle in queued]


def _subscribed(scheduler: Scheduler, word: str) -> list[Target]:
    """The channels subscribed to a report, on any platform."""
    with scheduler.container.unit_of_work() as repo:
        return subscribed_channels(repo, word, scheduler.container.settings.report_channels[word])


@DBOS.step(name="planbot.channels")
def _channels(word: str) -> list[Target]:
    scheduler = _scheduler()
    kept = []
    for channel in _subscribed(scheduler, word):
        if scheduler.notifier_for(channel.platform) is None:
            logger.warning(
                "Channel %s is on %s, which this process does not run; not sent", channel.address, channel.platform
            )
        else:
            kept.append(channel)
    return kept


@DBOS.workflow(name="planbot.channel_report")
def channel_report(run: DueRun, now: dt.datetime, channel: Target, content: object | None) -> list[str]:
    """One report to one channel: recorded as started, built once, posted message by message (the
    rest threaded under the first), then recorded as sent or failed."""
    key = run_id(run.job, channel.address, run.period_key, channel.platform)
    this_attempt = uuid.uuid4().hex
    ambiguous = _resumed(this_attempt, key)
    _record(run.job, channel.platform, channel.address, run.period_key, now, RunState.CLAIMED, None, "")
    parts = _build(run, now, channel, content)
    first: str | None = None
    try:
        for place, part in enumerate(parts):
            engine.GATE.check()
            ts, by = _post(key, channel, place, part, first, ambiguous, this_attempt)
            ambiguous = by != this_attempt  # replayed: the next message may be out, unrecorded
            first = first or ts
    except Exception as error:
        _record(run.job, channel.platform, channel.address, run.period_key, now, RunState.FAILED, None, _why(error))
        raise
    _record(run.job, channel.platform, channel.address, run.period_key, now, RunState.SENT, first, "")
    engine.keep_turn()
    return []


@DBOS.step(name="planbot.begin")
def _begin(attempt: str) -> str:
    return attempt


def _resumed(this_attempt: str, what: str) -> bool:
    """Whether this workflow ran before (a crash, a restart, a take-over): said at WARNING."""
    resumed = _begin(this_attempt) != this_attempt
    if resumed:
        logger.warning(
            "Resuming %s after an interruption (a restart, a stop, or a take-over from a process that "
            "stopped); continuing at the first post not yet delivered",
            what,
        )
    return resumed


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


@DBOS.step(name="planbot.post")
def _post(
    key: str, channel: Target, place: int, part: object, thread: str | None, ambiguous: bool, attempt: str
) -> tuple[str, str]:
    """One message, when its channel's interval has passed; the platform call last, so a step cut
    off mid-call runs again after recovery, and then looks for the post by its key first."""
    notifier = _scheduler().notifier_for(channel.platform)
    assert notifier is not None
    where = str(channel)
    engine.pace(where)
    try:
        if isinstance(notifier, PostsInParts):
            ts = _attempts(
                lambda again: notifier.post_part(channel.address, part, f"{key}#{place}", thread, again), ambiguous
            )
        else:
            ts = _attempts(lambda again: notifier.post_to_channel(channel.address, part, key, again), ambiguous)
    finally:
        engine.posted(where)
    return ts, attempt


def _direct_pass(run: DueRun, now: dt.datetime) -> list[str]:
    """Each direct message a step, its outcome another; then, for nudges, the list of who was
    messaged to the nudge channels, read back from what was delivered."""
    this_attempt = uuid.uuid4().hex
    ambiguous = _resumed(this_attempt, run_id(run.job, PASS_TARGET, run.period_key))
    chosen = _select(run, now)
    for message, platform in chosen:
        engine.GATE.check()
        try:
            ts, by = _send_direct(message, platform, ambiguous, this_attempt)
        except Exception as error:
            _record(message.job, platform, message.target, message.period_key, now, RunState.FAILED, None, _why(error))
            continue
        ambiguous = by != this_attempt
        _record(message.job, platform, message.target, message.period_key, now, RunState.SENT, ts, "")
    if run.job is not JobName.NUDGES:
        return []
    digest = nudge_digest(_delivered(chosen))
    return [] if digest is None else _to_channels(run, now, "nudges", digest)


@DBOS.step(name="planbot.select")
def _select(run: DueRun, now: dt.datetime) -> list[tuple[DirectMessage, str]]:
    scheduler = _scheduler()
    platforms: dict[int, str] = {}

    def platform(person_id: int) -> str:
        if person_id not in platforms:
            platforms[person_id] = scheduler.platform_of(person_id)
        return platforms[person_id]

    def words_of(person_id: int) -> CommandWords:
        return scheduler.notifiers[platform(person_id)].words

    with scheduler.container.unit_of_work() as repo:
        if run.job is JobName.NUDGES:
            messages = nudges_and_escalations(
                repo, run.period_key, now, scheduler.scheme or plan_scheme(repo), words_of
            )
        else:
            assert run.quarter is not None
            messages = quarter_close_reminders(repo, run.quarter, scheduler.scheme or plan_scheme(repo), now)
    return [(m, platform(m.recipient.person_id)) for m in messages]


@DBOS.step(name="planbot.send_direct")
def _send_direct(message: DirectMessage, platform: str, ambiguous: bool, attempt: str) -> tuple[str, str]:
    notifier = _scheduler().notifier_for(platform)
    assert notifier is not None
    key = run_id(message.job, message.target, message.period_key, platform)
    return _attempts(lambda again: notifier.send_direct(message.recipient, message, key, again), ambiguous), attempt


def _attempts(send: Callable[[bool], str], ambiguous: bool) -> str:
    """Call the platform (through the stop gate) up to ``POST_ATTEMPTS`` times, ``RETRY_AFTER_SECONDS``
    apart, for a post it refused (the bot not in the channel yet: an admin is told and may fix it).
    Rate limits and lost answers are retried inside the notifier; a retry here looks first. A target
    the platform says cannot be reached (``Undeliverable``) is not tried again."""
    for attempt in range(1, POST_ATTEMPTS + 1):
        try:
            with engine.GATE.post():
                return send(ambiguous or attempt > 1)
        except Undeliverable:
            raise
        except Exception:
            if attempt == POST_ATTEMPTS:
                raise
            logger.warning(
                "Post refused (attempt %d of %d); trying again in %.0f s",
                attempt,
                POST_ATTEMPTS,
                RETRY_AFTER_SECONDS,
                exc_info=True,
            )
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
            if (found := repo.job_run(m.job, m.target, m.period_key, platform)) and found.state == RunState.SENT
        ]


@DBOS.step(name="planbot.freeze")
def _freeze(run: DueRun, now: dt.datetime) -> None:
    scheduler = _scheduler()
    assert run.quarter is not None
    with scheduler.container.unit_of_work() as repo:
        frozen = scheduler.reports.run_quarter_freeze(repo, run.quarter, now)
    if frozen and scheduler.on_frozen is not None:
        scheduler.on_frozen(run.quarter, now)
    state, why = (RunState.SENT, "") if frozen else (RunState.FAILED, "the cut-off has not passed yet")
    _write_record(run.job, SLACK, PASS_TARGET, run.period_key, now, state, "" if frozen else None, why)


def _why(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


@DBOS.step(name="planbot.record")
def _record(
    job: str,
    platform: str,
    target: str,
    period_key: str,
    started: dt.datetime,
    state: RunState,
    ts: str | None,
    detail: str,
) -> None:
    """Keep a run's state in ``JobRun`` (a step, so a replayed run does not record twice)."""
    _write_record(job, platform, target, period_key, started, state, ts, detail)


def _write_record(
    job: str,
    platform: str,
    target: str,
    period_key: str,
    started: dt.datetime,
    state: RunState,
    ts: str | None,
    detail: str,
) -> None:
    """Both ``claimed_at`` and ``finished_at`` are the run's moment (when its pass began), as every
    rule reads them (the nudges' seven days, the digest windows), however long it took to deliver."""
    scheduler = _scheduler()
    finished = None if state is RunState.CLAIMED else started
    with scheduler.container.unit_of_work() as repo:
        existing = repo.job_run(job, target, period_key, platform)
        if existing is None:
            repo.insert_once(
                JobRun(
                    job=job,
                    platform=platform,
                    target=target,
                    period_key=period_key,
                    state=state.value,
                    claimed_at=started,
                    finished_at=finished,
                    message_ts=ts,
                    detail=detail,
                )
            )
        else:
            repo.update_job_run(
                existing,
                existing.state,
                {"state": state.value, "finished_at": finished, "message_ts": ts, "detail": detail},
            )
    if state is RunState.FAILED:
        logger.warning("Could not deliver %s to %s:%s for %s: %s", job, platform, target, period_key, detail)


class PlanReports:
    """The builders of ``commands.report_builders`` and ``commands.quarterly``, as the scheduler's ``ReportSource``."""

    def __init__(self, scheme: RagScheme | None = None) -> None:
        """``scheme``: the colours to report in; ``None``, each plan's own (``commands.rag_scheme``)."""
        self.scheme = scheme

    def weekly_digest(self, repo: PlanRepository, now: dt.datetime, channel: Target | None = None) -> object:
        return weekly_digest(repo, now, scheme=self.scheme or plan_scheme(repo), channel=channel)

    def quarterly_summary(self, repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> object:
        return quarterly_summary(repo, quarter, now, self.scheme or plan_scheme(repo))

    def run_quarter_freeze(self, repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> bool:
        return freeze_if_cut_off_passed(repo, quarter, now)


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
    on_frozen: Callable[[Quarter, dt.datetime], object] | None = None,
) -> SchedulerThread:
    """Launch DBOS (resuming this process's unfinished runs), declare the schedules, and start a
    first pass (with a sweep for the runs of processes that stopped) in the background."""
    scheduler = Scheduler(container, notifiers, report_source or PlanReports(), config, on_frozen=on_frozen)
    engine.launch(container.settings, engine.process_id(container.settings), platforms=list(notifiers))
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

    def first_pass() -> None:
        engine.sweep()
        scheduler.tick(container.clock(), wait=False)

    return SchedulerThread(scheduler, engine.start_background(first_pass, "planbot-catch-up"))
