"""Faults while the scheduler posts a long digest through the real Slack notifier to the fake Web API
(the whole digest, as a direct message carries it: ``WholeReportNotifier``).

Each case counts what the fake received, by delivery key: every message of the digest must be in
the channel exactly once (0 duplicates, 0 losses). A "kill" is ``ProcessKilled`` raised inside the
notifier (a ``BaseException``, so neither the step nor the workflow is recorded as finished); the
restart is a second scheduler on its own engine and the delivery engine launched again under the
same process id, which resumes the digest's workflow, as a restarted process does. Whole processes
killed with signals are in tests/test_delivery_durability.py.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from support.big_plan import load_big_plan
from support.engine_support import engine_settings, restart_engine, settle
from support.fake_slack import BOT_TOKEN, FakeSlack

from bot import engine as delivery
from bot.config import Settings
from bot.container import Container
from bot.scheduler import Scheduler
from bot.slack.app import build_client
from bot.slack.delivery import Post, SlackPoster
from bot.slack.notifier import SlackNotifier
from bot.slack.report_messages import render_report
from commands.periods import Quarter
from commands.ports import Target
from commands.report_builders import weekly_digest
from storage.db import make_engine, session_scope
from storage.repository import PlanRepository

CHANNEL = "C0DIGEST01"
MONDAY = dt.datetime(2018, 12, 17, 9, 0)  # GMT: the digest's time
RESTART = MONDAY + dt.timedelta(minutes=1)
FIRST_UPDATE = dt.datetime(2018, 12, 3, 10, 0)


class ProcessKilled(BaseException):
    """Stands for kill -9: not an ``Exception``, so nothing marks the run failed."""


@pytest.fixture(scope="module")
def long_digest() -> object:
    """The big plan's digest of 17 December 2018 (one headline and its thread), built once."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'content.db'}")
        SQLModel.metadata.create_all(engine)
        with session_scope(engine) as session:
            load_big_plan(PlanRepository(session), FIRST_UPDATE)
        with session_scope(engine) as session:
            digest = weekly_digest(PlanRepository(session), MONDAY, since=FIRST_UPDATE - dt.timedelta(days=1))
        engine.dispose()
    return digest


class FixedReports:
    """The same long digest whenever it is built, so a resumed run posts the same messages."""

    def __init__(self, digest: object) -> None:
        self.digest = digest

    def weekly_digest(self, repo: PlanRepository, now: dt.datetime, channel: Target | None = None) -> object:
        return self.digest

    def quarterly_summary(self, repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> object:
        raise AssertionError("no quarterly summary is due in these cases")

    def run_quarter_freeze(self, repo: PlanRepository, quarter: Quarter, now: dt.datetime) -> bool:
        return True


class KillingPoster(SlackPoster):
    """Dies after ``after`` messages have been posted and answered, or (``in_flight``) right after
    Slack accepted the next one, before its answer is read."""

    def __init__(self, *args: object, after: int, in_flight: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.after, self.in_flight, self.sent, self.died = after, in_flight, 0, False

    def send(self, post: Post, resuming: bool = False) -> str:
        if self.died:
            raise ProcessKilled  # a dead process posts nothing more
        if self.sent == self.after and not self.in_flight:
            self.died = True
            raise ProcessKilled
        ts = super().send(post, resuming)
        self.sent += 1
        if self.sent == self.after + 1 and self.in_flight:
            self.died = True
            raise ProcessKilled
        return ts


@pytest.fixture
def digest_settings(settings: Settings) -> Settings:
    return replace(settings, digest_channels=(CHANNEL,))


@pytest.fixture
def other_engine(digest_settings: Settings, engine: Engine) -> Iterator[Engine]:
    """The restarted process's own engine on the same database."""
    other = make_engine(digest_settings.database_url)
    yield other
    other.dispose()


class WholeReportNotifier(SlackNotifier):
    """Posts the whole report to the channel, as a direct message carries it: a channel gets the core's
    summary in at most five messages, too few for a fault to land mid-run at message 6 or 14."""

    def parts(self, content: object) -> list[object]:
        return [{"text": m.text, "blocks": m.blocks} for m in render_report(content, self.scheme)]


def scheduler(settings: Settings, engine: Engine, digest: object, poster: SlackPoster | None = None) -> Scheduler:
    container = Container(settings, engine)
    client = build_client(settings, BOT_TOKEN)
    notifier = WholeReportNotifier(client, container, min_interval=0, poster=poster or fast_poster(client))
    return Scheduler(container, {"slack": notifier}, FixedReports(digest))


def fast_poster(client: object, cls: type[SlackPoster] = SlackPoster, **kwargs: object) -> SlackPoster:
    """A poster whose retries wait no real time (the waits are recorded), with a short answer timeout."""
    waits: list[float] = []
    poster = cls(client, timeout=0.5, wait=waits.append, backoff=(0.0,), **kwargs)  # type: ignore[arg-type]
    poster.waits = waits  # type: ignore[attr-defined]
    return poster


def counted(fake_slack: FakeSlack, expected: int) -> tuple[int, int]:
    """(duplicates, losses) among the messages the fake accepted, by their delivery keys."""
    keys = Counter(p["metadata"]["event_payload"]["key"] for p in fake_slack.posted if p.get("metadata"))
    duplicates = sum(n - 1 for n in keys.values())
    return duplicates, expected - len(keys)


def messages_in(digest: object) -> int:
    return len(render_report(digest))


pytestmark = pytest.mark.usefixtures("delivery_engine")


def wait_for_death(poster: KillingPoster) -> None:
    deadline = time.monotonic() + 30
    while not poster.died:
        assert time.monotonic() < deadline, "the poster was never killed"
        time.sleep(0.01)


@pytest.mark.parametrize(
    ("after", "in_flight"), [(0, False), (1, False), (6, False), (14, False), (6, True), (-1, False)]
)
def test_killed_mid_digest_then_restarted(
    long_digest, digest_settings, engine, other_engine, fake_slack, tmp_path, after: int, in_flight: bool
) -> None:
    """kill -9 before message 1, after message 1, 6, 14 and the last, and while message 7 was being
    sent: the restarted process continues at the first message not in Slack."""
    total = messages_in(long_digest)
    assert total >= 20, "the case needs a long digest"
    after = total - 1 if after == -1 else after  # the last message in flight: posted, never recorded
    client = build_client(digest_settings, BOT_TOKEN)
    killing = fast_poster(client, KillingPoster, after=after, in_flight=in_flight or after == total - 1)
    scheduler(digest_settings, engine, long_digest, killing).tick(MONDAY, wait=False)
    wait_for_death(killing)  # type: ignore[arg-type]
    posted = len(fake_slack.posted)
    restarted = scheduler(digest_settings, other_engine, long_digest)
    restart_engine(tmp_path)
    settle()
    restarted.tick(RESTART)
    assert (0, 0) == counted(fake_slack, total)
    assert posted == after + (1 if in_flight or after == total - 1 else 0)


def test_killed_before_the_first_post_then_restarted(
    long_digest, digest_settings, engine, other_engine, fake_slack, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kill -9 as the run is first recorded, before anything is built or posted: the restarted
    process posts it all once."""
    died = threading.Event()

    def dies(*args: object, **kwargs: object) -> None:
        died.set()
        raise ProcessKilled

    with monkeypatch.context() as patched:
        patched.setattr("bot.scheduler._write_record", dies)
        scheduler(digest_settings, engine, long_digest).tick(MONDAY, wait=False)
        assert died.wait(10)
        restarted = scheduler(digest_settings, other_engine, long_digest)
        delivery.shutdown(timeout=5)
    assert [] == fake_slack.posted
    delivery.launch(engine_settings(tmp_path), "test", sweep_every=None)
    settle()
    restarted.tick(RESTART)
    assert (0, 0) == counted(fake_slack, messages_in(long_digest))


def test_reset_after_slack_accepted_the_post(long_digest, digest_settings, engine, fake_slack) -> None:
    """The connection drops after Slack took the headline and again after reply 5: found, not re-sent."""
    fake_slack.post_faults = ["reset", None, None, None, None, "reset"]
    scheduler(digest_settings, engine, long_digest).tick(MONDAY)
    assert (0, 0) == counted(fake_slack, messages_in(long_digest))
    assert len(fake_slack.calls_to("conversations.history")) == 1
    assert len(fake_slack.calls_to("conversations.replies")) == 1


@pytest.mark.parametrize("faults", [[429, 429, 429], [500, 429, 429]], ids=["429x3", "500-then-429x2"])
def test_rate_limits_and_server_errors_mid_digest(long_digest, digest_settings, engine, fake_slack, faults) -> None:
    """Three 429s in a row (beyond the SDK's old shared budget of 2), or a 500 then two 429s, on reply
    3: each 429 waits Retry-After, on a budget of its own; nothing is posted twice or lost."""
    fake_slack.post_faults = [None, None, None, *faults]
    client = build_client(digest_settings, BOT_TOKEN)
    poster = fast_poster(client)
    scheduler(digest_settings, engine, long_digest, poster).tick(MONDAY)
    assert (0, 0) == counted(fake_slack, messages_in(long_digest))
    assert [1.0] * faults.count(429) == [w for w in poster.waits if w]  # type: ignore[attr-defined]


def test_answer_slower_than_the_timeout(long_digest, digest_settings, engine, fake_slack) -> None:
    """Slack answers reply 2 after the notifier gave up waiting (35 s against 10 s in production, 1.5 s
    against 0.5 s here): the post is found in the thread, not sent again."""
    fake_slack.post_faults = [None, None, 1.5]
    scheduler(digest_settings, engine, long_digest).tick(MONDAY)
    assert (0, 0) == counted(fake_slack, messages_in(long_digest))


def test_stop_mid_digest_hands_the_rest_back(long_digest, digest_settings, engine, fake_slack, tmp_path) -> None:
    """SIGTERM while the digest goes out to two channels: the posts in flight finish, the rest is
    handed back, and the next start continues each channel where it stopped; each has it once."""
    second = "C0SECOND01"
    settings = replace(digest_settings, digest_channels=(CHANNEL, second))
    stopping = scheduler(settings, engine, long_digest)

    class StopsMidway(SlackPoster):
        def send(self, post: Post, resuming: bool = False) -> str:
            if post.key and post.key.endswith("#3"):
                delivery.GATE.stopping.set()  # what the runtime's stop does first on SIGTERM
            return super().send(post, resuming)

    notifier = stopping.notifiers["slack"]
    notifier.poster = fast_poster(notifier.client, StopsMidway)  # type: ignore[attr-defined]
    stopping.tick(MONDAY, wait=False)
    deadline = time.monotonic() + 30
    while not delivery.GATE.stopping.is_set():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    delivery.shutdown(timeout=5)
    total = messages_in(long_digest)
    stopped_at = len(fake_slack.posted)
    assert 4 <= stopped_at < 2 * total
    restarted = scheduler(settings, engine, long_digest)
    delivery.launch(engine_settings(tmp_path), "test", sweep_every=None)
    settle()
    restarted.tick(RESTART)
    assert (0, 0) == counted(fake_slack, 2 * total)


def test_a_stopped_process_is_taken_over_and_a_running_one_is_not(
    long_digest, digest_settings, engine, other_engine, fake_slack, tmp_path
) -> None:
    """Process "planbot-a" dies mid-digest and never comes back. While its liveness lock is held
    (it is only slow), the sweep leaves its digest alone; once the lock is free, the sweep takes
    the digest over and finishes it at the first message not in Slack."""
    delivery.shutdown(timeout=5)
    delivery.launch(engine_settings(tmp_path), "planbot-a", sweep_every=None)
    client = build_client(digest_settings, BOT_TOKEN)
    killing = fast_poster(client, KillingPoster, after=5)
    scheduler(digest_settings, engine, long_digest, killing).tick(MONDAY, wait=False)
    wait_for_death(killing)  # type: ignore[arg-type]
    delivery.shutdown(timeout=5)  # planbot-a is gone; its digest is left pending

    slow_a = delivery.Liveness(*delivery.system_database("", engine_settings(tmp_path).jobs_database_url))
    slow_a.hold("planbot-a", 0)  # as if planbot-a were still running, only slowly
    taking_over = scheduler(digest_settings, other_engine, long_digest)
    delivery.launch(engine_settings(tmp_path), "test", sweep_every=None)
    assert 0 == delivery.sweep()
    assert 5 == len(fake_slack.posted)
    slow_a.release()
    assert 1 == delivery.sweep()
    settle()
    taking_over.tick(RESTART)
    assert (0, 0) == counted(fake_slack, messages_in(long_digest))


def test_two_processes_at_the_same_instant(long_digest, digest_settings, engine, other_engine, fake_slack) -> None:
    """Two processes on one database pass at 09:00 together: one digest in the channel."""
    racers = [scheduler(digest_settings, e, long_digest) for e in (engine, other_engine)]
    threads = [threading.Thread(target=r.tick, args=(MONDAY,)) for r in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert (0, 0) == counted(fake_slack, messages_in(long_digest))
