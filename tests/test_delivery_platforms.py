"""Every delivery target names its platform: subscriptions and job runs carry it, the scheduler hands
each post to that platform's notifier, and rows stored before platforms were named are Slack's."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from test_scheduler import DIGEST_CHANNEL, MONDAY_0900, FakeReports

from bot.config import Settings
from bot.container import Container
from bot.scheduler import Scheduler
from bot.slack.notifier import SlackNotifier
from bot.teams.notifier import TeamsNotifier
from commands.nudges import NUDGE, DirectMessage, nudges_and_escalations
from commands.plan_file import load_plan
from commands.rules import DEFAULT_SCHEME
from commands.testing import RecordingNotifier
from storage.db import make_engine
from storage.migrate import upgrade_to, upgrade_to_head
from storage.models import ChannelSubscription, JobRun, PlatformIdentity
from storage.plan_import import import_plan

TEAMS_CHANNEL = "19:pcp-coordination@thread.tacv2"
NUDGE_DAY = dt.datetime(2018, 11, 26, 10, 0)  # Monday 10:00 GMT: the nudges pass


@pytest.fixture
def container(db_url: str, engine: Engine) -> Container:
    return Container(Settings(database_url=db_url, digest_channels=(DIGEST_CHANNEL,)), engine)


def subscribe(container: Container, platform: str, channel: str) -> None:
    with container.unit_of_work() as repo:
        repo.add(
            ChannelSubscription(
                platform=platform, channel=channel, job="weekly", created_at=MONDAY_0900, created_by="t"
            )
        )


def delivered_runs(container: Container) -> list[tuple[str, str, str]]:
    with container.unit_of_work() as repo:
        rows = repo.session.exec(select(JobRun).where(JobRun.job == "weekly_digest").order_by(JobRun.platform))
        return [(r.platform, r.target, r.state) for r in rows]


@pytest.mark.usefixtures("delivery_engine")
class TestChannelsByPlatform:
    def test_each_channel_gets_the_digest_from_its_own_platform(self, container: Container) -> None:
        """A Teams conversation subscribed beside the Slack channel: each notifier posts only its own."""
        subscribe(container, "teams", TEAMS_CHANNEL)
        slack, teams = RecordingNotifier(), RecordingNotifier()
        Scheduler(container, {"slack": slack, "teams": teams}, FakeReports()).tick(MONDAY_0900)
        assert [DIGEST_CHANNEL] == slack.targets()
        assert [TEAMS_CHANNEL] == teams.targets()
        assert [("slack", DIGEST_CHANNEL, "sent"), ("teams", TEAMS_CHANNEL, "sent")] == delivered_runs(container)

    def test_a_platform_this_process_does_not_run_is_left_unclaimed(
        self, container: Container, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A Slack-only process posts the Slack digest, says why it skipped Teams, and claims nothing
        for it, so a process that runs Teams still posts it."""
        subscribe(container, "teams", TEAMS_CHANNEL)
        slack = RecordingNotifier()
        with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
            Scheduler(container, {"slack": slack}, FakeReports()).tick(MONDAY_0900)
        assert [DIGEST_CHANNEL] == slack.targets()
        assert [("slack", DIGEST_CHANNEL, "sent")] == delivered_runs(container)
        assert f"Channel {TEAMS_CHANNEL} is on teams, which this process does not run" in caplog.text
        teams = RecordingNotifier()
        Scheduler(container, {"slack": RecordingNotifier(), "teams": teams}, FakeReports()).tick(MONDAY_0900)
        assert [TEAMS_CHANNEL] == teams.targets()

    def test_a_scheduler_without_any_platform_is_refused(self, container: Container) -> None:
        with pytest.raises(ValueError, match="at least one platform"):
            Scheduler(container, {}, FakeReports())


@pytest.mark.usefixtures("delivery_engine")
class TestDirectMessagesByPlatform:
    def test_people_are_nudged_where_they_last_used_planbot(self, container: Container, sample_plan_path: Path) -> None:
        """Someone on both platforms, seen last on Teams, is nudged there and only there; people
        planbot has never seen are nudged on Slack, the first platform configured."""
        with container.unit_of_work() as repo:
            import_plan(repo, load_plan(sample_plan_path), actor="tests", at=dt.datetime(2017, 4, 1, 9, 0))
        someone = _first_nudged_person(container)
        with container.unit_of_work() as repo:
            repo.add(PlatformIdentity(platform="slack", external_id="U1", person_id=someone, seen_at=MONDAY_0900))
            later = MONDAY_0900 + dt.timedelta(minutes=5)
            repo.add(PlatformIdentity(platform="teams", external_id="29:1", person_id=someone, seen_at=later))
        slack, teams = RecordingNotifier(), RecordingNotifier()
        Scheduler(container, {"slack": slack, "teams": teams}, FakeReports()).tick(NUDGE_DAY)
        assert {f"person:{someone}"} == set(teams.targets())
        assert slack.targets() and f"person:{someone}" not in slack.targets()

    def test_each_nudge_asks_for_the_update_as_typed_on_the_platform_that_delivers_it(
        self, container: Container, sample_plan_path: Path
    ) -> None:
        """The same pass nudges someone seen last on Teams with ``rag V9 …`` and everyone else, on
        Slack, with ``/rag V9 …``: the words are those of the notifier that delivers each message."""
        with container.unit_of_work() as repo:
            import_plan(repo, load_plan(sample_plan_path), actor="tests", at=dt.datetime(2017, 4, 1, 9, 0))
        someone = _first_nudged_person(container)
        with container.unit_of_work() as repo:
            repo.add(PlatformIdentity(platform="teams", external_id="29:1", person_id=someone, seen_at=MONDAY_0900))
        slack, teams = RecordingNotifier(words=SlackNotifier.words), RecordingNotifier(words=TeamsNotifier.words)
        Scheduler(container, {"slack": slack, "teams": teams}, FakeReports()).tick(NUDGE_DAY)

        for notifier, rag in ((slack, "/rag"), (teams, "rag")):
            nudges = [d.content for d in notifier.deliveries if isinstance(d.content, DirectMessage)]
            nudges = [m for m in nudges if m.job == NUDGE]
            assert nudges
            for message in nudges:
                assert f"Please post an update: {rag} {message.action_code} red|amber|green|blue" in message.reply.text


def _first_nudged_person(container: Container) -> int:
    """Someone the Monday pass nudges, found by running the selection the scheduler runs."""
    with container.unit_of_work() as repo:
        messages = nudges_and_escalations(repo, NUDGE_DAY.date().isoformat(), NUDGE_DAY, DEFAULT_SCHEME)
    assert messages, "the sample plan has actions due for a nudge on 26 November 2018"
    return messages[0].recipient.person_id


@pytest.mark.usefixtures("delivery_engine")
class TestMigration:
    @pytest.fixture
    def fresh(self, empty_db_url: str) -> Iterator[Engine]:
        eng = make_engine(empty_db_url)
        try:
            yield eng
        finally:
            eng.dispose()

    def test_rows_from_before_platforms_become_slack_and_teams_can_share_an_address(self, fresh: Engine) -> None:
        """0007 on a database with a subscription and a sent digest: both are Slack's afterwards, and
        the same channel id and period can then be stored again for another platform."""
        upgrade_to(fresh, "0005")
        tables = MetaData()
        tables.reflect(fresh)
        t = tables.tables
        with fresh.begin() as connection:
            connection.execute(
                insert(t["channelsubscription"]),
                {"channel": "C0OLD", "job": "weekly", "created_at": MONDAY_0900, "created_by": "admin@example.org"},
            )
            connection.execute(
                insert(t["jobrun"]),
                {
                    "job": "weekly_digest",
                    "target": "C0OLD",
                    "period_key": "2018-W48",
                    "state": "sent",
                    "claimed_at": MONDAY_0900,
                    "detail": "",
                    "attempts": 1,
                },
            )
        upgrade_to_head(fresh)
        with Session(fresh) as session:
            assert [("slack", "C0OLD")] == [(s.platform, s.channel) for s in session.exec(select(ChannelSubscription))]
            assert [("slack", "C0OLD", "sent")] == [
                (r.platform, r.target, r.state) for r in session.exec(select(JobRun))
            ]
            session.add(
                ChannelSubscription(
                    platform="teams", channel="C0OLD", job="weekly", created_at=MONDAY_0900, created_by="t"
                )
            )
            session.add(
                JobRun(
                    job="weekly_digest", platform="teams", target="C0OLD", period_key="2018-W48", claimed_at=MONDAY_0900
                )
            )
            session.commit()
            assert 2 == len(session.exec(select(JobRun)).all())
