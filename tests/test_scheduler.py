"""The scheduler against a real database: posts once per channel and period, survives a crash between
claiming and posting, and two schedulers on one database post once between them."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import time_machine
from dbos import DBOS
from sqlalchemy.engine import Engine
from sqlmodel import select
from support.engine_support import engine_settings

from bot import engine
from bot.config import Settings
from bot.container import Container
from bot.scheduler import PlanReports, Scheduler, start_scheduler_thread
from commands.periods import Quarter
from commands.plan_file import load_plan
from commands.ports import Recipient, Target
from commands.report_model import Digest, QuarterlySummary
from commands.testing import RecordingNotifier
from storage.db import make_engine, session_scope
from storage.models import ChannelSubscription, JobRun, QuarterSnapshot
from storage.plan_import import import_plan
from storage.repository import PlanRepository

DIGEST_CHANNEL = "C0DIGEST"
SUBSCRIBED = "C0COORD"
GOVERNANCE = "C0GOVERN"
MONDAY_0900 = dt.datetime(2018, 11, 26, 9, 0)  # GMT: 09:00 in London
FRIDAY_1630 = dt.datetime(2018, 11, 30, 16, 30)  # GMT: 16:30 in London


class FakeReports:
    """Report content as opaque values naming what was asked for, so tests can tell reports apart."""

    def weekly_digest(self, repo: PlanRepository, now: dt.datetime, channel: Target | None = None) -> object:
        return ("digest", now)

    def quarterly_summary(self, repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> object:
        return ("summary", quarter.key)

    def run_quarter_freeze(self, repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> bool:
        self.frozen.append((quarter.key, now))
        return True

    def __init__(self) -> None:
        self.frozen: list[tuple[str, dt.datetime]] = []


class ProcessKilled(BaseException):
    """Stands for the process dying: not an ``Exception``, so nothing records the run as failed."""


class KilledOnPost(RecordingNotifier):
    def __init__(self) -> None:
        super().__init__()
        self.called = threading.Event()

    def post_to_channel(self, channel: str, content: object, key: str | None = None, resuming: bool = False) -> str:
        self.called.set()
        raise ProcessKilled


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class RefusesOnce(RecordingNotifier):
    """Refuses the first post (as Slack does for a channel the bot is not in yet), then delivers."""

    refused = 0

    def post_to_channel(self, channel: str, content: object, key: str | None = None, resuming: bool = False) -> str:
        if not self.refused:
            self.refused += 1
            raise RuntimeError("not_in_channel")
        return super().post_to_channel(channel, content, key, resuming)


class SlowNotifier(RecordingNotifier):
    """Takes a moment to post, as Slack does, so that racing schedulers overlap."""

    def post_to_channel(self, channel: str, content: object, key: str | None = None, resuming: bool = False) -> str:
        time.sleep(0.05)
        return super().post_to_channel(channel, content, key, resuming)

    def send_direct(self, recipient: Recipient, content: object, key: str | None = None, resuming: bool = False) -> str:
        time.sleep(0.01)
        return super().send_direct(recipient, content, key, resuming)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, digest_channels=(DIGEST_CHANNEL,), quarterly_channels=(GOVERNANCE,))


@pytest.fixture
def container(settings: Settings, engine: Engine) -> Container:
    return Container(settings, engine)


@pytest.fixture
def second_container(settings: Settings, engine: Engine) -> Iterator[Container]:
    """Another bot process: its own engine and connections on the same database."""
    other = make_engine(settings.database_url)
    try:
        yield Container(settings, other)
    finally:
        other.dispose()


def subscribe(container: Container, channel: str, job: str) -> None:
    with container.unit_of_work() as repo:
        repo.add(ChannelSubscription(channel=channel, job=job, created_at=MONDAY_0900, created_by="tests"))


def load_sample_plan(container: Container, sample_plan_path: Path) -> None:
    with container.unit_of_work() as repo:
        import_plan(repo, load_plan(sample_plan_path), actor="tests", at=dt.datetime(2017, 4, 1, 9, 0))


def runs(container: Container, job: str | None = None) -> list[tuple[str, str, str, str, int]]:
    """Every run recorded (of ``job`` when given), by job then target."""
    with container.unit_of_work() as repo:
        rows = repo.session.exec(select(JobRun).order_by(JobRun.job, JobRun.target))
        return [(r.job, r.target, r.period_key, r.state, r.attempts) for r in rows if job in (None, r.job)]


@pytest.mark.usefixtures("delivery_engine")
class TestTick:
    def test_digest_posted_once_to_each_channel(self, container: Container) -> None:
        """Monday 09:00: the configured and the subscribed channel each get the digest; a second pass posts nothing."""
        subscribe(container, SUBSCRIBED, "weekly")
        notifier = RecordingNotifier()
        scheduler = Scheduler(container, {"slack": notifier}, FakeReports())
        scheduler.tick(MONDAY_0900)
        assert sorted([DIGEST_CHANNEL, SUBSCRIBED]) == sorted(notifier.targets())  # each channel its own run
        assert [("digest", MONDAY_0900)] * 2 == [d.content for d in notifier.deliveries]
        scheduler.tick(MONDAY_0900)
        scheduler.tick(MONDAY_0900 + dt.timedelta(hours=6))
        assert 2 == len(notifier.deliveries)
        assert [
            ("weekly_digest", SUBSCRIBED, "2018-W48", "sent", 1),
            ("weekly_digest", DIGEST_CHANNEL, "2018-W48", "sent", 1),
        ] == [run for run in runs(container) if run[0] == "weekly_digest"]

    def test_a_channel_subscribed_after_the_digest_went_out_gets_it_at_the_next_pass(
        self, container: Container
    ) -> None:
        """The pass that remembers Monday's digest as done still posts it to a channel subscribed since."""
        notifier = RecordingNotifier()
        scheduler = Scheduler(container, {"slack": notifier}, FakeReports())
        scheduler.tick(MONDAY_0900)
        scheduler.tick(MONDAY_0900 + dt.timedelta(minutes=15))
        assert [DIGEST_CHANNEL] == notifier.targets()

        subscribe(container, SUBSCRIBED, "weekly")
        scheduler.tick(MONDAY_0900 + dt.timedelta(minutes=30))
        scheduler.tick(MONDAY_0900 + dt.timedelta(minutes=45))

        assert [DIGEST_CHANNEL, SUBSCRIBED] == notifier.targets()

    def test_finished_deliveries_are_forgotten_after_sixty_days(self, container: Container) -> None:
        """The engine's rows of a delivered digest are kept 60 days (longer than any run's catch-up
        window, so it is never started twice), then deleted; planbot's own record of it stays."""
        notifier = RecordingNotifier()
        Scheduler(container, {"slack": notifier}, FakeReports()).tick(MONDAY_0900)
        digests = runs(container, "weekly_digest")
        finished = {w.workflow_id for w in DBOS.list_workflows(status="SUCCESS", load_input=False, load_output=False)}
        assert any(w.startswith("weekly_digest/") for w in finished)
        now = dt.datetime.now(dt.UTC)

        assert 0 == engine.prune(now + engine.KEEP_FINISHED - dt.timedelta(days=1))
        assert len(finished) == engine.prune(now + engine.KEEP_FINISHED + dt.timedelta(days=1))

        assert [] == DBOS.list_workflows(workflow_ids=sorted(finished), load_input=False, load_output=False)
        assert digests == runs(container, "weekly_digest")
        assert 1 == len(notifier.deliveries)

    def test_nothing_before_its_time(self, container: Container) -> None:
        """At 08:59 on Monday nothing is posted."""
        notifier = RecordingNotifier()
        Scheduler(container, {"slack": notifier}, FakeReports()).tick(MONDAY_0900 - dt.timedelta(minutes=1))
        assert [] == notifier.targets()

    def test_restart_catches_up_a_missed_digest(self, container: Container) -> None:
        """The bot was down all Monday morning; started at 14:00 it posts the digest once, late."""
        notifier = RecordingNotifier()
        Scheduler(container, {"slack": notifier}, FakeReports()).tick(dt.datetime(2018, 11, 26, 14, 0))
        assert [DIGEST_CHANNEL] == notifier.targets()

    def test_refused_post_retried_later(self, container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
        """Slack refuses the first post; the post's step tries again after ``RETRY_AFTER_SECONDS`` and
        delivers it once; the run is recorded sent."""
        monkeypatch.setattr("bot.scheduler.RETRY_AFTER_SECONDS", 0.1)
        notifier = RefusesOnce()
        scheduler = Scheduler(container, {"slack": notifier}, FakeReports())
        scheduler.tick(MONDAY_0900)
        scheduler.tick(MONDAY_0900 + dt.timedelta(minutes=10))
        assert [DIGEST_CHANNEL] == notifier.targets()
        assert [("weekly_digest", DIGEST_CHANNEL, "2018-W48", "sent", 1)] == runs(container, "weekly_digest")


def race(schedulers: list[Scheduler], now: dt.datetime) -> None:
    """Start a pass of each scheduler at the same instant, each in its own thread, and wait for all."""
    barrier = threading.Barrier(len(schedulers))
    errors: list[BaseException] = []

    def one(scheduler: Scheduler) -> None:
        barrier.wait(timeout=10)
        try:
            scheduler.tick(now)
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=one, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [] == errors


@pytest.mark.usefixtures("delivery_engine")
class TestCrashAndRace:
    def test_restart_in_the_middle_of_a_digest(self, container: Container, tmp_path: Path) -> None:
        """The process dies as it posts; restarted with the same process id, it completes the digest once."""
        killed = KilledOnPost()
        Scheduler(container, {"slack": killed}, FakeReports()).tick(MONDAY_0900, wait=False)
        assert killed.called.wait(10)
        engine.shutdown(timeout=5)
        assert [("weekly_digest", DIGEST_CHANNEL, "2018-W48", "claimed", 1)] == runs(container, "weekly_digest")

        notifier = RecordingNotifier()
        Scheduler(container, {"slack": notifier}, FakeReports())
        engine.launch(engine_settings(tmp_path), "test", sweep_every=None)
        wait_until(lambda: runs(container, "weekly_digest")[0][3] != "claimed")
        assert [DIGEST_CHANNEL] == notifier.targets()
        assert [("weekly_digest", DIGEST_CHANNEL, "2018-W48", "sent", 1)] == runs(container, "weekly_digest")

    def test_two_schedulers_race_for_the_same_runs(self, container: Container, second_container: Container) -> None:
        """Two processes pass at the same moment, three weeks running: each digest reaches each channel once."""
        subscribe(container, SUBSCRIBED, "weekly")
        notifier = SlowNotifier()
        schedulers = [Scheduler(c, {"slack": notifier}, FakeReports()) for c in (container, second_container)]
        for week in range(3):
            race(schedulers, MONDAY_0900 + dt.timedelta(weeks=week))
        assert sorted([DIGEST_CHANNEL, SUBSCRIBED] * 3) == sorted(notifier.targets())
        assert 6 == len({(d.target, d.content) for d in notifier.deliveries})

    def test_racing_nudge_passes_message_each_person_once(
        self, container: Container, second_container: Container, sample_plan_path: Path
    ) -> None:
        """Both processes run Monday's 10:00 nudges; every owner and SRO hears about each action once."""
        load_sample_plan(container, sample_plan_path)
        notifier = SlowNotifier()
        schedulers = [Scheduler(c, {"slack": notifier}, FakeReports()) for c in (container, second_container)]
        race(schedulers, dt.datetime(2018, 11, 26, 10, 0))
        direct = [(d.target, getattr(d.content, "period_key", None)) for d in notifier.deliveries]
        assert direct, "the sample plan has unreported actions, so someone is nudged"
        assert len(direct) == len(set(direct))


def travel_ticks(
    scheduler: Scheduler, notifier: RecordingNotifier, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, str]]:
    """Step the wall clock every 15 minutes from ``start`` to ``end``, a pass at each step; (time, target) per post."""
    seen: list[tuple[dt.datetime, str]] = []
    moment = start
    while moment <= end:
        before = len(notifier.deliveries)
        scheduler.tick(moment)
        seen += [(moment, d.target) for d in notifier.deliveries[before:]]
        moment += dt.timedelta(minutes=15)
    return seen


@pytest.mark.usefixtures("delivery_engine")
class TestTimeTravel:
    def test_march_clock_change_and_quarter_end(self, container: Container) -> None:
        """Over the weekend the clocks go forward and 2018/19 ends: Monday 1 April's digest and Q4 summary
        go out at 09:00 BST (08:00 UTC), once each."""
        notifier = RecordingNotifier()
        scheduler = Scheduler(container, {"slack": notifier}, FakeReports())
        seen = travel_ticks(scheduler, notifier, dt.datetime(2019, 3, 30, 12), dt.datetime(2019, 4, 2, 12))
        at_eight = dt.datetime(2019, 4, 1, 8, 0)
        assert [(at_eight, DIGEST_CHANNEL), (at_eight, GOVERNANCE)] == sorted(seen)
        assert ("summary", "FY2018-19-Q4") in [d.content for d in notifier.deliveries]

    def test_october_clock_change(self, container: Container) -> None:
        """After the clocks go back on 27 October 2019, Monday's digest goes out at 09:00 GMT (09:00 UTC)."""
        notifier = RecordingNotifier()
        scheduler = Scheduler(container, {"slack": notifier}, FakeReports())
        seen = travel_ticks(scheduler, notifier, dt.datetime(2019, 10, 26, 12), dt.datetime(2019, 10, 29, 12))
        assert [(dt.datetime(2019, 10, 28, 9, 0), DIGEST_CHANNEL)] == seen

    def test_no_nudges_on_easter_monday(self, container: Container, sample_plan_path: Path) -> None:
        """Easter Monday 2019 is a bank holiday: the digest still goes on Monday; the nudges missed since
        Thursday wait for Tuesday's working morning (08:00 BST), and Tuesday's own pass at 10:00 BST
        messages no one twice."""
        load_sample_plan(container, sample_plan_path)
        notifier = RecordingNotifier()
        scheduler = Scheduler(container, {"slack": notifier}, FakeReports())
        seen = travel_ticks(scheduler, notifier, dt.datetime(2019, 4, 21, 12), dt.datetime(2019, 4, 23, 12))
        assert [(dt.datetime(2019, 4, 22, 8, 0), DIGEST_CHANNEL)] == [(m, t) for m, t in seen if m.day == 22]
        nudged = [(moment, target) for moment, target in seen if moment.day == 23]
        assert nudged and {dt.datetime(2019, 4, 23, 7, 0)} == {moment for moment, _ in nudged}
        assert all(target.startswith("person:") for _, target in nudged)
        about = [(d.target, d.content.job, d.content.action_code) for d in notifier.deliveries[1:]]
        assert len(nudged) == len(about) == len(set(about))  # no one twice about the same action

    def test_quarter_close_reminder_and_summary(self, container: Container, sample_plan_path: Path) -> None:
        """Reminders go to owners at 10:00 on 13 December 2018; the Q3 summary waits for 09:00 on 2 January."""
        load_sample_plan(container, sample_plan_path)
        notifier = RecordingNotifier()
        scheduler = Scheduler(container, {"slack": notifier}, FakeReports())
        travel_ticks(scheduler, notifier, dt.datetime(2018, 12, 13, 9), dt.datetime(2018, 12, 13, 11))
        reminders = [d for d in notifier.deliveries if getattr(d.content, "job", "") == "quarter_close_reminder"]
        assert reminders and all(d.target.startswith("person:") for d in reminders)
        assert len(reminders) == len({d.target for d in reminders})
        seen = travel_ticks(scheduler, notifier, dt.datetime(2019, 1, 1, 6), dt.datetime(2019, 1, 2, 12))
        assert (dt.datetime(2019, 1, 2, 9, 0), GOVERNANCE) in seen
        assert GOVERNANCE not in [target for moment, target in seen if moment.day == 1]

    def test_snapshot_frozen_once_after_the_cut_off(self, container: Container) -> None:
        """Q3's cut-off is Tuesday 15 January 2019 (ten working days after 31 December): frozen at 06:00 on the 16th."""
        reports = FakeReports()
        scheduler = Scheduler(container, {"slack": RecordingNotifier()}, reports)
        with time_machine.travel(dt.datetime(2019, 1, 15, 12, tzinfo=dt.UTC), tick=False) as traveller:
            for minutes in range(0, 24 * 60, 15):
                traveller.move_to(dt.datetime(2019, 1, 15, 12, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes))
                scheduler.tick(container.clock())
        assert [("FY2018-19-Q3", dt.datetime(2019, 1, 16, 6, 0))] == reports.frozen


@pytest.mark.usefixtures("delivery_engine")
class TestRealReports:
    def test_digest_and_summary_built_by_the_report_builders(
        self, container: Container, sample_plan_path: Path
    ) -> None:
        """With the real builders, channels receive a digest on Monday and the quarter's summary on 2 January."""
        load_sample_plan(container, sample_plan_path)
        notifier = RecordingNotifier()
        scheduler = Scheduler(container, {"slack": notifier}, PlanReports())
        scheduler.tick(MONDAY_0900)
        assert [Digest] == [type(d.content) for d in notifier.deliveries if d.target == DIGEST_CHANNEL]
        scheduler.tick(dt.datetime(2019, 1, 2, 9, 0))
        summaries = [d.content for d in notifier.deliveries if d.target == GOVERNANCE]
        assert 1 == len(summaries) and isinstance(summaries[0], QuarterlySummary)

    def test_the_quarter_is_handed_on_once_its_freeze_is_committed(
        self, container: Container, sample_plan_path: Path, db_url: str
    ) -> None:
        """After Q3's cut-off the freeze job hands the quarter on (the live scheduler draws its Panel
        charts in another process): once, and only when another connection can read the snapshot."""
        load_sample_plan(container, sample_plan_path)
        handed: list[tuple[Quarter, int]] = []

        def on_frozen(quarter: Quarter, _now: dt.datetime) -> None:
            reader = make_engine(db_url)
            try:
                with session_scope(reader) as session:
                    rows = session.exec(select(QuarterSnapshot).where(QuarterSnapshot.quarter_key == quarter.key))
                    handed.append((quarter, len(rows.all())))
            finally:
                reader.dispose()

        scheduler = Scheduler(container, {"slack": RecordingNotifier()}, PlanReports(), on_frozen=on_frozen)
        for hour in range(5, 8):
            scheduler.tick(dt.datetime(2019, 1, 16, hour, 0))
        assert [Quarter(2018, 3)] == [quarter for quarter, _ in handed]
        assert handed[0][1] > 0, "the snapshot was not yet committed when the quarter was handed on"


class TestConfiguration:
    def test_channels_from_the_environment(self) -> None:
        """Comma-separated channel ids, spaces and empty items ignored; unset means none."""
        settings = Settings.from_env({"PLANBOT_DIGEST_CHANNELS": " C0A, C0B ,,", "PLANBOT_QUARTERLY_CHANNELS": "C0Q"})
        assert ("C0A", "C0B") == settings.digest_channels
        assert {"weekly": ("C0A", "C0B"), "quarterly": ("C0Q",), "nudges": ()} == settings.report_channels


class TestThread:
    def test_background_thread_catches_up_and_stops(self, settings: Settings, engine: Engine, tmp_path: Path) -> None:
        """Started after Monday 09:00, the thread's first pass posts the digest; stop() ends it promptly."""
        own = engine_settings(tmp_path)
        with_engine = replace(
            settings,
            jobs_database_url=own.jobs_database_url,
            queue_poll_seconds=own.queue_poll_seconds,
            post_interval_seconds=own.post_interval_seconds,
        )
        container = Container(with_engine, engine, clock=lambda: MONDAY_0900 + dt.timedelta(minutes=30))
        notifier = RecordingNotifier()
        running = start_scheduler_thread(container, {"slack": notifier}, FakeReports())
        deadline = time.monotonic() + 10
        while not notifier.deliveries and time.monotonic() < deadline:
            time.sleep(0.01)
        running.stop(timeout=5)
        assert not running.thread.is_alive()
        assert [DIGEST_CHANNEL] == notifier.targets()


@pytest.mark.usefixtures("delivery_engine")
class TestConfiguredTimes:
    def test_digest_goes_out_at_the_configured_day_and_time(self, db_url: str, engine: Engine) -> None:
        """PLANBOT_DIGEST_TIME="FRI 16:30": nothing on Monday at 09:00, the digest on Friday at 16:30."""
        settings = Settings.from_env(
            {"DATABASE_URL": db_url, "PLANBOT_DIGEST_CHANNELS": DIGEST_CHANNEL, "PLANBOT_DIGEST_TIME": "FRI 16:30"}
        )
        notifier = RecordingNotifier()
        scheduler = Scheduler(Container(settings, engine), {"slack": notifier}, FakeReports())
        scheduler.tick(MONDAY_0900)
        assert [] == notifier.targets()
        scheduler.tick(FRIDAY_1630)
        assert [("digest", FRIDAY_1630)] == [d.content for d in notifier.deliveries]
