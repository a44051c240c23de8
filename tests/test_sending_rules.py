"""The rules applied when sending, not when a run was due: people are messaged only in working hours
(even when catching up), at most once per action in seven days counted from what was delivered;
the reminders list is read back from what was delivered; each channel's digest covers the time
since its own last digest; a caught-up report says it is late."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from support.engine_support import restart_engine, settle
from test_scheduler import DIGEST_CHANNEL, FakeReports, ProcessKilled, load_sample_plan, runs, travel_ticks, wait_until

from bot.config import Settings
from bot.container import Container
from bot.scheduler import PlanReports, Scheduler
from commands.model import Reply
from commands.nudges import DirectMessage
from commands.ports import Recipient
from commands.report_model import Digest
from commands.rules import LONDON
from commands.testing import RecordingNotifier
from storage.db import make_engine

NUDGE_CHANNEL = "C0NUDGES"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, digest_channels=(DIGEST_CHANNEL,), nudge_channels=(NUDGE_CHANNEL,))


@pytest.fixture
def container(settings: Settings, engine: Engine, sample_plan_path: Path) -> Container:
    built = Container(settings, engine)
    load_sample_plan(built, sample_plan_path)
    return built


def twice(notifier: RecordingNotifier) -> list[tuple[str, str | None]]:
    """(person, action) pairs messaged more than once."""
    about = Counter(
        (d.target, d.content.action_code) for d in notifier.deliveries if isinstance(d.content, DirectMessage)
    )
    return [key for key, count in about.items() if count > 1]


def london_hours(moments: list[dt.datetime]) -> set[tuple[int, int]]:
    """(weekday, hour) in London of each UTC moment."""
    local = [m.replace(tzinfo=dt.UTC).astimezone(LONDON) for m in moments]
    return {(m.weekday(), m.hour) for m in local}


@pytest.mark.usefixtures("delivery_engine")
class TestWorkingHours:
    @pytest.mark.parametrize(
        ("down_from", "back_at", "first_working_morning"),
        [
            # Down from Friday 09:00 until Saturday 03:00: Friday's nudges wait for Monday 08:00.
            (dt.datetime(2018, 11, 30, 9), dt.datetime(2018, 12, 1, 3), dt.datetime(2018, 12, 3, 8)),
            # Down over Christmas Eve 2026 (Thursday): not on Christmas Day, not on the 28th (Boxing Day's
            # substitute bank holiday), but on Tuesday 29 December at 08:00.
            (dt.datetime(2026, 12, 24, 9), dt.datetime(2026, 12, 25, 9), dt.datetime(2026, 12, 29, 8)),
            # Down on New Year's Eve 2026: 1 January 2027 is a bank holiday, then a weekend: Monday 4 January.
            (dt.datetime(2026, 12, 31, 9), dt.datetime(2027, 1, 1, 9), dt.datetime(2027, 1, 4, 8)),
            # The clocks go forward on Easter Sunday, 28 March 2027: after Good Friday and Easter Monday,
            # Thursday's nudges go out on Tuesday 30 March at 08:00 BST (07:00 UTC).
            (dt.datetime(2027, 3, 25, 9), dt.datetime(2027, 3, 26, 9), dt.datetime(2027, 3, 30, 7)),
            # They go back on Sunday 31 October 2027: Monday's 08:00 is 08:00 UTC again.
            (dt.datetime(2027, 10, 29, 8), dt.datetime(2027, 10, 30, 9), dt.datetime(2027, 11, 1, 8)),
        ],
        ids=["weekend", "christmas-2026", "new-year-2027", "march-2027", "october-2027"],
    )
    def test_missed_nudges_wait_for_the_next_working_morning(
        self, container: Container, down_from: dt.datetime, back_at: dt.datetime, first_working_morning: dt.datetime
    ) -> None:
        notifier = RecordingNotifier()
        scheduler = Scheduler(container, {"slack": notifier}, FakeReports())
        seen = travel_ticks(scheduler, notifier, back_at, first_working_morning + dt.timedelta(hours=3))
        moments = [moment for moment, target in seen if target.startswith("person:")]
        assert moments, "the missed nudges were caught up"
        assert first_working_morning == min(moments)
        assert all(8 <= hour < 18 and weekday < 5 for weekday, hour in london_hours(moments))
        assert [] == twice(notifier)

    def test_held_back_run_is_said_once_at_warning(
        self, container: Container, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Saturday: Friday's nudges are held back, with why, once however many passes there are."""
        scheduler = Scheduler(container, {"slack": RecordingNotifier()}, FakeReports())
        with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
            for minutes in (0, 15, 30):
                scheduler.tick(dt.datetime(2018, 12, 1, 9) + dt.timedelta(minutes=minutes))
        held = [r for r in caplog.records if "nudges for 2018-11-30 held back" in r.getMessage()]
        assert 1 == len(held) and "waiting for working hours" in held[0].getMessage()


@pytest.mark.usefixtures("delivery_engine")
class TestCountedFromWhatWasDelivered:
    def test_nudge_claimed_but_never_sent_is_sent_after_the_restart(
        self, container: Container, settings: Settings, tmp_path: Path
    ) -> None:
        """kill -9 after a nudge is claimed, before it is posted: the restarted process sends it (the
        claim is not "recently messaged"), and no one gets anything twice."""

        class DiesOnThirdDirect(RecordingNotifier):
            died = False

            def send_direct(self, recipient: Recipient, content: object, key=None, resuming=False) -> str:
                if len(self.deliveries) == 2 and not self.died:
                    self.died = True
                    raise ProcessKilled
                return super().send_direct(recipient, content, key, resuming)

        monday_10 = dt.datetime(2018, 11, 26, 10, 0)
        notifier = DiesOnThirdDirect()
        Scheduler(container, {"slack": notifier}, FakeReports()).tick(monday_10, wait=False)
        wait_until(lambda: notifier.died)
        restarted_engine = make_engine(settings.database_url)
        try:
            restarted = Scheduler(Container(settings, restarted_engine), {"slack": notifier}, FakeReports())
            restart_engine(tmp_path)
            settle()
            restarted.tick(monday_10 + dt.timedelta(minutes=11))
        finally:
            restarted_engine.dispose()
        messages = [d for d in notifier.deliveries if isinstance(d.content, DirectMessage)]
        assert [] == twice(notifier)
        nudges = runs(container, "nudge") + runs(container, "escalation")
        assert nudges and all(state == "sent" for *_, state, _ in nudges)
        assert len(messages) == len(nudges)

    def test_reminders_list_read_back_after_a_crash_while_posting_it(
        self, container: Container, settings: Settings, tmp_path: Path
    ) -> None:
        """kill -9 while the "reminders sent today" list is posted: after the restart the list names
        everyone the first attempt messaged, and goes to the channel once."""

        class DiesOnTheList(RecordingNotifier):
            died = False

            def post_to_channel(self, channel: str, content: object, key=None, resuming=False) -> str:
                if channel == NUDGE_CHANNEL and not self.died:
                    self.died = True
                    raise ProcessKilled
                return super().post_to_channel(channel, content, key, resuming)

        monday_10 = dt.datetime(2018, 11, 26, 10, 0)
        notifier = DiesOnTheList()
        Scheduler(container, {"slack": notifier}, FakeReports()).tick(monday_10, wait=False)
        wait_until(lambda: notifier.died)
        messaged = [d.content for d in notifier.deliveries if isinstance(d.content, DirectMessage)]
        assert messaged
        restarted = Scheduler(container, {"slack": notifier}, FakeReports())
        restart_engine(tmp_path)
        settle()
        restarted.tick(monday_10 + dt.timedelta(minutes=11))
        [listed] = [d.content for d in notifier.deliveries if d.target == NUDGE_CHANNEL]
        assert isinstance(listed, Reply)
        assert all(m.recipient.name in listed.text for m in messaged)
        assert len(messaged) == len(listed.sections[0].lines)

    def test_two_processes_catching_up_two_days_of_nudges(self, container: Container, settings: Settings) -> None:
        """Both start on Tuesday after missing Monday's and Tuesday's nudges: Monday's is superseded, so
        between them each person hears about each action once."""
        notifier = RecordingNotifier()
        other = make_engine(settings.database_url)
        try:
            racers = [Scheduler(c, {"slack": notifier}, FakeReports()) for c in (container, Container(settings, other))]
            tuesday = dt.datetime(2018, 11, 27, 10, 5)
            threads = [threading.Thread(target=r.tick, args=(tuesday,)) for r in racers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        finally:
            other.dispose()
        assert any(isinstance(d.content, DirectMessage) for d in notifier.deliveries)
        assert [] == twice(notifier)


@pytest.mark.usefixtures("delivery_engine")
class TestDigestWindowsAndLateness:
    def test_each_channel_digest_starts_at_its_own_last_digest(self, container: Container) -> None:
        """The second channel's digest, retried a day later, covers the week since that channel's own
        last digest, not the few hours since the first channel's."""
        second = "C0SECOND"
        settings = Settings(database_url=container.settings.database_url, digest_channels=(DIGEST_CHANNEL, second))
        both = Container(settings, container.engine)
        notifier = RecordingNotifier()
        scheduler = Scheduler(both, {"slack": notifier}, PlanReports())
        scheduler.tick(dt.datetime(2018, 11, 19, 9, 0))  # both channels get week 47's digest
        only_first = Scheduler(container, {"slack": notifier}, PlanReports())
        only_first.tick(dt.datetime(2018, 11, 26, 9, 0))  # week 48: the second channel is not reached
        scheduler.tick(dt.datetime(2018, 11, 27, 9, 0))  # caught up for the second channel a day late
        digests = {d.target: d.content for d in notifier.deliveries if isinstance(d.content, Digest)}  # the newest
        assert isinstance(digests[second], Digest) and isinstance(digests[DIGEST_CHANNEL], Digest)
        assert dt.datetime(2018, 11, 19, 9, 0) == digests[second].since
        assert dt.datetime(2018, 11, 19, 9, 0) == digests[DIGEST_CHANNEL].since

    def test_caught_up_digest_says_it_is_late(self, container: Container, caplog: pytest.LogCaptureFixture) -> None:
        """Down all Monday, back on Tuesday: the digest says it is Monday's, sent late, and the log says why."""
        notifier = RecordingNotifier()
        with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
            Scheduler(container, {"slack": notifier}, PlanReports()).tick(dt.datetime(2018, 11, 27, 8, 0))
        [digest] = [d.content for d in notifier.deliveries if d.target == DIGEST_CHANNEL]
        assert "This is Monday's digest, sent late after an outage." == digest.late
        assert "weekly_digest for 2018-W48 is late" in caplog.text

    def test_digest_on_time_says_nothing_about_lateness(self, container: Container) -> None:
        notifier = RecordingNotifier()
        Scheduler(container, {"slack": notifier}, PlanReports()).tick(dt.datetime(2018, 11, 26, 9, 1))
        [digest] = [d.content for d in notifier.deliveries if d.target == DIGEST_CHANNEL]
        assert "" == digest.late
